//! What the couples' pages guarantee without a browser: forms refused without their token (as
//! HTML pages, nothing written), the manage code only in a fragment or a posted form, the
//! calendar file, a wrong confirmation code told beside its field, the calendar's marks and
//! full slots.

use crate::support::fixtures::id_number;
use crate::support::{fresh_emails, nth_couple, spawn_app, spawn_app_with, TestApp};

/// A browser's form token: the cookie a first page sets.
pub(crate) async fn token(app: &TestApp) -> String {
    let resp = app
        .client
        .get(app.url("/eligibility"))
        .send()
        .await
        .unwrap();
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    cookie["hunyin_csrf=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// Posts `pairs` to `path` as a same-origin form, with `csrf` as cookie and field (none: no
/// field).
pub(crate) async fn post(
    app: &TestApp,
    path: &str,
    csrf: Option<&str>,
    pairs: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = pairs.to_vec();
    let cookie = match csrf {
        Some(t) => {
            form.push(("csrf", t));
            format!("hunyin_csrf={t}")
        }
        None => "hunyin_csrf=0123456789abcdef0123456789abcdef".to_owned(),
    };
    app.client
        .post(app.url(path))
        .header("cookie", cookie)
        .header("sec-fetch-site", "same-origin")
        .header("origin", "null")
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The booking form of a valid couple at the first free slot of 南京玄武.
fn booking<'a>(
    slot: &'a str,
    man: &'a str,
    woman: &'a str,
    emails: &'a [String; 2],
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("office_id", "nj-xuanwu"),
        ("slot_id", slot),
        ("parties-0-id_number", man),
        ("parties-0-name", "王强"),
        ("parties-0-hukou_division_code", "320102"),
        ("parties-1-id_number", woman),
        ("parties-1-name", "李娜"),
        ("parties-1-hukou_division_code", "110101"),
        ("contact-emails-0", &emails[0]),
        ("contact-emails-1", &emails[1]),
        ("action", "book"),
    ]
}

fn couple() -> (String, String) {
    (
        id_number("320102", "19900101", true),
        id_number("110101", "19920202", false),
    )
}

#[tokio::test]
async fn a_booking_form_without_its_token_is_an_html_refusal_and_books_nothing() {
    let app = spawn_app().await;
    let slot = app.first_slot("nj-xuanwu").await;
    let (man, woman) = couple();
    let emails = fresh_emails();
    let resp = post(&app, "/book", None, &booking(&slot, &man, &woman, &emails)).await;
    assert_eq!(resp.status(), 403);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        ct.starts_with("text/html"),
        "a page answers as a page: {ct}"
    );
    assert!(resp.text().await.unwrap().contains("表单已过期或来源不明"));
    // Another site, even with the token.
    let t = token(&app).await;
    let cross = app
        .client
        .post(app.url("/book"))
        .header("cookie", format!("hunyin_csrf={t}"))
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("csrf", t.as_str()),
            ("office_id", "nj-xuanwu"),
            ("slot_id", &slot),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    assert_eq!(app.remaining("nj-xuanwu", &slot).await, 10, "no seat taken");
    assert!(app.mails_to(&emails[0]).is_empty(), "no mail");
}

#[tokio::test]
async fn the_manage_code_is_only_in_a_fragment_or_a_posted_form_and_opens_the_calendar_file() {
    let app = spawn_app().await;
    let slot = app.first_slot("nj-xuanwu").await;
    let (man, woman) = couple();
    let emails = fresh_emails();
    let t = token(&app).await;
    let resp = post(
        &app,
        "/book",
        Some(&t),
        &booking(&slot, &man, &woman, &emails),
    )
    .await;
    // Post/Redirect/Get: the booking's page is reached by a path that carries nothing.
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/book/done");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();
    let resp = app
        .client
        .get(app.url("/book/done"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["referrer-policy"], "no-referrer");
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let html = resp.text().await.unwrap();
    let at =
        html.find("id=\"manage-token\">").expect("the manage code") + "id=\"manage-token\">".len();
    let code = &html[at..at + html[at..].find('<').unwrap()];
    let reference = {
        let at = html.find("id=\"reference\">").unwrap() + "id=\"reference\">".len();
        html[at..at + html[at..].find('<').unwrap()].to_owned()
    };
    assert_eq!(code.len(), 64, "{code}");
    for attr in ["href=\"", "action=\""] {
        for part in html.split(attr).skip(1) {
            let url = &part[..part.find('"').unwrap()];
            let before_fragment = url.split('#').next().unwrap();
            assert!(
                !before_fragment.contains(code),
                "the manage code in a URL: {url}"
            );
        }
    }
    assert!(html.contains(&format!("/appointment#r={reference}&amp;t={code}")));
    // Reloading the page books nothing more: one hold, one seat.
    let again = app
        .client
        .get(app.url("/book/done"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(app.remaining("nj-xuanwu", &slot).await, 9);
    assert!(
        !html.contains(&man),
        "the full ID number is not on the confirmation"
    );
    // The calendar file, by a posted form only.
    let ics = post(
        &app,
        "/appointment/ics",
        Some(&t),
        &[("reference", &reference), ("token", code)],
    )
    .await;
    assert_eq!(ics.status(), 200);
    assert!(ics.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    assert_eq!(
        ics.headers()["content-disposition"],
        format!("attachment; filename=\"{reference}.ics\"").as_str()
    );
    let body = ics.text().await.unwrap();
    assert!(
        body.starts_with("BEGIN:VCALENDAR") && body.contains("METHOD:REQUEST"),
        "{body}"
    );
    // A wrong code opens nothing, and says so beside the field.
    let last = if code.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &code[..63]);
    let refused = post(
        &app,
        "/appointment/ics",
        Some(&t),
        &[("reference", &reference), ("token", &wrong)],
    )
    .await;
    assert_eq!(refused.status(), 404);
    let page = refused.text().await.unwrap();
    assert!(page.contains("id=\"token-error\"") && page.contains("预约号或管理码不正确"));
    assert!(!page.contains("BEGIN:VCALENDAR"));
}

#[tokio::test]
async fn a_wrong_confirmation_code_is_told_beside_its_field_and_kept() {
    let app = spawn_app().await;
    let t = token(&app).await;
    let resp = post(
        &app,
        "/confirm",
        Some(&t),
        &[("token", "not-a-code"), ("action", "confirm")],
    )
    .await;
    assert!(resp.status().is_client_error());
    let html = resp.text().await.unwrap();
    assert!(html.contains("class=\"error-summary\"") && html.contains("href=\"#token\""));
    assert!(html.contains("id=\"token-error\"") && html.contains("确认码不正确"));
    assert!(
        html.contains("value=\"not-a-code\""),
        "what was typed is kept"
    );
}

/// The cell of day `n` in the month grid.
fn cell(html: &str, n: u32) -> &str {
    let at = html.find(&format!("<span class=\"n\">{n}</span>")).unwrap();
    let start = html[..at].rfind("<td").unwrap();
    &html[start..at + html[at..].find("</td>").unwrap()]
}

#[tokio::test]
async fn the_calendar_marks_holidays_adjusted_working_days_and_special_openings() {
    let app = spawn_app().await;
    // May 2026: 1-5 public holiday, Saturday the 9th a working day (调休), the 20th opens.
    let resp = app
        .client
        .get(app.url("/offices/nj-xuanwu/calendar?month=2026-05"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("2026年5月"));
    assert!(cell(&html, 1).contains("tag holiday") && cell(&html, 5).contains("tag holiday"));
    assert!(cell(&html, 9).contains("tag work"), "{}", cell(&html, 9));
    assert!(cell(&html, 20).contains("tag special"));
    assert!(!cell(&html, 12).contains("tag "), "an ordinary Tuesday");
    assert!(cell(&html, 2).contains("不开放"));
    let unknown = app
        .client
        .get(app.url("/offices/nowhere/calendar"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert!(unknown.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}

#[tokio::test]
async fn a_full_slot_is_shown_full_and_cannot_be_chosen() {
    let app = spawn_app_with(|s| {
        s.booking.capacity = 1;
        s.booking.listing_cache_ms = 0;
    });
    let slot = app.first_slot("sz-gusu").await;
    let emails = fresh_emails();
    let booked = app
        .book_with("sz-gusu", &slot, nth_couple(7), [&emails[0], &emails[1]])
        .await;
    assert_eq!(booked.status(), 201);
    // `sz-gusu.20261203T0900` -> 2026-12-03
    let when = slot.rsplit_once('.').unwrap().1;
    let day = format!("{}-{}-{}", &when[..4], &when[4..6], &when[6..8]);
    let t = token(&app).await;
    let resp = post(
        &app,
        "/offices/sz-gusu/calendar",
        Some(&t),
        &[("day", &day)],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    let at = html
        .find(&format!("value=\"{slot}\""))
        .expect("the slot is listed");
    let input = &html[html[..at].rfind("<input").unwrap()..at + html[at..].find('>').unwrap()];
    assert!(input.contains("disabled"), "{input}");
    assert!(html[at..]
        .split("</label>")
        .next()
        .unwrap()
        .contains("已约满"));
}

#[tokio::test]
async fn a_place_picker_posts_for_its_next_choices_and_keeps_every_value() {
    let app = spawn_app().await;
    let t = token(&app).await;
    let slot = app.first_slot("nj-xuanwu").await;
    for (path, extra) in [
        ("/eligibility", vec![]),
        (
            "/book",
            vec![("office_id", "nj-xuanwu"), ("slot_id", slot.as_str())],
        ),
    ] {
        let mut form = vec![
            ("parties-0-id_number", "32010219900101017X"),
            ("parties-0-name", "王强"),
            ("parties-0-hukou_province", "32"),
            ("parties-1-hukou_province", "11"),
            ("parties-1-hukou_city", "1101"),
            ("action", "pick"),
        ];
        form.extend(extra);
        let resp = post(&app, path, Some(&t), &form).await;
        assert_eq!(resp.status(), 200, "{path}");
        let html = resp.text().await.unwrap();
        assert!(
            !html.contains("error-summary"),
            "{path}: choosing is not an error"
        );
        assert!(
            html.contains("<option value=\"3205\">苏州市</option>"),
            "{path}: 江苏's cities"
        );
        assert!(
            html.contains("<option value=\"110105\">朝阳区</option>"),
            "{path}: 北京's districts"
        );
        assert!(html.contains("value=\"32010219900101017X\"") && html.contains("value=\"王强\""));
    }
    // The script's source of the same lists.
    let cities: Vec<(String, String)> = app
        .client
        .get(app.url("/places/32"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(cities.iter().any(|(c, n)| c == "3205" && n == "苏州市"));
    let nothing: Vec<(String, String)> = app
        .client
        .get(app.url("/places/9x"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(nothing.is_empty());
}
