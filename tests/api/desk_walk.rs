//! The registrar's desk in a real browser: a registrar signs in, takes a walk-in, runs the
//! household checks (both parties in this region's register), records both declarations,
//! registers and prints the certificate's inner page; a refusal prints its notice; a registrar
//! cannot open the supervisor's page. axe-core checks every page; the printables are rendered
//! to PDF by the browser's print and their text read back (`pdftotext`, poppler-utils).

use std::path::Path;

use fantoccini::wd::PrintConfiguration;

use crate::support::browser::{self, Browser};
use crate::support::{add_residents, nth_person, spawn_app, TestApp};

/// Whether `pdftotext` (poppler-utils) is here; a walk without it skips, unless
/// REQUIRE_BROWSER_TEST is set, which fails it.
fn pdftotext_available() -> bool {
    let ok = Path::new("/usr/bin/pdftotext").is_file();
    if !ok {
        assert!(
            std::env::var("REQUIRE_BROWSER_TEST").is_err(),
            "REQUIRE_BROWSER_TEST is set but pdftotext is missing (apt-get install poppler-utils)"
        );
        eprintln!("skipped: no pdftotext (apt-get install poppler-utils)");
    }
    ok
}

/// The text of a PDF, through `pdftotext` (poppler-utils).
fn pdf_text(pdf: &[u8], name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser/desk-pdf");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext runs (apt-get install poppler-utils)");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        file.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Prints the page to A4 PDF through WebDriver and returns its text.
async fn print(b: &mut Browser, name: &str) -> String {
    let pdf = match b.client.print(PrintConfiguration::default()).await {
        Ok(pdf) => pdf,
        Err(e) => b.fail(&format!("print failed: {e}")).await,
    };
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    pdf_text(&pdf, name)
}

/// Clicks `css` (a button or link that loads a page) and waits until the old page is gone,
/// so that what follows reads the new one.
async fn press(b: &mut Browser, css: &str) {
    let old = match b.client.find(fantoccini::Locator::Css("html")).await {
        Ok(el) => el,
        Err(_) => b.fail("no page to leave").await,
    };
    b.click(css).await;
    for _ in 0..400 {
        if old.tag_name().await.is_err() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    b.fail(&format!("clicking {css} loaded no new page")).await;
}

/// Keeps a step's screenshot for the README when UPDATE_SCREENSHOTS is set.
async fn keep(b: &mut Browser, label: &str) {
    let shot = b.snap(label).await;
    if std::env::var("UPDATE_SCREENSHOTS").is_ok() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&shot, dir.join(format!("desk-{label}.png"))).unwrap();
    }
}

/// Fills the walk-in form with couple `n` and sends it.
async fn walk_in(b: &mut Browser, app: &TestApp, n: u32) {
    b.goto(&app.url("/desk/walk-in")).await;
    b.fill("parties-0-name", "王强").await;
    b.fill("parties-0-id_number", &nth_person(n, true)).await;
    b.fill("parties-0-hukou_division_code", "320508").await;
    b.fill("parties-1-name", "李娜").await;
    b.fill("parties-1-id_number", &nth_person(n, false)).await;
    b.fill("parties-1-hukou_division_code", "320508").await;
    press(b, "form[action='/desk/walk-in'] button[type=submit]").await;
    b.expect_text("已受理现场申请").await;
}

#[tokio::test]
async fn desk_walk_a_registrar_registers_a_walk_in_prints_and_refuses() {
    if !browser::available() || !pdftotext_available() {
        return;
    }
    let app = spawn_app().await;
    app.add_staff("sz-gusu", "registrar", "desk.walk", "desk-password-1");
    for n in [51, 52] {
        add_residents(
            &app,
            &[
                (&nth_person(n, true), "王强", "unmarried"),
                (&nth_person(n, false), "李娜", "unmarried"),
            ],
        );
    }
    let (mut b, _one) = browser::start("desk", true).await;

    // Sign-in: the queue sends there first.
    b.goto(&app.url("/desk/queue")).await;
    b.expect_text("婚姻登记员登录").await;
    b.axe("sign-in").await;
    b.fill("username", "desk.walk").await;
    b.fill("password", "wrong-password").await;
    press(&mut b, "form[action='/desk/sign-in'] button").await;
    b.expect_text("用户名或密码错误").await;
    b.axe("sign-in-error").await;
    b.fill("password", "desk-password-1").await;
    press(&mut b, "form[action='/desk/sign-in'] button").await;
    b.expect_text("今日队列").await;
    b.axe("queue-empty").await;

    // A walk-in, its checks, both declarations, the registration.
    walk_in(&mut b, &app, 51).await;
    b.expect_text(&nth_person(51, true)).await;
    keep(&mut b, "application").await;
    b.axe("application").await;
    press(&mut b, "#checks").await;
    b.expect_text("户籍核查已完成").await;
    b.expect_text("双方核查均已通过").await;
    b.axe("checked").await;
    for p in 0..2 {
        for suffix in ["", "-kin", "-free"] {
            b.click(&format!("#decl-{p}{suffix}")).await;
        }
        press(&mut b, &format!("form[action$='/declaration-{p}'] button")).await;
    }
    b.expect_text("已记录第二方当事人的声明").await;
    b.axe("declared").await;
    // Forgetting to tick that both are present: the reason beside the box.
    press(&mut b, "#register").await;
    b.expect_text("双方亲自到场").await;
    b.axe("register-error").await;
    b.click("#register-present").await;
    press(&mut b, "#register").await;
    b.expect_text("登记完成").await;
    let number = match b
        .client
        .find(fantoccini::Locator::Css(".certificate-number"))
        .await
    {
        Ok(el) => el.text().await.unwrap(),
        Err(_) => b.fail("no certificate number on the page").await,
    };
    assert!(number.starts_with("J320508-"), "{number}");
    keep(&mut b, "registered").await;
    b.axe("registered").await;
    press(&mut b, "a[href$='/certificate']").await;
    b.expect_text(&number).await;
    b.expect_text("苏州市姑苏区民政局婚姻登记处").await;
    keep(&mut b, "certificate").await;
    b.axe("certificate").await;
    let text = print(&mut b, "certificate").await;
    for field in [
        number.as_str(),
        "王强",
        "李娜",
        &nth_person(51, true),
        "1990-",
    ] {
        assert!(
            text.contains(field),
            "the certificate's PDF lacks {field}:\n{text}"
        );
    }
    assert!(
        !text.contains("退出登录"),
        "the PDF carries the page's navigation"
    );

    // The queue shows both, masked.
    b.goto(&app.url("/desk/queue")).await;
    b.expect_text("王*").await;
    let queue = b.text().await;
    assert!(
        !queue.contains(&nth_person(51, true)),
        "the queue shows a full ID number"
    );
    keep(&mut b, "queue").await;
    b.axe("queue").await;

    // A refusal: the reason is required, then the notice prints.
    walk_in(&mut b, &app, 52).await;
    press(&mut b, "form[action$='/refusal'] button").await;
    b.expect_text("请选择不予登记的理由").await;
    b.axe("refusal-error").await;
    b.select("refusal-reason_code", "documents_inconsistent")
        .await;
    b.fill("refusal-note", "女方户口簿与身份证信息不一致").await;
    press(&mut b, "form[action$='/refusal'] button").await;
    b.expect_text("已作出不予登记决定").await;
    press(&mut b, "a[href$='/refusal-notice']").await;
    b.expect_text("不予办理结婚登记通知单").await;
    keep(&mut b, "refusal-notice").await;
    b.axe("refusal-notice").await;
    let text = print(&mut b, "refusal-notice").await;
    for field in [
        "不予办理结婚登记通知单",
        "婚姻登记条例",
        "女方户口簿与身份证信息不一致",
    ] {
        assert!(
            text.contains(field),
            "the notice's PDF lacks {field}:\n{text}"
        );
    }

    // A registrar is no supervisor.
    b.goto(&app.url("/desk/staff")).await;
    b.expect_text("此操作需要角色").await;
    b.axe("staff-forbidden").await;

    // Signing out.
    b.goto(&app.url("/desk/queue")).await;
    press(&mut b, "form[action='/desk/sign-out'] button").await;
    b.expect_text("您已退出登录").await;
    b.goto(&app.url("/desk/queue")).await;
    b.expect_text("婚姻登记员登录").await;
    b.close().await;
}

#[tokio::test]
async fn desk_walk_a_supervisor_edits_the_week_and_manages_staff() {
    if !browser::available() {
        return;
    }
    let app = spawn_app().await;
    app.add_staff("sz-gusu", "supervisor", "desk.boss", "desk-password-1");
    let (mut b, _one) = browser::start("desk-supervisor", true).await;
    b.goto(&app.url("/desk/sign-in")).await;
    b.fill("username", "desk.boss").await;
    b.fill("password", "desk-password-1").await;
    press(&mut b, "form[action='/desk/sign-in'] button").await;

    // The week: a period that ends before it starts is refused beside its field, kept as typed.
    press(&mut b, "nav a[href='/desk/schedule']").await;
    b.expect_text("现行规则").await;
    b.axe("week").await;
    for day in ["sat", "sun"] {
        let ticked = b
            .client
            .find(fantoccini::Locator::Id(&format!("day-{day}")))
            .await
            .unwrap()
            .is_selected()
            .await
            .unwrap();
        if ticked {
            b.click(&format!("#day-{day}")).await;
        }
    }
    b.fill("period0", "09:00-12:00").await;
    b.fill("period1", "17:00-13:00").await;
    b.fill("period2", "").await;
    b.fill("slot_minutes", "30").await;
    b.fill("capacity", "8").await;
    press(&mut b, "#save-week").await;
    b.expect_text("出现问题").await;
    let kept = b
        .client
        .find(fantoccini::Locator::Id("period1"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("17:00-13:00"));
    if b.client
        .find(fantoccini::Locator::Id("period1-error"))
        .await
        .is_err()
    {
        b.fail("no error beside the second period").await;
    }
    b.axe("week-error").await;
    b.fill("period1", "13:00-17:00").await;
    press(&mut b, "#save-week").await;
    b.expect_text("已保存").await;
    keep(&mut b, "week").await;
    b.axe("week-saved").await;
    let supervisor = app.supervisor("sz-gusu").await;
    let rule: serde_json::Value = app
        .get_authed("/v1/registrar/offices/sz-gusu/schedule", &supervisor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        rule["weekdays"],
        serde_json::json!(["mon", "tue", "wed", "thu", "fri"])
    );
    assert_eq!(
        rule["periods"],
        serde_json::json!(["09:00-12:00", "13:00-17:00"])
    );
    assert_eq!(rule["capacity"], 8);

    // Staff: a new registrar, disabled, enabled again, a new password.
    press(&mut b, "nav a[href='/desk/staff']").await;
    b.axe("staff").await;
    b.fill("new-username", "new.registrar").await;
    b.fill("new-display_name", "王登记").await;
    b.select("new-role", "registrar").await;
    b.fill("new-password", "short").await;
    press(&mut b, "#create").await;
    b.expect_text("出现问题").await;
    b.axe("staff-error").await;
    b.fill("new-password", "first-password-1").await;
    press(&mut b, "#create").await;
    b.expect_text("账号已创建").await;
    b.expect_text("new.registrar").await;
    press(&mut b, "#disable-new\\.registrar").await;
    b.expect_text("账号已停用").await;
    let refused = app.post_sign_in("new.registrar", "first-password-1").await;
    assert_eq!(refused.status(), 401);
    press(&mut b, "#enable-new\\.registrar").await;
    b.expect_text("账号已启用").await;
    let id = b
        .client
        .find(fantoccini::Locator::Css(
            "#reset-account option:nth-child(2)",
        ))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    b.select("reset-account", &id).await;
    b.fill("reset-password", "second-password-2").await;
    press(&mut b, "#reset").await;
    b.expect_text("密码已重置").await;
    keep(&mut b, "staff").await;
    b.axe("staff-reset").await;
    assert_eq!(
        app.post_sign_in("new.registrar", "first-password-1")
            .await
            .status(),
        401
    );
    assert_eq!(
        app.post_sign_in("new.registrar", "second-password-2")
            .await
            .status(),
        201
    );
    b.close().await;
}

#[tokio::test]
async fn desk_walk_an_auditor_finds_the_reads_pages_on_and_downloads_the_csv() {
    if !browser::available() {
        return;
    }
    let app = spawn_app().await;
    let counter = crate::support::Counter::open(&app, "sz-gusu").await;
    let number = counter.registered(53).await;
    assert!(number.starts_with('J'));
    let reference = {
        let today = crate::support::today();
        let q: serde_json::Value = counter
            .get(&format!("/v1/registrar/offices/sz-gusu/queue?date={today}"))
            .await
            .json()
            .await
            .unwrap();
        q["applications"][0]["reference"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // Enough reads of the couple's application for two pages.
    for _ in 0..22 {
        assert_eq!(counter.get_application(&reference).await.status(), 200);
    }
    app.add_staff("sz-gusu", "auditor", "desk.audit", "desk-password-1");
    let (mut b, _one) = browser::start("desk-auditor", true).await;
    b.goto(&app.url("/desk/sign-in")).await;
    b.fill("username", "desk.audit").await;
    b.fill("password", "desk-password-1").await;
    press(&mut b, "form[action='/desk/sign-in'] button").await;
    b.expect_text("本登记处审计记录").await;
    b.axe("audit").await;
    b.fill("id_number", &nth_person(53, false)).await;
    press(&mut b, "#search").await;
    b.expect_text("application.read").await;
    let first = b.text().await;
    assert_eq!(
        first.matches("application.read").count(),
        20,
        "one full page"
    );
    keep(&mut b, "audit").await;
    b.axe("audit-results").await;
    press(&mut b, "#next-page").await;
    let second = b.text().await;
    assert!(
        second.contains("registration.registered"),
        "the older page: {second}"
    );
    assert!(
        b.client
            .find(fantoccini::Locator::Id("next-page"))
            .await
            .is_err(),
        "the last page offers no next one"
    );
    b.axe("audit-page-2").await;
    // The ID number never went into a URL.
    let url = b.client.current_url().await.unwrap();
    assert!(!url.as_str().contains(&nth_person(53, false)), "{url}");

    press(&mut b, "nav a[href='/desk/statistics']").await;
    b.expect_text("每日登记数").await;
    let loaded = b
        .client
        .execute(
            "return document.querySelector('img.chart').naturalWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert!(loaded.as_u64().unwrap_or(0) > 0, "the chart did not load");
    keep(&mut b, "statistics").await;
    b.axe("statistics").await;
    let href = b
        .client
        .find(fantoccini::Locator::Css("a[href^='/desk/statistics.csv']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let session = b.cookie("hunyin_desk").await.expect("the desk session");
    let csv = app
        .client
        .get(app.url(&href))
        .header("cookie", format!("hunyin_desk={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = csv.text().await.unwrap();
    assert!(body.contains("合计") && body.contains("sz-gusu"), "{body}");
    b.close().await;
}
