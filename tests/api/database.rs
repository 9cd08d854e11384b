//! The database layer on the suite's engine: the write-transaction helper and concurrency.

use crate::support::lib;
use crate::support::lib::db::{self, outbox, DbConn};
use crate::support::lib::schema::audit_events;
use crate::support::{spawn_app, test_settings};
use diesel::prelude::*;

fn insert_event(conn: &mut DbConn, action: &str) -> QueryResult<usize> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::occurred_at.eq(chrono::Utc::now().naive_utc()),
            audit_events::actor_kind.eq("system"),
            audit_events::action.eq(action),
        ))
        .execute(conn)
}

fn count(conn: &mut DbConn, action: &str) -> i64 {
    audit_events::table
        .filter(audit_events::action.eq(action))
        .count()
        .get_result(conn)
        .unwrap()
}

#[tokio::test]
async fn write_tx_commits_on_ok_and_rolls_back_on_err() {
    let app = spawn_app().await;
    let mut conn = app.connect();

    db::write_tx(&mut conn, |c| insert_event(c, "kept")).unwrap();
    let failed: Result<(), diesel::result::Error> = db::write_tx(&mut conn, |c| {
        insert_event(c, "discarded")?;
        Err(diesel::result::Error::RollbackTransaction)
    });

    assert!(failed.is_err());
    assert_eq!(count(&mut conn, "kept"), 1);
    assert_eq!(count(&mut conn, "discarded"), 0);
}

#[tokio::test]
async fn nested_transaction_inside_write_tx_is_a_savepoint() {
    let app = spawn_app().await;
    let mut conn = app.connect();
    db::write_tx(&mut conn, |c| {
        insert_event(c, "outer")?;
        let inner: QueryResult<()> = c.transaction(|c| {
            insert_event(c, "inner")?;
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(inner.is_err());
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
    assert_eq!(count(&mut conn, "outer"), 1);
    assert_eq!(count(&mut conn, "inner"), 0);
}

/// Many threads each read a count and then write, in write transactions on pooled
/// connections: none fails (no "database is locked") and no write is lost.
#[tokio::test]
async fn concurrent_read_then_write_transactions_all_succeed() {
    let app = spawn_app().await;
    let mut settings = test_settings(app.db.url());
    settings.database.max_connections = 8;
    settings.database.acquire_timeout_ms = 10_000;
    let pool = db::build_pool(&lib::db_config(&settings));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                for _ in 0..25 {
                    let mut conn = db::get(&pool).expect("connection");
                    db::write_tx(&mut conn, |c| {
                        let _seen = count(c, "tick");
                        insert_event(c, "tick")
                    })
                    .expect("write transaction");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread finished");
    }
    assert_eq!(count(&mut app.connect(), "tick"), 200);
}

/// Four workers claim from one outbox at once: every message is claimed exactly once.
#[tokio::test]
async fn concurrent_outbox_claims_never_hand_out_a_message_twice() {
    let app = spawn_app().await;
    let mut conn = app.connect();
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
    for i in 0..60 {
        let payload = format!("{{\"n\":{i}}}");
        outbox::enqueue(&mut conn, "test", &payload, past, past).unwrap();
    }
    let mut settings = test_settings(app.db.url());
    settings.database.max_connections = 4;
    settings.database.acquire_timeout_ms = 10_000;
    let pool = db::build_pool(&lib::db_config(&settings));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                loop {
                    let mut conn = db::get(&pool).unwrap();
                    let now = chrono::Utc::now().naive_utc();
                    let batch =
                        outbox::claim(&mut conn, now, chrono::Duration::minutes(5), 7).unwrap();
                    if batch.is_empty() {
                        return mine;
                    }
                    mine.extend(batch.iter().map(|m| m.id));
                }
            })
        })
        .collect();
    let mut all: Vec<i64> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    all.sort_unstable();
    let before = all.len();
    all.dedup();
    assert_eq!(before, all.len(), "a message was claimed twice");
    assert_eq!(all.len(), 60);
}

/// A SQLite commit the service answered is on disk before the answer: WAL with
/// `synchronous=FULL` (NORMAL can lose the last commits in a power loss, and with them a
/// confirmed certificate number that would then be handed out again).
#[test]
fn sqlite_commits_survive_a_power_loss() {
    use diesel::sql_types::{Integer, Text};
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    #[derive(QueryableByName)]
    struct Sync {
        #[diesel(sql_type = Integer)]
        synchronous: i32,
    }
    let sqlite = crate::support::TestDb::create_sqlite();
    let settings = test_settings(sqlite.url());
    let pool = db::build_pool(&lib::db_config(&settings));
    let mut conn = db::get(&pool).expect("connection");
    let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
        .get_result(&mut *conn)
        .unwrap();
    let sync: Sync = diesel::sql_query("PRAGMA synchronous")
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(mode.journal_mode, "wal");
    assert_eq!(sync.synchronous, 2, "2 is FULL");
}
