//! The couples' pages in a real browser, on the engine the suite runs on, JavaScript on and
//! off: start -> eligibility (a refused case, then an eligible one) -> calendar -> book -> each
//! party confirms by the link mailed to them -> my appointment -> reschedule -> cancel, with
//! axe-core on every page of the JavaScript walk; and what the pages owe without a browser.

use std::time::Duration;

use fantoccini::Locator;

use crate::support::browser::{self, Browser};
use crate::support::fixtures::id_number;
use crate::support::{spawn_app, TestApp};

/// Waits (up to 10 s) until the page has an element at `css`.
pub(crate) async fn wait_for(b: &mut Browser, css: &str) {
    let found = b
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await;
    if found.is_err() {
        b.fail(&format!("nothing at {css}")).await;
    }
}

/// Chooses a place in the picker whose selects are `{base}_province`, `{base}_city` and
/// `county_id`: each level's choices come by script, or by "show the next choices".
pub(crate) async fn pick(b: &mut Browser, base: &str, county_id: &str, code: &str) {
    let (prov, city) = (format!("{base}_province"), format!("{base}_city"));
    b.select(&prov, &code[..2]).await;
    if !b.javascript {
        b.click(&format!("#{prov} ~ button.pick")).await;
    }
    wait_for(b, &format!("#{city} option[value='{}']", &code[..4])).await;
    b.select(&city, &code[..4]).await;
    if !b.javascript {
        b.click(&format!("#{city} ~ button.pick")).await;
    }
    wait_for(b, &format!("#{county_id} option[value='{code}']")).await;
    b.select(county_id, code).await;
}

/// Fills party `i` of the form on the page.
async fn fill_party(b: &mut Browser, i: usize, id: &str, name: &str, hukou: &str) {
    b.fill(&format!("parties-{i}-id_number"), id).await;
    b.fill(&format!("parties-{i}-name"), name).await;
    pick(
        b,
        &format!("parties-{i}-hukou"),
        &format!("parties-{i}-hukou_division_code"),
        hukou,
    )
    .await;
}

/// The bytes of the page at `path` with its CSS and JS.
async fn weight(app: &TestApp, html: &str) -> usize {
    let mut total = html.len();
    for attr in ["src=\"/assets/", "href=\"/assets/"] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len() - "/assets/".len()..];
            let end = rest.find('"').unwrap();
            let asset = app.client.get(app.url(&rest[..end])).send().await.unwrap();
            total += asset.bytes().await.unwrap().len();
            rest = &rest[end..];
        }
    }
    total
}

/// Fails unless the page's HTML, CSS and JS weigh under 100 KB; prints the weight.
pub(crate) async fn weigh(b: &mut Browser, app: &TestApp, page: &str) {
    let html = b.client.source().await.unwrap_or_default();
    let w = weight(app, &html).await;
    println!("page weight {page}: {w} bytes (HTML+CSS+JS)");
    if w >= 100 * 1024 {
        b.fail(&format!("{page} weighs {w} bytes")).await;
    }
}

async fn walk(app: &TestApp, javascript: bool) {
    let (mut b, _one) = browser::start("couples", javascript).await;
    let man = id_number("320102", "19900101", true);
    let woman = id_number("110101", "19920202", false);
    let girl = id_number("110101", "20150303", false);
    // Start -> eligibility.
    b.goto(&app.url("/")).await;
    click_to(
        &mut b,
        "a.button[href='/eligibility']",
        "查询能否在此登记结婚",
    )
    .await;
    b.axe("eligibility-form").await;
    weigh(&mut b, app, "/eligibility").await;
    // A mistyped ID number: the error beside its field, in the summary, the rest kept.
    fill_party(&mut b, 0, &man[..17], "王强", "320102").await;
    fill_party(&mut b, 1, &girl, "李娜", "110101").await;
    click_to(&mut b, "#check", "请更正以下问题").await;
    b.expect_text("身份证号码不正确").await;
    b.axe("eligibility-errors").await;
    let kept = b
        .client
        .find(Locator::Id("parties-1-name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("李娜"), "values are kept on an error");
    // A refused case: she is under the legal age.
    b.fill("parties-0-id_number", &man).await;
    click_to(&mut b, "#check", "暂时不能在此办理").await;
    b.axe("eligibility-refused").await;
    // The eligible case, sent with Enter in a field: the form's check, not a place picker's.
    b.fill("parties-1-id_number", &woman).await;
    let field = b
        .client
        .find(Locator::Id("parties-1-id_number"))
        .await
        .unwrap();
    field.send_keys("\u{E007}").await.unwrap();
    for _ in 0..100 {
        if b.text().await.contains("可以办理结婚登记") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.expect_text("可以办理结婚登记").await;
    b.expect_text("南京市玄武区民政局婚姻登记处").await;
    b.axe("eligibility-eligible").await;
    readme(&mut b, "couples-eligibility").await;
    // Calendar: the month, then a day's slots.
    click_to(&mut b, "button.choose-office", "选择预约时间").await;
    b.axe("calendar").await;
    weigh(&mut b, app, "/offices/{id}/calendar").await;
    readme(&mut b, "couples-calendar").await;
    b.click("table.month td button").await;
    wait_for(&mut b, "input[name=slot_id]").await;
    b.axe("calendar-day").await;
    b.click("input[name=slot_id]:not([disabled])").await;
    // Book: the parties came along in the form; one email for both is refused.
    click_to(&mut b, "#choose-slot", "填写预约信息").await;
    assert_eq!(value(&mut b, "parties-0-name").await, "王强");
    assert_eq!(value(&mut b, "parties-1-id_number").await, woman);
    let (his, hers) = (
        format!("wang{}@example.cn", u8::from(javascript)),
        format!("li{}@example.cn", u8::from(javascript)),
    );
    b.fill("contact-emails-0", &his).await;
    b.fill("contact-emails-1", &his.to_uppercase()).await;
    click_to(&mut b, "#review", "两个邮箱不能相同").await;
    b.axe("book-errors").await;
    weigh(&mut b, app, "/book").await;
    b.fill("contact-emails-1", &hers).await;
    click_to(&mut b, "#review", "核对预约信息").await;
    b.axe("review").await;
    weigh(&mut b, app, "/book (review)").await;
    click_to(&mut b, "#book", "预约已提交，等待双方确认").await;
    b.axe("booked").await;
    readme(&mut b, "couples-booked").await;
    weigh(&mut b, app, "/book (booked)").await;
    let reference = element_text(&mut b, "#reference").await;
    let token = element_text(&mut b, "#manage-token").await;
    // Each party confirms by the link mailed to them.
    for (i, email) in [&his, &hers].into_iter().enumerate() {
        let secret = app.confirmation_token(email).await;
        if javascript {
            // As from the mail, a fresh page (the same path with a new fragment would not load).
            b.goto("about:blank").await;
            b.goto(&app.url(&format!("/confirm#{secret}"))).await;
        } else {
            b.goto(&app.url("/confirm")).await;
            b.fill("token", &secret).await;
        }
        b.axe("confirm").await;
        weigh(&mut b, app, "/confirm").await;
        click_to(
            &mut b,
            "#confirm",
            if i == 0 {
                "第一方已确认"
            } else {
                "第二方已确认"
            },
        )
        .await;
        b.axe("confirmed").await;
    }
    b.expect_text("预约已生效").await;
    // My appointment, from the manage link (its fragment) or typed in.
    if javascript {
        b.goto(&app.url(&format!("/appointment#r={reference}&t={token}")))
            .await;
    } else {
        b.goto(&app.url("/appointment")).await;
        b.fill("reference", &reference).await;
        b.fill("token", &token).await;
    }
    b.axe("appointment-open").await;
    click_to(&mut b, "#open", "已预约").await;
    b.axe("appointment").await;
    weigh(&mut b, app, "/appointment").await;
    let before = element_text(&mut b, "#when").await;
    // Reschedule: another slot of the first day.
    click_to(&mut b, "#reschedule", "选择新的预约时间").await;
    b.click("table.month td button").await;
    wait_for(&mut b, "input[name=slot_id]").await;
    b.axe("reschedule").await;
    let free = b
        .client
        .find_all(Locator::Css("input[name=slot_id]:not([disabled])"))
        .await
        .unwrap();
    free.last().unwrap().click().await.unwrap();
    click_to(&mut b, "#choose-slot", "预约已改期").await;
    b.axe("rescheduled").await;
    assert_ne!(
        element_text(&mut b, "#when").await,
        before,
        "the time moved"
    );
    // Cancel, with a confirmation step.
    click_to(&mut b, "#cancel", "确定要取消这个预约吗").await;
    b.axe("cancel-question").await;
    click_to(&mut b, "#cancel-yes", "预约已取消，名额已释放").await;
    b.expect_text("已取消").await;
    b.axe("cancelled").await;
    // The English pages: the switch on a page only a form reaches starts that form again.
    click_to(
        &mut b,
        "nav a[hreflang=en]",
        "Enter the reference and the manage code",
    )
    .await;
    b.axe("appointment-en").await;
    b.goto(&app.url("/eligibility")).await;
    b.expect_text("Check whether you can marry here").await;
    b.axe("eligibility-en").await;
    b.goto(&app.url("/offices/nj-xuanwu/calendar")).await;
    b.expect_text("Choose a time").await;
    b.axe("calendar-en").await;
    b.goto(&app.url("/confirm")).await;
    b.expect_text("Confirm the registry booking").await;
    b.axe("confirm-en").await;
    b.close().await;
}

/// Clicks `css` and waits (up to 10 s) for the next page to show `needle`.
pub(crate) async fn click_to(b: &mut Browser, css: &str, needle: &str) {
    b.click(css).await;
    for _ in 0..100 {
        if b.text().await.contains(needle) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.fail(&format!("after {css}, the page does not show {needle:?}"))
        .await;
}

/// The value of the field `id`.
async fn value(b: &mut Browser, id: &str) -> String {
    let el = b.client.find(Locator::Id(id)).await.unwrap();
    el.prop("value").await.unwrap().unwrap_or_default()
}

/// The text of the element at `css`.
pub(crate) async fn element_text(b: &mut Browser, css: &str) -> String {
    match b.client.find(Locator::Css(css)).await {
        Ok(el) => el.text().await.unwrap_or_default().trim().to_owned(),
        Err(_) => b.fail(&format!("nothing at {css}")).await,
    }
}

/// With UPDATE_SCREENSHOTS=1 (and JavaScript on), copies this step's screenshot to
/// docs/screenshots/`name`.png for the README.
pub(crate) async fn readme(b: &mut Browser, name: &str) {
    if !b.javascript || std::env::var("UPDATE_SCREENSHOTS").is_err() {
        return;
    }
    let shot = b.snap(name).await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(shot, dir.join(format!("{name}.png"))).unwrap();
}

#[tokio::test]
async fn couples_walk_from_eligibility_to_a_cancelled_appointment_with_javascript() {
    if !browser::available() {
        return;
    }
    let app = spawn_app().await;
    walk(&app, true).await;
}

#[tokio::test]
async fn couples_walk_from_eligibility_to_a_cancelled_appointment_without_javascript() {
    if !browser::available() {
        return;
    }
    let app = spawn_app().await;
    walk(&app, false).await;
}
