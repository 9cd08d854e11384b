//! The divorce migration over a register that already holds a reissued marriage certificate:
//! on SQLite it rebuilds `certificates` (to allow `dissolved`), whose reissues refer to the
//! numbers they supersede. Replayed over such rows it must keep them all, links intact.

use diesel::prelude::*;
use serde_json::json;

use crate::support::lib::{db, schema};
use crate::support::{spawn_app, Counter};

#[tokio::test]
async fn the_divorce_migration_keeps_reissued_certificates_and_their_links() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, "sz-gusu").await;
    let number = desk.registered(41).await;
    let resp = desk
        .post(
            &format!("/v1/registrar/certificates/{number}/reissue"),
            json!({"note": "女方申请补领，原证遗失"}),
        )
        .await;
    assert_eq!(resp.status(), 201);

    let mut conn = app.connect();
    // Back to before the divorce migration (and any that came after it), then forward again.
    let mut reverted = Vec::new();
    while !reverted
        .last()
        .is_some_and(|v: &String| v.starts_with("20261203020000"))
    {
        reverted.push(db::migrations::revert_last(&mut conn).unwrap());
        assert!(
            reverted.len() < 20,
            "the divorce migration is not among {reverted:?}"
        );
    }
    let applied = db::migrations::run_pending(&mut conn).unwrap();
    assert_eq!(applied.len(), reverted.len());

    use schema::certificates::dsl;
    let rows: Vec<(String, String, Option<String>)> = dsl::certificates
        .order(dsl::issued_at)
        .select((dsl::number, dsl::status, dsl::supersedes))
        .load(&mut conn)
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], (number.clone(), "superseded".into(), None));
    assert_eq!(rows[1].2.as_deref(), Some(number.as_str()));
    // The wider CHECK is in place.
    diesel::update(dsl::certificates.find(&rows[1].0))
        .set(dsl::status.eq("dissolved"))
        .execute(&mut conn)
        .unwrap();
}
