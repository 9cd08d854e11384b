//! What became of a marriage is told only to its own two people: a 受理 with a real
//! certificate number and two other people learns neither that a divorce of it is open nor
//! that it was dissolved, only that the certificate is not theirs.

use crate::support::divorce::{receive_body, spawn_divorce_app};
use crate::support::{nth_person, problem, Counter};

const OFFICE: &str = "sz-gusu";

fn body(n: u32, number: &str) -> serde_json::Value {
    let (man, woman) = (nth_person(n, true), nth_person(n, false));
    receive_body(
        &[(&man, "王强", "320508"), (&woman, "李娜", "320508")],
        number,
    )
}

#[tokio::test]
async fn another_couples_certificate_tells_nothing_of_its_divorce() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let open = desk.registered(91).await;
    assert_eq!(desk.receive_divorce(body(91, &open)).await.status(), 201);
    // Couple 92 is married too (to each other), and tries couple 91's number.
    desk.registered(92).await;
    // Their own second receipt is told as such ...
    let p = problem(desk.receive_divorce(body(91, &open)).await).await;
    assert_eq!(p["code"], "divorce_already_received", "{p}");
    // ... anyone else's only as not theirs.
    let p = problem(desk.receive_divorce(body(92, &open)).await).await;
    assert_eq!(p["code"], "marriage_parties_mismatch", "{p}");
    assert!(p.get("current_status").is_none(), "{p}");

    // A dissolved (here: revoked) marriage likewise.
    let revoked = desk.registered(93).await;
    let sup = Counter::new(&app, &app.supervisor(OFFICE).await, OFFICE);
    let basis =
        serde_json::json!({"basis": "court_judgment", "document_reference": "(2026)苏0508民初1号"});
    let resp = sup
        .post(
            &format!("/v1/registrar/certificates/{revoked}/revocation"),
            basis,
        )
        .await;
    assert_eq!(resp.status(), 200);
    let p = problem(desk.receive_divorce(body(93, &revoked)).await).await;
    assert_eq!(p["code"], "marriage_not_valid", "{p}");
    let p = problem(desk.receive_divorce(body(92, &revoked)).await).await;
    assert_eq!(p["code"], "marriage_parties_mismatch", "{p}");
}
