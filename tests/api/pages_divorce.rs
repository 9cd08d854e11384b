//! The couples' divorce pages in a real browser, on the engine the suite runs on, JavaScript on
//! and off: start -> divorce eligibility (the answer and that day's divorce documents) ->
//! calendar -> book the application visit -> both confirm by their links; the registrar
//! receives it through the API and the instance's clock moves to the cooling-off's last day;
//! then the issue visit: the reference and both ID numbers, the dates of the window, only the
//! window's days choosable, a slot outside it refused in plain words, a slot inside booked and
//! confirmed. axe-core on every page of the JavaScript walk; no ID number in any address.

use serde_json::{json, Value};

use crate::pages_couples::{click_to, element_text, pick, wait_for};
use crate::support::browser::{self, Browser};
use crate::support::divorce::{clock_today, date, move_to, receive_body, spawn_divorce_app};
use crate::support::divorce_visits::nine_on;
use crate::support::lib::schema;
use crate::support::{eventually, nth_person, Counter, TestApp};

pub(crate) const OFFICE: &str = "sz-gusu";

/// Fills party `i` of the form on the page.
async fn fill_party(b: &mut Browser, i: usize, id: &str, name: &str) {
    b.fill(&format!("parties-{i}-id_number"), id).await;
    b.fill(&format!("parties-{i}-name"), name).await;
    pick(
        b,
        &format!("parties-{i}-hukou"),
        &format!("parties-{i}-hukou_division_code"),
        "320508",
    )
    .await;
}

/// Fails if the browser's address holds an ID number.
async fn no_id_in_url(b: &mut Browser, ids: &[&str]) {
    let url = b.client.current_url().await.unwrap().to_string();
    let upper = url.to_ascii_uppercase();
    if ids.iter().any(|id| upper.contains(id)) {
        b.fail(&format!("an ID number in the address {url}")).await;
    }
}

/// A date as the Chinese pages write it.
pub(crate) fn zh_day(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Opens the confirmation link mailed as `secret` and confirms.
async fn confirm(b: &mut Browser, app: &TestApp, secret: &str, needle: &str) {
    if b.javascript {
        b.goto("about:blank").await;
        b.goto(&app.url(&format!("/confirm#{secret}"))).await;
    } else {
        b.goto(&app.url("/confirm")).await;
        b.fill("token", secret).await;
    }
    b.axe("confirm").await;
    click_to(b, "#confirm", needle).await;
    b.axe("confirmed").await;
}

/// The receipt body of couple 1 from the application visit `visit`.
pub(crate) fn receipt(man: &str, woman: &str, number: &str, visit: &str) -> Value {
    let mut body = receive_body(
        &[(man, "王强", "320508"), (woman, "李娜", "320508")],
        number,
    );
    body["appointment_reference"] = json!(visit);
    body
}

/// The day of the appointment `reference`'s slot.
pub(crate) fn visit_day(app: &TestApp, reference: &str) -> chrono::NaiveDate {
    use diesel::prelude::*;
    let slot: Option<String> = schema::appointments::table
        .filter(schema::appointments::reference.eq(reference))
        .select(schema::appointments::slot_id)
        .first(&mut app.connect())
        .unwrap();
    let slot = slot.unwrap();
    let when = slot.rsplit_once('.').unwrap().1;
    chrono::NaiveDate::parse_from_str(&when[..8], "%Y%m%d").unwrap()
}

async fn walk(app: &TestApp, javascript: bool) {
    let desk = Counter::open(app, OFFICE).await;
    let number = desk.registered(1).await;
    let (man, woman) = (nth_person(1, true), nth_person(1, false));
    let ids = [man.as_str(), woman.as_str()];
    let (mut b, _one) = browser::start("divorce", javascript).await;
    // Start -> the divorce's eligibility.
    b.goto(&app.url("/")).await;
    b.axe("start").await;
    click_to(&mut b, "#divorce-start", "查询能否在此登记离婚").await;
    b.axe("divorce-eligibility-form").await;
    fill_party(&mut b, 0, &man, "王强").await;
    fill_party(&mut b, 1, &woman, "李娜").await;
    click_to(&mut b, "#check", "可以办理离婚登记").await;
    no_id_in_url(&mut b, &ids).await;
    // The documents of a divorce on that day, as the API's use case lists them.
    let today = clock_today(app);
    let api: Value = app
        .post_json(
            "/v1/eligibility",
            &json!({"service": "divorce", "date": today.to_string(), "office_id": OFFICE,
                    "parties": crate::support::nth_couple(1)}),
        )
        .await
        .json()
        .await
        .unwrap();
    let shown = element_text(&mut b, "#documents").await;
    for d in api["documents"].as_array().unwrap() {
        let zh = d["description"]
            .as_str()
            .unwrap()
            .split(" / ")
            .next()
            .unwrap();
        assert!(shown.contains(zh), "{zh:?} listed in {shown:?}");
    }
    // Since 2025-05-10 a divorcing couple brings no 户口簿.
    assert!(!shown.contains("户口簿"), "{shown}");
    b.axe("divorce-eligible").await;
    // The application visit: the same calendar, details, review and confirmation.
    let choose = format!("form[action='/offices/{OFFICE}/calendar'] button.choose-office");
    click_to(&mut b, &choose, "选择预约时间").await;
    b.axe("divorce-calendar").await;
    b.click("table.month td button").await;
    wait_for(&mut b, "input[name=slot_id]").await;
    b.click("input[name=slot_id]:not([disabled])").await;
    click_to(&mut b, "#choose-slot", "预约离婚登记申请").await;
    b.axe("divorce-book").await;
    let emails = [
        format!("wang{}@example.cn", u8::from(javascript)),
        format!("li{}@example.cn", u8::from(javascript)),
    ];
    b.fill("contact-emails-0", &emails[0]).await;
    b.fill("contact-emails-1", &emails[1]).await;
    click_to(&mut b, "#review", "核对预约信息").await;
    b.axe("divorce-review").await;
    click_to(&mut b, "#book", "预约已提交，等待双方确认").await;
    b.expect_text("离婚登记申请（受理）").await;
    b.axe("divorce-booked").await;
    no_id_in_url(&mut b, &ids).await;
    let visit = element_text(&mut b, "#reference").await;
    for (i, email) in emails.iter().enumerate() {
        let secret = app.confirmation_token(email).await;
        let needle = if i == 0 {
            "第一方已确认"
        } else {
            "第二方已确认"
        };
        confirm(&mut b, app, &secret, needle).await;
    }
    b.expect_text("预约已生效").await;
    // The registrar receives it on the visit's day; the clock moves to the cooling-off's end.
    let day = visit_day(app, &visit);
    move_to(app, day);
    let resp = desk
        .receive_divorce(receipt(&man, &woman, &number, &visit))
        .await;
    assert_eq!(resp.status(), 201);
    let received: Value = resp.json().await.unwrap();
    let reference = received["reference"].as_str().unwrap().to_owned();
    let (ends, from, until) = (
        date(&received, "cooling_off_ends"),
        date(&received, "issue_from"),
        date(&received, "issue_until"),
    );
    move_to(app, ends);
    // The calculator tells the same dates for the day of receipt.
    b.goto(&app.url("/")).await;
    click_to(&mut b, "#periods-link", "离婚冷静期计算").await;
    b.fill("received_on", "2026-02-30").await;
    click_to(&mut b, "#calculate", "请填写日期").await;
    b.axe("periods-error").await;
    b.fill("received_on", received["received_on"].as_str().unwrap())
        .await;
    click_to(&mut b, "#calculate", "冷静期届满").await;
    let periods = element_text(&mut b, "#periods").await;
    for d in [ends, from, until] {
        assert!(periods.contains(&zh_day(d)), "{d} in {periods:?}");
    }
    b.axe("periods").await;
    // The issue visit: the proof, typed; a mistyped ID number is told beside its field.
    b.goto(&app.url("/")).await;
    click_to(&mut b, "#issue-visit-link", "预约领取离婚证").await;
    b.axe("issue-proof").await;
    b.fill("reference", &reference).await;
    b.fill("id_numbers-0", &woman[..17]).await;
    b.fill("id_numbers-1", &man).await;
    click_to(&mut b, "#find", "请更正以下问题").await;
    b.axe("issue-proof-error").await;
    b.fill("id_numbers-0", &woman).await;
    click_to(&mut b, "#find", "冷静期届满").await;
    no_id_in_url(&mut b, &ids).await;
    let window = element_text(&mut b, "#window").await;
    for d in [ends, from, until] {
        assert!(window.contains(&zh_day(d)), "{d} shown in {window:?}");
    }
    b.axe("issue-calendar").await;
    super::pages_couples::readme(&mut b, "couples-divorce-issue").await;
    // Only the window's days can be chosen.
    for cell in b
        .client
        .find_all(fantoccini::Locator::Css("table.month td button[name=day]"))
        .await
        .unwrap()
    {
        let d: chrono::NaiveDate = cell.attr("value").await.unwrap().unwrap().parse().unwrap();
        assert!(
            from <= d && d <= until,
            "{d} is choosable outside {from}..{until}"
        );
    }
    b.click("table.month td button").await;
    wait_for(&mut b, "input[name=slot_id]").await;
    b.axe("issue-day").await;
    if javascript {
        // A stale or forged form: a slot the day after the window closes.
        let outside = nine_on(OFFICE, until + chrono::Duration::days(1));
        b.client
            .execute(
                "document.querySelector('input[name=slot_id]:not([disabled])').value = arguments[0];",
                vec![json!(outside)],
            )
            .await
            .unwrap();
        b.click("input[name=slot_id]:not([disabled])").await;
        click_to(&mut b, "#choose-slot", "申请发给离婚证须在").await;
        b.axe("issue-outside").await;
        b.click("table.month td button").await;
        wait_for(&mut b, "input[name=slot_id]").await;
    }
    b.click("input[name=slot_id]:not([disabled])").await;
    click_to(&mut b, "#choose-slot", "预约已提交，等待双方确认").await;
    b.expect_text("申请发给离婚证").await;
    b.axe("issue-booked").await;
    no_id_in_url(&mut b, &ids).await;
    // Each confirms through the contact confirmed for the application visit.
    for (i, email) in emails.iter().enumerate() {
        eventually("the issue visit's link", || {
            app.confirmation_tokens(email).len() == 2
        })
        .await;
        let secret = app.confirmation_tokens(email).pop().unwrap();
        let needle = if i == 0 {
            "第一方已确认"
        } else {
            "第二方已确认"
        };
        confirm(&mut b, app, &secret, needle).await;
    }
    b.expect_text("预约已生效").await;
    // The English pages.
    b.goto(&app.url("/divorce/issue-visit")).await;
    click_to(
        &mut b,
        "nav a[hreflang=en]",
        "Book the divorce certificate visit",
    )
    .await;
    b.axe("issue-proof-en").await;
    b.goto(&app.url("/eligibility?service=divorce")).await;
    b.expect_text("Check whether you can divorce here").await;
    b.axe("divorce-eligibility-en").await;
    b.goto(&app.url("/divorce/periods")).await;
    click_to(&mut b, "#calculate", "Cooling-off ends").await;
    b.axe("periods-en").await;
    b.close().await;
}

#[tokio::test]
async fn divorce_walk_from_eligibility_to_a_booked_issue_visit_with_javascript() {
    if !browser::available() {
        return;
    }
    let app = spawn_divorce_app();
    walk(&app, true).await;
}

#[tokio::test]
async fn divorce_walk_from_eligibility_to_a_booked_issue_visit_without_javascript() {
    if !browser::available() {
        return;
    }
    let app = spawn_divorce_app();
    walk(&app, false).await;
}
