//! What the issue-visit page guarantees without a browser: its form is refused without its
//! token (nothing booked); a third person, even with the receipt's reference and one party's
//! ID number, learns nothing of the application and books nothing; the ID numbers travel only
//! in posted forms, never in an address the pages send or link to.

use serde_json::Value;

use crate::pages_couples_guards::{post, token};
use crate::pages_divorce::{receipt, visit_day, zh_day, OFFICE};
use crate::support::divorce::{clock_today, date, move_to, spawn_divorce_app};
use crate::support::divorce_visits::{book_divorce_visit, first_slot_between};
use crate::support::lib::schema;
use crate::support::{fresh_emails, nth_couple, nth_person, reference_and_token, Counter, TestApp};

/// A received application of couple `n`, the clock on its cooling-off's last day: its
/// reference, the parties' ID numbers and a slot inside its issue window.
async fn received(app: &TestApp, n: u32) -> (String, [String; 2], String, Value) {
    let desk = Counter::open(app, OFFICE).await;
    let number = desk.registered(n).await;
    let (man, woman) = (nth_person(n, true), nth_person(n, false));
    let today = clock_today(app);
    let slot = first_slot_between(app, OFFICE, today, today + chrono::Duration::days(20));
    let emails = fresh_emails();
    let resp =
        book_divorce_visit(app, OFFICE, &slot, nth_couple(n), [&emails[0], &emails[1]]).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    app.confirm_both([&emails[0], &emails[1]]).await;
    let visit = reference_and_token(&v).0.to_owned();
    move_to(app, visit_day(app, &visit));
    let resp = desk
        .receive_divorce(receipt(&man, &woman, &number, &visit))
        .await;
    assert_eq!(resp.status(), 201);
    let got: Value = resp.json().await.unwrap();
    move_to(app, date(&got, "cooling_off_ends"));
    let inside = first_slot_between(app, OFFICE, clock_today(app), date(&got, "issue_until"));
    let reference = got["reference"].as_str().unwrap().to_owned();
    (reference, [man, woman], inside, got)
}

/// How many issue visits are booked.
fn issue_visits(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    schema::appointments::table
        .filter(schema::appointments::service.eq("divorce_issue"))
        .count()
        .get_result(&mut app.connect())
        .unwrap()
}

fn form<'a>(
    reference: &'a str,
    ids: [&'a str; 2],
    slot: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("reference", reference),
        ("id_numbers-0", ids[0]),
        ("id_numbers-1", ids[1]),
    ];
    if let Some(s) = slot {
        f.push(("slot_id", s));
    }
    f
}

#[tokio::test]
async fn the_issue_visit_form_without_its_token_is_refused_and_books_nothing() {
    let app = spawn_divorce_app();
    let (reference, [man, woman], slot, _) = received(&app, 1).await;
    let resp = post(
        &app,
        "/divorce/issue-visit",
        None,
        &form(&reference, [&man, &woman], Some(&slot)),
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("表单已过期或来源不明"));
    assert_eq!(issue_visits(&app), 0, "nothing booked");
    // With the token, the same form books it: the refusal was the token's.
    let t = token(&app).await;
    let resp = post(
        &app,
        "/divorce/issue-visit",
        Some(&t),
        &form(&reference, [&man, &woman], Some(&slot)),
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(issue_visits(&app), 1);
}

#[tokio::test]
async fn a_third_person_cannot_see_or_book_the_issue_visit_of_another_couples_application() {
    let app = spawn_divorce_app();
    let (reference, [man, woman], slot, got) = received(&app, 2).await;
    let stranger = nth_person(9, false);
    let t = token(&app).await;
    let ends = zh_day(date(&got, "cooling_off_ends"));
    for ids in [[&man, &stranger], [&stranger, &woman]] {
        for slot in [None, Some(slot.as_str())] {
            let resp = post(
                &app,
                "/divorce/issue-visit",
                Some(&t),
                &form(&reference, [ids[0], ids[1]], slot),
            )
            .await;
            assert_eq!(resp.status(), 404);
            let html = resp.text().await.unwrap();
            assert!(html.contains("没有与该受理编号和身份证件号码相符的离婚登记申请"));
            assert!(
                !html.contains(&ends),
                "the window is not told to a stranger"
            );
            assert!(!html.contains("李娜"), "nor a party's name");
        }
    }
    assert_eq!(issue_visits(&app), 0, "nothing booked");
    // The two parties, in either order, see their window.
    let resp = post(
        &app,
        "/divorce/issue-visit",
        Some(&t),
        &form(&reference, [&woman, &man], None),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains(&ends));
}

/// Every address in `html` (links, forms, sources).
fn addresses(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "action=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    out
}

#[tokio::test]
async fn id_numbers_never_appear_in_an_address_of_the_divorce_pages() {
    let app = spawn_divorce_app();
    let (reference, [man, woman], slot, _) = received(&app, 3).await;
    let t = token(&app).await;
    let day = &slot.rsplit_once('.').unwrap().1[..8];
    let day = format!("{}-{}-{}", &day[..4], &day[4..6], &day[6..]);
    let mut pages = Vec::new();
    let mut f = form(&reference, [&man, &woman], None);
    pages.push(post(&app, "/divorce/issue-visit", Some(&t), &f).await);
    f.push(("day", &day));
    pages.push(post(&app, "/divorce/issue-visit", Some(&t), &f).await);
    let mut bad = form(&reference, [&man, &woman], None);
    bad[1].1 = &man[..17];
    pages.push(post(&app, "/divorce/issue-visit", Some(&t), &bad).await);
    pages.push(
        post(
            &app,
            "/divorce/issue-visit",
            Some(&t),
            &form(&reference, [&man, &woman], Some(&slot)),
        )
        .await,
    );
    let statuses: Vec<u16> = pages.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses, [200, 200, 400, 303]);
    for resp in pages {
        let location = resp
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        let html = resp.text().await.unwrap();
        for a in addresses(&html).into_iter().chain(location) {
            for id in [&man, &woman] {
                assert!(!a.contains(id.as_str()), "an ID number in the address {a}");
                assert!(!a.contains(&id[..17]), "a part of an ID number in {a}");
            }
        }
    }
}

#[tokio::test]
async fn the_periods_page_tells_a_bad_date_beside_its_field_and_needs_its_token() {
    let app = spawn_divorce_app();
    let resp = post(
        &app,
        "/divorce/periods",
        None,
        &[("received_on", "2026-03-02")],
    )
    .await;
    assert_eq!(resp.status(), 403);
    let t = token(&app).await;
    for (raw, status, needle) in [
        ("2026-02-30", 400, "请填写日期"),
        ("2020-12-31", 422, "received_on-error"),
        ("2026-03-02", 200, "2026年4月1日"),
    ] {
        let resp = post(&app, "/divorce/periods", Some(&t), &[("received_on", raw)]).await;
        assert_eq!(resp.status(), status, "{raw}");
        let html = resp.text().await.unwrap();
        assert!(html.contains(needle), "{raw}: {needle} in the page");
        assert!(html.contains(&format!("value=\"{raw}\"")), "{raw} kept");
    }
}
