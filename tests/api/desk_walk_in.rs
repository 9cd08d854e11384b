//! The desk's walk-in form with a residence permit (居住证) for a party whose hukou is elsewhere:
//! the permit reaches the application as the booking API takes it, the screen shows it, and a
//! bad or half-filled permit is named beside its field with everything typed kept, nothing
//! written. In a real browser the form with its errors passes axe-core.

use serde_json::Value;

use crate::support::browser;
use crate::support::desk::{press, Desk};
use crate::support::{id_number, nth_person, spawn_app, Counter, TestApp};

const OFFICE: &str = "sz-gusu";

/// A walk-in of a local man and a woman with 安徽 hukou, her permit as given.
fn fields<'a>(
    man: &'a str,
    woman: &'a str,
    division: &'a str,
    until: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("name0", "王强"),
        ("id0", man),
        ("hukou0", "320508"),
        ("permit_division0", ""),
        ("permit_until0", ""),
        ("name1", "李娜"),
        ("id1", woman),
        ("hukou1", "340102"),
        ("permit_division1", division),
        ("permit_until1", until),
        ("email", ""),
    ]
}

fn anhui_woman() -> String {
    id_number("340102", "19960520", false)
}

async fn queue_len(app: &TestApp) -> usize {
    let counter = Counter::open(app, OFFICE).await;
    let resp = counter
        .get(&format!("/v1/registrar/offices/{OFFICE}/queue"))
        .await;
    let v: Value = resp.json().await.unwrap();
    v["applications"].as_array().unwrap().len()
}

#[tokio::test]
async fn desk_walk_in_takes_a_residence_permit_to_the_application() {
    let app = spawn_app().await;
    let mut desk = Desk::new(&app);
    desk.staff(OFFICE, "registrar").await;
    let woman = anhui_woman();
    let man = nth_person(71, true);
    let f = fields(&man, &woman, "320508", "2030-12-31");
    let a = desk.post("/desk/walk-in", &f).await;
    assert_eq!(a.status, 303, "{}", a.body);
    let to = a.location().to_owned();
    assert!(to.starts_with("/desk/applications/AP-"), "{to}");
    let page = desk.get(&to).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("已受理现场申请"), "{}", page.body);
    for shown in [
        "居住证",
        "320508，有效期至 2030-12-31",
        "340102",
        woman.as_str(),
    ] {
        assert!(page.body.contains(shown), "the screen lacks {shown}");
    }
    // The application holds the permit as the booking API would have.
    let reference = to
        .trim_start_matches("/desk/applications/")
        .split('?')
        .next()
        .unwrap();
    let counter = Counter::open(&app, OFFICE).await;
    let v: Value = counter
        .get_application(reference)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["office_id"], OFFICE, "{v}");
    assert_eq!(
        v["parties"][1]["residence_permit"]["division_code"], "320508",
        "{v}"
    );
    assert_eq!(
        v["parties"][1]["residence_permit"]["valid_until"], "2030-12-31",
        "{v}"
    );
    assert!(v["parties"][0]["residence_permit"].is_null(), "{v}");
}

#[tokio::test]
async fn desk_walk_in_names_a_bad_permit_beside_its_fields_and_writes_nothing() {
    let app = spawn_app().await;
    let mut desk = Desk::new(&app);
    desk.staff(OFFICE, "registrar").await;
    let woman = anhui_woman();
    let man = nth_person(72, true);
    let before = queue_len(&app).await;
    // A malformed division and an impossible date; then a division without its validity.
    for (division, until, bad) in [
        (
            "32O5X8",
            "2030-02-30",
            &[
                "parties-1-residence_permit-division_code",
                "parties-1-residence_permit-valid_until",
            ][..],
        ),
        (
            "320508",
            "",
            &["parties-1-residence_permit-valid_until"][..],
        ),
    ] {
        let f = fields(&man, &woman, division, until);
        let a = desk.post("/desk/walk-in", &f).await;
        assert_eq!(a.status, 400, "{}", a.body);
        for id in bad {
            assert!(
                a.body.contains(&format!("id=\"{id}-error\"")),
                "no message beside {id}: {}",
                a.body
            );
            assert!(a.body.contains(&format!("aria-describedby=\"{id}-error\"")));
        }
        for kept in [division, until, woman.as_str(), "340102", "李娜"] {
            if !kept.is_empty() {
                assert!(
                    a.body.contains(&format!("value=\"{kept}\"")),
                    "{kept} was not kept"
                );
            }
        }
        assert!(!a
            .body
            .contains("parties-0-residence_permit-division_code-error"));
    }
    assert_eq!(
        queue_len(&app).await,
        before,
        "a refused walk-in was written"
    );
}

#[tokio::test]
async fn desk_walk_in_permit_fields_pass_axe_on_a_phone() {
    if !browser::available() {
        return;
    }
    let app = spawn_app().await;
    app.add_staff(OFFICE, "registrar", "desk.permit", "desk-password-1");
    let (mut b, _one) = browser::start("desk-walk-in-permit", true).await;
    b.goto(&app.url("/desk/sign-in")).await;
    b.fill("username", "desk.permit").await;
    b.fill("password", "desk-password-1").await;
    press(&mut b, "form[action='/desk/sign-in'] button").await;
    b.goto(&app.url("/desk/walk-in")).await;
    b.axe("walk-in-form").await;
    b.fill("parties-0-name", "王强").await;
    b.fill("parties-0-id_number", &nth_person(73, true)).await;
    b.fill("parties-0-hukou_division_code", "320508").await;
    b.fill("parties-1-name", "李娜").await;
    b.fill("parties-1-id_number", &anhui_woman()).await;
    b.fill("parties-1-hukou_division_code", "340102").await;
    b.fill("parties-1-residence_permit-division_code", "320508")
        .await;
    press(&mut b, "form[action='/desk/walk-in'] button[type=submit]").await;
    b.expect_text("出现问题").await;
    b.axe("walk-in-permit-error").await;
    b.fill("parties-1-residence_permit-valid_until", "2030-12-31")
        .await;
    press(&mut b, "form[action='/desk/walk-in'] button[type=submit]").await;
    b.expect_text("已受理现场申请").await;
    b.expect_text("320508，有效期至 2030-12-31").await;
    b.axe("walk-in-permit-application").await;
    b.close().await;
}
