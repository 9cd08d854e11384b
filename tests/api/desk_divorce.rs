//! The divorce screens of the desk in a real browser, on both engines: a registrar receives the
//! divorce of a couple married in this instance's records and prints the receipt with its dates;
//! a second application is withdrawn and its confirmation prints; a third is refused and its
//! notice prints; the clock moves into the first one's issue window and the registrar issues:
//! the 离婚证 inner page prints the L number. axe-core checks every page; each printable is
//! rendered to PDF by the browser's print and read back with pdftotext.

use chrono::NaiveDate;

use crate::desk_walk::{pdftotext_available, print};
use crate::support::browser::{self, Browser};
use crate::support::desk::{keep, press};
use crate::support::divorce::{move_to, spawn_divorce_app};
use crate::support::{nth_person, Counter, TestApp};

const OFFICE: &str = "sz-gusu";

fn zh_date(d: NaiveDate) -> String {
    d.format("%Y年%m月%d日").to_string()
}

/// Fills the 受理 form with couple `n` married under `number` and sends it: the reference.
async fn receive(b: &mut Browser, app: &TestApp, n: u32, number: &str, label: &str) -> String {
    b.goto(&app.url("/desk/divorces/new")).await;
    b.fill("parties-0-name", "王强").await;
    b.fill("parties-0-id_number", &nth_person(n, true)).await;
    b.fill("parties-0-hukou_division_code", "320508").await;
    b.fill("parties-1-name", "李娜").await;
    b.fill("parties-1-id_number", &nth_person(n, false)).await;
    b.fill("parties-1-hukou_division_code", "320508").await;
    b.fill("marriage_certificate", number).await;
    b.fill(
        "agreement-children",
        "婚生子王小明由女方抚养，男方每月支付抚养费二千元。",
    )
    .await;
    b.fill(
        "agreement-property",
        "共有住房归女方所有，女方补偿男方三十万元。",
    )
    .await;
    b.fill("agreement-debts", "无共同债务。").await;
    b.click("#both-present").await;
    if label == "first" {
        // Not confirmed complete: the reason in place, everything typed kept.
        press(b, "#receive").await;
        b.expect_text("出现问题").await;
        b.expect_text("共有住房归女方所有").await;
        keep(b, "divorce-receive-error").await;
        b.axe("divorce-receive-error").await;
    }
    b.click("#confirm").await;
    press(b, "#receive").await;
    b.expect_text("已受理。冷静期至").await;
    let url = b.client.current_url().await.unwrap();
    let path = url.path().to_owned();
    path.strip_prefix("/desk/divorces/").unwrap().to_owned()
}

/// The text of the element `css`.
async fn text_of(b: &mut Browser, css: &str) -> String {
    match b.client.find(fantoccini::Locator::Css(css)).await {
        Ok(el) => el.text().await.unwrap(),
        Err(_) => b.fail(&format!("nothing at {css}")).await,
    }
}

/// Each of `fields` in the PDF's text (its lines joined: pdftotext wraps long ones).
fn assert_all(text: &str, fields: &[&str], what: &str) {
    let joined: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for f in fields {
        assert!(joined.contains(f), "the {what}'s PDF lacks {f}:\n{text}");
    }
}

#[tokio::test]
async fn desk_divorce_walk_receive_print_withdraw_refuse_then_issue_in_the_window() {
    if !browser::available() || !pdftotext_available() {
        return;
    }
    let app = spawn_divorce_app();
    let counter = Counter::open(&app, OFFICE).await;
    let mut numbers = Vec::new();
    for n in [71, 72, 73] {
        numbers.push(counter.registered(n).await);
    }
    app.add_staff(OFFICE, "registrar", "desk.divorce", "desk-password-1");
    let (mut b, _one) = browser::start("desk-divorce", true).await;
    b.goto(&app.url("/desk/sign-in")).await;
    b.fill("username", "desk.divorce").await;
    b.fill("password", "desk-password-1").await;
    press(&mut b, "form[action='/desk/sign-in'] button").await;
    b.expect_text("今日队列").await;

    // 受理 (from the desk's navigation), and the receipt with the calculator's dates.
    press(&mut b, "nav a[href='/desk/divorces/new']").await;
    b.expect_text("受理离婚登记申请").await;
    b.axe("divorce-receive").await;
    let first = receive(&mut b, &app, 71, &numbers[0], "first").await;
    keep(&mut b, "divorce-received").await;
    b.axe("divorce-received").await;
    let v = counter.divorce(&first).await;
    let day = |f: &str| -> NaiveDate { v[f].as_str().unwrap().parse().unwrap() };
    b.expect_text(&day("cooling_off_ends").to_string()).await;
    b.expect_text(&nth_person(71, true)).await;
    b.expect_text("本地户籍登记").await;
    press(&mut b, "a[href$='/receipt']").await;
    b.expect_text("离婚登记申请受理回执单").await;
    keep(&mut b, "divorce-receipt").await;
    b.axe("divorce-receipt").await;
    let text = print(&mut b, "divorce-receipt").await;
    let (ends, from, until) = (
        zh_date(day("cooling_off_ends")),
        zh_date(day("issue_from")),
        zh_date(day("issue_until")),
    );
    let fields = [
        "离婚登记申请受理回执单",
        first.as_str(),
        &ends,
        &from,
        &until,
    ];
    assert_all(&text, &fields, "receipt");
    assert!(!text.contains("退出登录"), "the PDF carries the navigation");

    // A second application, withdrawn by the second party, and its confirmation.
    let second = receive(&mut b, &app, 72, &numbers[1], "second").await;
    b.select("withdraw-party", "1").await;
    press(&mut b, "#withdraw").await;
    b.expect_text("已撤回").await;
    b.axe("divorce-withdrawn").await;
    press(&mut b, "a[href$='/withdrawal']").await;
    b.expect_text("撤回离婚登记申请确认单").await;
    b.axe("divorce-withdrawal").await;
    let text = print(&mut b, "divorce-withdrawal").await;
    assert_all(
        &text,
        &["撤回离婚登记申请确认单", &second, "李娜"],
        "confirmation",
    );

    // A third, refused: the reason first, then the notice.
    let third = receive(&mut b, &app, 73, &numbers[2], "third").await;
    press(&mut b, "#refuse").await;
    b.expect_text("出现问题").await;
    b.axe("divorce-refusal-error").await;
    b.select("refusal-reason_code", "lacks_capacity").await;
    b.fill("refusal-note", "男方持法院宣告限制民事行为能力的判决书")
        .await;
    press(&mut b, "#refuse").await;
    b.expect_text("已作出不予办理决定").await;
    press(&mut b, "a[href$='/refusal-notice']").await;
    b.expect_text("不予办理离婚登记通知单").await;
    keep(&mut b, "divorce-refusal-notice").await;
    b.axe("divorce-refusal-notice").await;
    let text = print(&mut b, "divorce-refusal-notice").await;
    let fields = [
        "不予办理离婚登记通知单",
        &third,
        "男方持法院宣告限制民事行为能力的判决书",
    ];
    assert_all(&text, &fields, "notice");

    // Into the issue window: the registrar issues with both present.
    move_to(&app, day("issue_from"));
    b.goto(&app.url(&format!("/desk/divorces/{first}"))).await;
    assert!(
        !b.text().await.contains("撤回离婚登记申请"),
        "no withdrawal now"
    );
    b.axe("divorce-window").await;
    press(&mut b, "#issue").await;
    b.expect_text("出现问题").await;
    b.axe("divorce-issue-error").await;
    b.click("#issue-present").await;
    press(&mut b, "#issue").await;
    b.expect_text("已登记发证").await;
    let number = text_of(&mut b, ".certificate-number").await;
    assert!(number.starts_with("L320508-"), "{number}");
    keep(&mut b, "divorce-issued").await;
    b.axe("divorce-issued").await;
    press(&mut b, "a[href$='/certificate']").await;
    b.expect_text(&number).await;
    keep(&mut b, "divorce-certificate").await;
    b.axe("divorce-certificate").await;
    let text = print(&mut b, "divorce-certificate").await;
    let fields = [
        number.as_str(),
        "离婚证",
        "王强",
        "李娜",
        &nth_person(71, true),
        &nth_person(71, false),
        &day("issue_from").to_string(),
        "苏州市姑苏区民政局婚姻登记处",
    ];
    assert_all(&text, &fields, "certificate");
    b.close().await;
}
