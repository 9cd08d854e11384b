//! The desk's household checks across two instances: a registrar of 江苏 takes a walk-in of a
//! local man and a woman with 河南 hukou; the man's check comes from this region's register,
//! the woman's from the 河南 instance (a second app, its own database and key, trusting this
//! one), and the screen and the printed review form say so. With JavaScript on (axe-core on
//! every page) and off; the suite's engine is the desk's.

use fantoccini::wd::PrintConfiguration;
use fantoccini::Locator;

use crate::support::browser::{self, Browser};
use crate::support::desk::{keep, press};
use crate::support::federation::Pair;
use crate::support::{add_resident, audit_count, id_number};

const OFFICE: &str = "sz-gusu";

/// The texts of the rows of the latest checks' table (the first table of 审查).
async fn check_rows(b: &mut Browser) -> Vec<String> {
    let table = match b.client.find(Locator::Css("#examination table")).await {
        Ok(t) => t,
        Err(_) => b.fail("no checks table").await,
    };
    let rows = match table.find_all(Locator::Css("tbody tr")).await {
        Ok(r) => r,
        Err(_) => b.fail("no rows in the checks table").await,
    };
    let mut out = Vec::new();
    for r in rows {
        out.push(r.text().await.unwrap_or_default());
    }
    out
}

#[tokio::test]
async fn desk_walk_partner_checks_show_the_partner_instance_as_the_source() {
    if !browser::available() {
        return;
    }
    let pair = Pair::start();
    let (desk, partner) = (&pair.desk, &pair.partner);
    desk.add_staff(OFFICE, "registrar", "desk.partner", "desk-password-1");
    for javascript in [true, false] {
        let year = if javascript { "1993" } else { "1994" };
        let man = id_number("320508", &format!("{year}0312"), true);
        let woman = id_number("410105", &format!("{year}0101"), false);
        add_resident(desk, &man, "王强", "320508", "unmarried");
        add_resident(partner, &woman, "李娜", "410105", "unmarried");
        let answered = audit_count(partner, "partner.household_verification.received");

        let (mut b, _one) = browser::start("desk-partner", javascript).await;
        b.goto(&desk.url("/desk/sign-in")).await;
        b.fill("username", "desk.partner").await;
        b.fill("password", "desk-password-1").await;
        press(&mut b, "form[action='/desk/sign-in'] button").await;
        b.goto(&desk.url("/desk/walk-in")).await;
        b.fill("parties-0-name", "王强").await;
        b.fill("parties-0-id_number", &man).await;
        b.fill("parties-0-hukou_division_code", "320508").await;
        b.fill("parties-1-name", "李娜").await;
        b.fill("parties-1-id_number", &woman).await;
        b.fill("parties-1-hukou_division_code", "410105").await;
        press(&mut b, "form[action='/desk/walk-in'] button[type=submit]").await;
        b.expect_text("已受理现场申请").await;

        press(&mut b, "#checks").await;
        b.expect_text("户籍核查已完成").await;
        b.expect_text("双方核查均已通过").await;
        let rows = check_rows(&mut b).await;
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(
            rows[0].contains("本地户籍登记") && rows[0].contains("通过"),
            "the man's check: {rows:?}"
        );
        assert!(
            rows[1].contains("合作地区核查") && rows[1].contains("通过"),
            "the woman's check is not the partner's: {rows:?}"
        );
        assert!(!rows[1].contains("本地户籍登记"), "{rows:?}");
        // The partner instance answered it (its own audit trail), once.
        assert_eq!(
            audit_count(partner, "partner.household_verification.received"),
            answered + 1
        );
        let _ = b
            .client
            .execute(
                "document.getElementById('examination').scrollIntoView();",
                vec![],
            )
            .await;
        keep(&mut b, "checked-partner").await;
        b.axe("checked-partner").await;

        // The review form, printed, names both sources.
        press(&mut b, "a[href$='/review-form']").await;
        b.expect_text("结婚登记审查处理表").await;
        b.axe("review-form-partner").await;
        let pdf = match b.client.print(PrintConfiguration::default()).await {
            Ok(pdf) => pdf,
            Err(e) => b.fail(&format!("print failed: {e}")).await,
        };
        assert!(pdf.starts_with(b"%PDF"));
        let text = pdf_text(
            &pdf,
            if javascript {
                "partner-js"
            } else {
                "partner-nojs"
            },
        );
        if let Some(text) = text {
            for field in ["本地户籍登记", "合作地区核查", woman.as_str()] {
                assert!(
                    text.contains(field),
                    "the review form lacks {field}:\n{text}"
                );
            }
        }
        b.close().await;
    }
}

/// The PDF's text through `pdftotext` (poppler-utils), or `None` without it (the walk in
/// `desk_walk.rs` requires it under REQUIRE_BROWSER_TEST).
fn pdf_text(pdf: &[u8], name: &str) -> Option<String> {
    let tool = std::path::Path::new("/usr/bin/pdftotext");
    if !tool.is_file() {
        assert!(
            std::env::var("REQUIRE_BROWSER_TEST").is_err(),
            "REQUIRE_BROWSER_TEST is set but pdftotext is missing"
        );
        return None;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser/desk-pdf");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new(tool)
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        file.display()
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}
