//! The suite's migrated PostgreSQL template: made once per set of migrations, then each test's
//! database is a copy of it (`CREATE DATABASE … TEMPLATE`), instead of migrating every time.
//!
//! The template's name carries a hash of the migration files, so a changed migration makes a
//! new one; it is built under a different name and renamed when complete (a run killed halfway
//! leaves no half-migrated template), under an advisory lock so that test processes starting at
//! once build it once. No connection stays open to it: PostgreSQL copies only an unused database.
//!
//! Several checkouts (other branches' migrations) may share one server: each template's comment
//! holds the time it was built, and another set's template is dropped only once it is a day
//! old, never while another checkout's suite may still be copying it. A template dropped under
//! a running suite anyway is built again (`rebuild`).

use std::path::Path;
use std::sync::OnceLock;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::PgConnection;

use super::database::with_database;
use super::lib::db;

/// Any number of ours: the lock that serialises building the template.
const LOCK: i64 = 7_140_201_202;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    datname: String,
    /// The comment: seconds since the epoch when it was built (empty: unknown, kept).
    #[diesel(sql_type = Text)]
    built: String,
}

/// How old another set of migrations' template must be before a build drops it, in seconds.
const STALE_SECS: i64 = 24 * 3600;

/// The name of the migrated template on `server_url`, built if it is missing.
pub fn migrated(server_url: &str) -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| build(server_url))
}

/// Builds the template again if it has gone (dropped by another checkout's older suite).
pub fn rebuild(server_url: &str) {
    build(server_url);
}

/// FNV-1a over the PostgreSQL migration files, names and contents, in name order.
fn migrations_hash() -> u64 {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&root).expect("migrations/postgres") {
        let dir = dir.expect("migration entry").path();
        for file in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            files.push(file.path());
        }
    }
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for f in files {
        let name = f
            .strip_prefix(&root)
            .unwrap_or(&f)
            .to_string_lossy()
            .into_owned();
        let body = std::fs::read(&f).expect("migration file");
        for b in name.bytes().chain(body) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

fn build(server_url: &str) -> String {
    let name = format!("hunyin_tpl_{:016x}", migrations_hash());
    let mut admin = PgConnection::establish(server_url).expect("reach the PostgreSQL server");
    admin
        .batch_execute(&format!("SELECT pg_advisory_lock({LOCK})"))
        .expect("template lock");
    let templates: Vec<Name> = diesel::sql_query(
        "SELECT datname::text AS datname, \
         COALESCE(shobj_description(oid, 'pg_database'), '')::text AS built \
         FROM pg_database WHERE datname LIKE 'hunyin\\_tpl\\_%'",
    )
    .load(&mut admin)
    .expect("list templates");
    if !templates.iter().any(|t| t.datname == name) {
        let building = format!("{name}_building");
        // Two statements: CREATE DATABASE cannot share a (multi-statement) transaction.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .expect("drop a half-built template");
        admin
            .batch_execute(&format!("CREATE DATABASE {building}"))
            .expect("create the template");
        {
            let conn = PgConnection::establish(&with_database(server_url, &building))
                .expect("reach the template");
            db::migrations::run_pending(&mut db::DbConn::Pg(conn)).expect("migrate the template");
        }
        admin
            .batch_execute(&format!(
                "ALTER DATABASE {building} RENAME TO {name}; COMMENT ON DATABASE {name} IS '{}'",
                now_secs()
            ))
            .expect("name the template");
    }
    // Templates of other migrations a day old are from older builds.
    let stale = |t: &Name| {
        t.built
            .parse::<i64>()
            .is_ok_and(|b| now_secs() - b > STALE_SECS)
    };
    for old in templates
        .iter()
        .filter(|t| t.datname != name && !t.datname.ends_with("_building") && stale(t))
    {
        let _ = admin.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            old.datname
        ));
    }
    admin
        .batch_execute(&format!("SELECT pg_advisory_unlock({LOCK})"))
        .expect("template unlock");
    name
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
