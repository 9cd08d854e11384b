//! Certificates at the desk over plain HTTP: lookup within the office's scope or with a stated
//! purpose, errors beside their fields, reissue (the old number superseded, both linked), and
//! revocation by supervisors only.

use reqwest::StatusCode;

use crate::support::desk::Desk;
use crate::support::{audit_count, spawn_app, Counter};

#[tokio::test]
async fn desk_certificates_lookup_reissue_and_revocation() {
    let app = spawn_app().await;
    let counter = Counter::open(&app, "sz-gusu").await;
    let number = counter.registered(61).await;
    let mut desk = Desk::new(&app);
    desk.staff("sz-gusu", "registrar").await;
    assert_eq!(desk.get("/desk/certificates").await.status, StatusCode::OK);
    let bad = desk.post("/desk/certificates", &[("number", "J12")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("id=\"number-error\"") && bad.body.contains("value=\"J12\""));
    let unknown = desk
        .post("/desk/certificates", &[("number", "J320508-2026-999999")])
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("id=\"number-error\""));
    let reads = audit_count(&app, "certificate.read");
    let found = desk
        .post("/desk/certificates", &[("number", &number)])
        .await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("有效") && found.body.contains("id=\"reissue\""));
    assert!(
        !found.body.contains("id=\"revoke\""),
        "registrars do not revoke"
    );
    assert_eq!(
        audit_count(&app, "certificate.read"),
        reads + 1,
        "an audited read"
    );

    // Reissue: a note is needed; then a BJ number, the old one superseded and linked.
    let fields = [("number", number.as_str()), ("note", "")];
    let empty = desk.post("/desk/certificates/reissue", &fields).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("id=\"reissue-note-error\""));
    let fields = [
        ("number", number.as_str()),
        ("note", "女方申请补领，原证遗失"),
    ];
    let done = desk.post("/desk/certificates/reissue", &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let to = done.location().to_owned();
    assert!(
        to.starts_with("/desk/certificates/BJ320508-") && to.ends_with("?done=reissued"),
        "{to}"
    );
    let new = desk.get(&to).await;
    assert!(new.body.contains(&number) && new.body.contains("已补领"));
    let old = desk
        .post("/desk/certificates", &[("number", &number)])
        .await;
    let bj = to
        .trim_start_matches("/desk/certificates/")
        .trim_end_matches("?done=reissued");
    assert!(old
        .body
        .contains(&format!("href=\"/desk/certificates/{bj}\"")));
    let again = desk.post("/desk/certificates/reissue", &fields).await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "a superseded number is not reissued"
    );

    // Revocation: a registrar is refused; a supervisor needs a basis and a document.
    let revoke = [
        ("number", bj),
        ("basis", "court_judgment"),
        ("document_reference", "(2026)苏0508民初9号"),
    ];
    let refused = desk.post("/desk/certificates/revocation", &revoke).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut boss = Desk::new(&app);
    boss.staff("sz-gusu", "supervisor").await;
    let missing = boss
        .post(
            "/desk/certificates/revocation",
            &[("number", bj), ("basis", ""), ("document_reference", "")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(missing.body.contains("id=\"revoke-basis-error\""));
    let revoked = boss.post("/desk/certificates/revocation", &revoke).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    assert!(boss.get(revoked.location()).await.body.contains("已撤销"));

    // Another office: out of scope without a purpose, read with one.
    let mut other = Desk::new(&app);
    other.staff("nj-xuanwu", "registrar").await;
    let out = other
        .post("/desk/certificates", &[("number", &number)])
        .await;
    assert_eq!(out.status, StatusCode::FORBIDDEN);
    assert!(out.body.contains("id=\"purpose-error\""));
    let stated = [
        ("number", number.as_str()),
        ("purpose", "court_request"),
        ("note", "(2026)苏0102民初5号 法院调查"),
    ];
    let read = other.post("/desk/certificates", &stated).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.body.contains("已补领"));
}
