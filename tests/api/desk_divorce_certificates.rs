//! Divorce certificates (`L`, `BL`) on the desk's certificates page over plain HTTP: an `L`
//! issued through the API is found (an audited read), reissued as `BL` through the page (the
//! old one superseded, each linked to the other); a malformed number, a missing party or note
//! are messages beside their fields; another office gets the 403 page; a form without its
//! token is refused and writes nothing.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::browser;
use crate::support::desk::{press, Desk};
use crate::support::divorce::{date, last_serial, move_to, receive_body, spawn_divorce_app};
use crate::support::{audit_count, nth_person, Counter, TestApp};

const OFFICE: &str = "sz-gusu";

/// Couple `n` married and divorced at the office through the API: (L number, reference).
async fn divorced(app: &TestApp, desk: &Counter<'_>, n: u32) -> (String, String) {
    let number = desk.registered(n).await;
    let (man, woman) = (nth_person(n, true), nth_person(n, false));
    let body = receive_body(
        &[(&man, "王强", "320508"), (&woman, "李娜", "320508")],
        &number,
    );
    let resp = desk.receive_divorce(body).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    move_to(app, date(&v, "issue_from"));
    let reference = v["reference"].as_str().unwrap().to_owned();
    let resp = desk.issue_divorce(&reference).await;
    assert_eq!(resp.status(), 201);
    let issued: Value = resp.json().await.unwrap();
    let l = issued["certificate_number"].as_str().unwrap().to_owned();
    (l, reference)
}

#[tokio::test]
async fn desk_divorce_certificates_lookup_and_reissue() {
    let app = spawn_divorce_app();
    let counter = Counter::open(&app, OFFICE).await;
    let (l, reference) = divorced(&app, &counter, 71).await;
    assert!(l.starts_with("L320508-"), "{l}");
    let mut desk = Desk::new(&app);
    desk.staff(OFFICE, "registrar").await;

    // Malformed: the message beside the field, the typed number kept; unknown: beside it too.
    let bad = desk.post("/desk/certificates", &[("number", "L12")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("id=\"number-error\"") && bad.body.contains("value=\"L12\""));
    let unknown = desk
        .post("/desk/certificates", &[("number", "BL320508-2026-999999")])
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("id=\"number-error\""));

    // Found (typed in lower case), an audited read; the parties masked, the application linked.
    let reads = audit_count(&app, "divorce.certificate_read");
    let found = desk
        .post("/desk/certificates", &[("number", &l.to_lowercase())])
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert!(found.body.contains(&l) && found.body.contains("有效"));
    assert!(found.body.contains("id=\"reissue\""));
    assert!(found
        .body
        .contains(&format!("href=\"/desk/divorces/{reference}\"")));
    let woman = nth_person(71, false);
    assert!(!found.body.contains(&woman), "ID numbers masked");
    assert!(found.body.contains(&woman[..6]));
    assert_eq!(audit_count(&app, "divorce.certificate_read"), reads + 1);

    // Reissue: the party and the note are needed, beside their fields.
    let empty = desk
        .post(
            "/desk/certificates/divorce-reissue",
            &[("number", &l), ("party", ""), ("note", "")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("id=\"reissue-party-error\""));
    assert!(empty.body.contains("id=\"reissue-note-error\""));
    let no_note = desk
        .post(
            "/desk/certificates/divorce-reissue",
            &[("number", &l), ("party", "1"), ("note", " ")],
        )
        .await;
    assert_eq!(no_note.status, StatusCode::BAD_REQUEST);
    assert!(no_note.body.contains("id=\"reissue-note-error\""));
    assert!(
        no_note.body.contains("1-500"),
        "the rule of a reissue's note"
    );
    assert_eq!(last_serial(&app, OFFICE, "BL"), None);

    let fields = [
        ("number", l.as_str()),
        ("party", "1"),
        ("note", "女方申请补发，原证遗失"),
    ];
    let done = desk
        .post("/desk/certificates/divorce-reissue", &fields)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let to = done.location().to_owned();
    assert!(
        to.starts_with("/desk/certificates/BL320508-") && to.ends_with("?done=reissued"),
        "{to}"
    );
    let bl = to
        .trim_start_matches("/desk/certificates/")
        .trim_end_matches("?done=reissued")
        .to_owned();
    let new = desk.get(&to).await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(new.body.contains("已补发，新证字号如下") && new.body.contains("有效"));
    assert!(new
        .body
        .contains(&format!("href=\"/desk/certificates/{l}\"")));
    let old = desk.post("/desk/certificates", &[("number", &l)]).await;
    assert!(old.body.contains("已补发（作废）"));
    assert!(old
        .body
        .contains(&format!("href=\"/desk/certificates/{bl}\"")));
    assert!(
        !old.body.contains("id=\"reissue\""),
        "no reissue of a superseded number"
    );
    let again = desk
        .post("/desk/certificates/divorce-reissue", &fields)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("id=\"number-error\"") && again.body.contains("无法补发"));
    assert_eq!(last_serial(&app, OFFICE, "BL"), Some(1));
}

#[tokio::test]
async fn desk_divorce_certificates_other_office_and_token() {
    let app = spawn_divorce_app();
    let counter = Counter::open(&app, OFFICE).await;
    let (l, _) = divorced(&app, &counter, 72).await;

    // Another office's registrar: the 403 page, for the read and the reissue; audited.
    let mut other = Desk::new(&app);
    other.staff("sz-huqiu", "registrar").await;
    let refused = audit_count(&app, "divorce.certificate_read_refused");
    let out = other.post("/desk/certificates", &[("number", &l)]).await;
    assert_eq!(out.status, StatusCode::FORBIDDEN, "{}", out.body);
    assert!(!out.body.contains("id=\"reissue\""));
    assert_eq!(
        audit_count(&app, "divorce.certificate_read_refused"),
        refused + 2,
        "in the reader's trail and the certificate office's"
    );
    let shown = other.get(&format!("/desk/certificates/{l}")).await;
    assert_eq!(shown.status, StatusCode::FORBIDDEN);
    let fields = [
        ("number", l.as_str()),
        ("party", "0"),
        ("note", "男方申请补发"),
    ];
    let theirs = other
        .post("/desk/certificates/divorce-reissue", &fields)
        .await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN, "{}", theirs.body);
    assert_eq!(last_serial(&app, OFFICE, "BL"), None);

    // No token, a forged one: refused, nothing written.
    let mut desk = Desk::new(&app);
    desk.staff(OFFICE, "registrar").await;
    let url = app.url("/desk/certificates/divorce-reissue");
    let req = app.client.post(&url).form(&fields);
    assert_eq!(desk.send(req).await.status, StatusCode::FORBIDDEN);
    let mut forged = vec![("csrf", "forged")];
    forged.extend_from_slice(&fields);
    let req = app.client.post(&url).form(&forged);
    assert_eq!(desk.send(req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(last_serial(&app, OFFICE, "BL"), None);
    let mine = desk
        .post("/desk/certificates/divorce-reissue", &fields)
        .await;
    assert_eq!(mine.status, StatusCode::SEE_OTHER, "{}", mine.body);
    assert_eq!(last_serial(&app, OFFICE, "BL"), Some(1));
}

#[tokio::test]
async fn desk_divorce_certificates_in_a_browser() {
    if !browser::available() {
        return;
    }
    let app = spawn_divorce_app();
    let counter = Counter::open(&app, OFFICE).await;
    let (l, _) = divorced(&app, &counter, 73).await;
    app.add_staff(OFFICE, "registrar", "desk.lcert", "desk-password-1");
    let (mut b, _one) = browser::start("desk-divorce-certificates", true).await;
    b.goto(&app.url("/desk/sign-in")).await;
    b.fill("username", "desk.lcert").await;
    b.fill("password", "desk-password-1").await;
    press(&mut b, "form[action='/desk/sign-in'] button").await;
    b.expect_text("今日队列").await;
    b.goto(&app.url("/desk/certificates")).await;
    b.fill("number", &l).await;
    press(&mut b, "#lookup").await;
    b.expect_text("离婚证").await;
    b.expect_text("有效").await;
    b.snap("l-certificate").await;
    b.axe("l-certificate").await;
    let bottom = "window.scrollTo(0, document.body.scrollHeight)";
    b.client.execute(bottom, vec![]).await.unwrap();
    b.snap("l-certificate-reissue-form").await;
    // A reissue without a note: the message beside the field, in place.
    b.select("reissue-party", "1").await;
    press(&mut b, "#reissue").await;
    b.expect_text("补发说明").await;
    b.snap("l-reissue-error").await;
    b.axe("l-reissue-error").await;
    b.fill("reissue-note", "女方申请补发，原证遗失").await;
    b.select("reissue-party", "1").await;
    press(&mut b, "#reissue").await;
    b.expect_text("已补发，新证字号如下").await;
    b.expect_text(&l).await;
    b.snap("bl-certificate").await;
    b.client.execute(bottom, vec![]).await.unwrap();
    b.snap("bl-certificate-history").await;
    b.axe("bl-certificate").await;
    b.close().await;
}
