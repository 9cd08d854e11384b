//! The registrar's desk in a real browser: a registrar signs in, takes a walk-in, runs the
//! household checks (both parties in this region's register), records both declarations,
//! registers and prints the certificate's inner page; a refusal prints its notice; a registrar
//! cannot open the supervisor's page. axe-core checks every page; the printables are rendered
//! to PDF by the browser's print and their text read back (`pdftotext`, poppler-utils).

use std::path::Path;

use fantoccini::wd::PrintConfiguration;

use crate::support::browser::{self, Browser};
use fantoccini::key::Key;

use crate::support::desk::{focused, keep, keys, keys_to_next_page, press};
use crate::support::{add_residents, nth_person, spawn_app, TestApp};

/// Whether `pdftotext` (poppler-utils) is here; a walk without it skips, unless
/// REQUIRE_BROWSER_TEST is set, which fails it.
pub(crate) fn pdftotext_available() -> bool {
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
pub(crate) async fn print(b: &mut Browser, name: &str) -> String {
    let pdf = match b.client.print(PrintConfiguration::default()).await {
        Ok(pdf) => pdf,
        Err(e) => b.fail(&format!("print failed: {e}")).await,
    };
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    pdf_text(&pdf, name)
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
    for n in [51, 52, 54, 55] {
        add_residents(
            &app,
            &[
                (&nth_person(n, true), "王强", "unmarried"),
                (&nth_person(n, false), "李娜", "unmarried"),
            ],
        );
    }
    // With JavaScript on (axe-core checks each page), then off.
    registrar_walk(&app, true, 51, 52).await;
    registrar_walk(&app, false, 54, 55).await;
}

/// The registrar's walk: couple `ok` registered, couple `refused` refused.
async fn registrar_walk(app: &TestApp, javascript: bool, ok: u32, refused: u32) {
    let (mut b, _one) = browser::start("desk", javascript).await;

    // Sign-in: the queue sends there first.
    b.goto(&app.url("/desk/queue")).await;
    b.expect_text("婚姻登记员登录").await;
    b.axe("sign-in").await;
    b.fill("username", "desk.walk").await;
    b.fill("password", "wrong-password").await;
    press(&mut b, "form[action='/desk/sign-in'] button").await;
    b.expect_text("用户名或密码错误").await;
    b.axe("sign-in-error").await;
    // The keyboard alone: from the username, Tab to the password, Enter to sign in.
    b.fill("username", "desk.walk").await;
    keys(&mut b, &Key::Tab.to_string()).await;
    assert_eq!(focused(&mut b).await, "password", "Tab from the username");
    keys(&mut b, "desk-password-1").await;
    keys_to_next_page(&mut b, &Key::Enter.to_string()).await;
    b.expect_text("今日队列").await;
    b.axe("queue-empty").await;

    // A walk-in, its checks, both declarations, the registration.
    walk_in(&mut b, app, ok).await;
    b.expect_text(&nth_person(ok, true)).await;
    keep(&mut b, "application").await;
    b.axe("application").await;
    press(&mut b, "#checks").await;
    b.expect_text("户籍核查已完成").await;
    b.expect_text("双方核查均已通过").await;
    b.axe("checked").await;
    // The first declaration by keyboard only: the three boxes and the button in tab order.
    b.client
        .execute("document.getElementById('decl-0').focus();", vec![])
        .await
        .unwrap();
    for next in ["decl-0-kin", "decl-0-free", ""] {
        keys(&mut b, " ").await;
        keys(&mut b, &Key::Tab.to_string()).await;
        if !next.is_empty() {
            assert_eq!(
                focused(&mut b).await,
                next,
                "the tab order of the declaration"
            );
        }
    }
    keys_to_next_page(&mut b, &Key::Enter.to_string()).await;
    b.expect_text("已记录第一方当事人的声明").await;
    for suffix in ["", "-kin", "-free"] {
        b.click(&format!("#decl-1{suffix}")).await;
    }
    press(&mut b, "form[action$='/declaration-1'] button").await;
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
    // The same screen in English, and back.
    press(&mut b, "nav a[hreflang=en]").await;
    b.expect_text("Certificate number").await;
    b.axe("registered-en").await;
    press(&mut b, "nav a[hreflang=zh-CN]").await;
    b.expect_text("结婚证字号").await;
    press(&mut b, "a[href$='/review-form']").await;
    b.expect_text("结婚登记审查处理表").await;
    b.axe("review-form").await;
    let text = print(&mut b, "review-form").await;
    for field in [
        "结婚登记审查处理表",
        number.as_str(),
        &nth_person(ok, false),
        "本地户籍登记",
    ] {
        assert!(
            text.contains(field),
            "the review form's PDF lacks {field}:\n{text}"
        );
    }
    b.client.back().await.unwrap();
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
        &nth_person(ok, true),
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

    // The number at the certificates' lookup.
    press(&mut b, "nav a[href='/desk/certificates']").await;
    b.fill("number", &number).await;
    press(&mut b, "#lookup").await;
    b.expect_text("有效").await;
    b.axe("certificate-lookup").await;

    // The queue shows both, masked.
    b.goto(&app.url("/desk/queue")).await;
    b.expect_text("王*").await;
    let queue = b.text().await;
    assert!(
        !queue.contains(&nth_person(ok, true)),
        "the queue shows a full ID number"
    );
    keep(&mut b, "queue").await;
    b.axe("queue").await;

    // A refusal: the reason is required, then the notice prints.
    walk_in(&mut b, app, refused).await;
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
