//! The binary itself: configuration errors, unreachable databases, `migrate`, `--help`.

use std::path::Path;

use crate::support::binary::{hunyin, hunyin_with_stdin, stderr, TempDir};
use crate::support::proxy::host_port;
use crate::support::{postgres_server_url, spawn_app_on, TestDb};

fn empty_dir() -> TempDir {
    TempDir::new("cli")
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn unknown_env_key_exits_naming_the_key_and_creates_nothing() {
    let dir = empty_dir();
    let out = hunyin(dir.path(), &[], &[("APP__SERVER__PORTX", "1")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`server.portx`"), "{}", stderr(&out));
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn unknown_file_key_exits_naming_the_key() {
    let dir = empty_dir();
    std::fs::write(
        dir.path().join("local.toml"),
        "[log]\nfilterr = \"debug\"\n",
    )
    .unwrap();
    let out = hunyin(dir.path(), &["--config", "local.toml"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`log.filterr`"), "{}", stderr(&out));
    assert_eq!(entries(dir.path()), vec!["local.toml".to_owned()]);
}

#[test]
fn unknown_section_exits_naming_it() {
    let dir = empty_dir();
    std::fs::write(dir.path().join("c.toml"), "[serverr]\nport = 1\n").unwrap();
    let out = hunyin(dir.path(), &["--config", "c.toml"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`serverr`"), "{}", stderr(&out));
}

#[test]
fn malformed_value_exits_naming_the_key() {
    let dir = empty_dir();
    let out = hunyin(dir.path(), &[], &[("APP__SERVER__PORT", "eighty")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("server.port"), "{}", stderr(&out));
    let out = hunyin(dir.path(), &[], &[("APP__LOG__FORMAT", "xml")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("log.format"), "{}", stderr(&out));
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn missing_config_file_is_an_error() {
    let dir = empty_dir();
    let out = hunyin(dir.path(), &["--config", "nope.toml"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope.toml"));
}

#[test]
fn unreachable_postgres_fails_with_the_servers_message_and_no_sqlite_file() {
    let dir = empty_dir();
    let out = hunyin(
        dir.path(),
        &[],
        &[(
            "APP__DATABASE__URL",
            "postgres://app:s3cret@127.0.0.1:1/hunyin",
        )],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("Connection refused"), "{err}");
    assert!(!err.contains("s3cret"), "password leaked: {err}");
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

/// A server that answers but refuses us: its own FATAL message is shown.
#[test]
fn rejected_postgres_login_shows_the_server_message() {
    let Some(server) = postgres_server_url() else {
        eprintln!("runs on PostgreSQL only (TEST_DATABASE_URL unset)");
        return;
    };
    let dir = empty_dir();
    let url = format!(
        "postgres://no_such_role_x:pw@{}/postgres",
        host_port(&server)
    );
    let out = hunyin(dir.path(), &[], &[("APP__DATABASE__URL", &url)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("FATAL"), "{err}");
    assert!(err.contains("no_such_role_x"), "{err}");
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn migrate_applies_then_reports_up_to_date() {
    let dir = empty_dir();
    let db = TestDb::create_empty();
    let env = [("APP__DATABASE__URL", db.url())];
    let first = hunyin(dir.path(), &["migrate"], &env);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(String::from_utf8_lossy(&first.stdout).contains("applied 2026"));
    let second = hunyin(dir.path(), &["migrate"], &env);
    assert!(second.status.success());
    assert_eq!(
        String::from_utf8_lossy(&second.stdout).trim(),
        "database is up to date"
    );
}

#[test]
fn help_lists_commands_and_never_prints_secrets() {
    let dir = empty_dir();
    let env = [("APP__DATABASE__URL", "postgres://app:s3cret@db/hunyin")];
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
    ] {
        let out = hunyin(dir.path(), args, &env);
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("--config"), "{text}");
        assert!(!text.contains("s3cret"));
    }
    let out = hunyin(dir.path(), &["--help"], &env);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("serve") && text.contains("migrate"));
}

#[test]
fn office_add_creates_an_office_in_the_region_and_refuses_others() {
    let dir = empty_dir();
    let db = TestDb::create_empty();
    let env = [("APP__DATABASE__URL", db.url())];
    let add = |id: &str, code: &str| {
        hunyin(
            dir.path(),
            &[
                "office",
                "add",
                "--id",
                id,
                "--name",
                "常州市天宁区民政局婚姻登记处",
                "--division-code",
                code,
                "--address",
                "常州市天宁区",
                "--phone",
                "0519-0000-0001",
            ],
            &env,
        )
    };
    let ok = add("cz-tianning", "320402");
    assert!(ok.status.success(), "{}", stderr(&ok));
    let again = add("cz-tianning", "320402");
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already exists"));
    let outside = add("zz-erqi", "410103");
    assert!(!outside.status.success());
    assert!(stderr(&outside).contains("outside this instance's region"));
    let bad_id = add("Bad Id", "320402");
    assert!(!bad_id.status.success());
    let list = hunyin(dir.path(), &["office", "list"], &env);
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.contains("cz-tianning\t320402"), "{text}");
}

#[test]
fn region_prefix_must_be_a_division_prefix() {
    let dir = empty_dir();
    let out = hunyin(dir.path(), &[], &[("APP__INSTANCE__REGION_PREFIX", "99")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("instance.region_prefix"));
}

#[tokio::test]
async fn staff_add_reads_the_password_from_stdin_and_the_account_signs_in() {
    let dir = empty_dir();
    let db = std::sync::Arc::new(TestDb::create_empty());
    let env = [("APP__DATABASE__URL", db.url())];
    let add = |role: &str, user: &str, office: &str, pw: &str| {
        hunyin_with_stdin(
            dir.path(),
            &[
                "staff",
                "add",
                "--office",
                office,
                "--role",
                role,
                "--username",
                user,
                "--name",
                "孙丽",
            ],
            &env,
            &format!("{pw}\n"),
        )
    };
    let ok = add("supervisor", "sun.li", "sz-gusu", "a long password");
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(!String::from_utf8_lossy(&ok.stdout).contains("a long password"));
    assert!(stderr(&add("supervisor", "sun.li", "sz-gusu", "a long password")).contains("taken"));
    assert!(stderr(&add("admin", "x.y", "sz-gusu", "a long password")).contains("role"));
    assert!(stderr(&add("registrar", "x.y", "nowhere", "a long password")).contains("no office"));
    assert!(stderr(&add("registrar", "x.y", "sz-gusu", "short")).contains("at least"));

    let app = spawn_app_on(db.clone(), db.url(), |_| {});
    let resp = app.post_sign_in("sun.li", "a long password").await;
    assert_eq!(resp.status(), 201);
}

#[test]
fn partner_keygen_writes_a_private_key_once_and_the_directory_reads_from_toml() {
    use std::os::unix::fs::PermissionsExt;
    let dir = empty_dir();
    let out = hunyin(dir.path(), &["partner", "keygen", "--out", "js.pem"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let printed = String::from_utf8(out.stdout).unwrap();
    let public = printed.lines().last().unwrap().trim().to_owned();
    assert_eq!(public.len(), 44, "{printed}");
    let pem = std::fs::read_to_string(dir.path().join("js.pem")).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    let mode = std::fs::metadata(dir.path().join("js.pem"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // Never overwrites a key.
    let again = hunyin(dir.path(), &["partner", "keygen", "--out", "js.pem"], &[]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("js.pem")).unwrap(),
        pem
    );

    // A region's configuration: our key, and a partner in the directory.
    let config = format!(
        "[partner]\nkey_id = \"jiangsu-2026\"\nprivate_key_file = \"js.pem\"\n\n\
         [[partner.peers]]\nname = \"henan\"\nprefixes = [\"41\"]\nbase_url = \"https://hunyin.ha.example\"\n\
         key_id = \"henan-2026\"\npublic_key = \"{public}\"\noperations = [\"household_verification\"]\n"
    );
    std::fs::write(dir.path().join("js.toml"), &config).unwrap();
    let out = hunyin(
        dir.path(),
        &["--config", "js.toml", "partner", "public-key"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), public);

    // A bad directory entry stops the start, naming the entry.
    let bad = config.replace(
        "operations = [\"household_verification\"]",
        "operations = [\"drop_tables\"]",
    );
    std::fs::write(dir.path().join("bad.toml"), bad).unwrap();
    let out = hunyin(dir.path(), &["--config", "bad.toml", "migrate"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("partner.peers[0]") && stderr(&out).contains("drop_tables"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn statistics_prints_the_summary_table_and_csv() {
    let db = TestDb::create_empty();
    let dir = empty_dir();
    let env = [("APP__DATABASE__URL", db.url())];
    assert_eq!(
        hunyin(dir.path(), &["migrate"], &env).status.code(),
        Some(0)
    );
    let out = hunyin(
        dir.path(),
        &[
            "statistics",
            "--from",
            "2026-05-01",
            "--to",
            "2026-05-31",
            "--group-by",
            "day",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("2026-05-01 – 2026-05-31"), "{text}");
    let total = text
        .lines()
        .find(|l| l.starts_with("登记 registrations"))
        .unwrap();
    assert_eq!(total.split_whitespace().last(), Some("0"), "{text}");
    let csv = hunyin(dir.path(), &["statistics", "--csv"], &env);
    assert!(
        csv.stdout
            .starts_with(b"\xEF\xBB\xBF\xE5\x88\x86\xE7\xBB\x84"),
        "BOM, then 分组"
    );
    let bad = hunyin(dir.path(), &["statistics", "--group-by", "city"], &env);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("--group-by"), "{}", stderr(&bad));
}
