//! The suite's migrated PostgreSQL template: made once per set of migrations, then each test's
//! database is a copy of it (`CREATE DATABASE … TEMPLATE`), instead of migrating every time.
//!
//! The template's name carries a hash of the migration files, so a changed migration makes a
//! new one; it is built under a different name and renamed when complete (a run killed halfway
//! leaves no half-migrated template), under an advisory lock so that test processes starting at
//! once build it once. No connection stays open to it: PostgreSQL copies only an unused database.

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
}

/// The name of the migrated template on `server_url`, built if it is missing.
pub fn migrated(server_url: &str) -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| build(server_url))
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
    let name = format!("hunyin_template_{:016x}", migrations_hash());
    let mut admin = PgConnection::establish(server_url).expect("reach the PostgreSQL server");
    admin
        .batch_execute(&format!("SELECT pg_advisory_lock({LOCK})"))
        .expect("template lock");
    let templates: Vec<Name> = diesel::sql_query(
        "SELECT datname::text AS datname FROM pg_database WHERE datname LIKE 'hunyin\\_template\\_%'",
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
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .expect("name the template");
    }
    // Templates of other migrations are left alone: on a server shared by branches with other
    // migrations, they are another suite's, in use now (dropping them failed its tests).
    let _ = templates;
    admin
        .batch_execute(&format!("SELECT pg_advisory_unlock({LOCK})"))
        .expect("template unlock");
    name
}
