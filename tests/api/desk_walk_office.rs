//! The desk of a supervisor and an auditor in a real browser: the week edited (an error beside
//! its period first), a registrar created, disabled, enabled again and given a new password;
//! the auditor finds the reads of a couple in the trail a page at a time, sees the statistics
//! with their chart and downloads the CSV. axe-core checks every page.

use crate::support::browser;
use crate::support::desk::{api, keep, press};
use crate::support::{nth_person, spawn_app};

#[tokio::test]
async fn desk_walk_a_supervisor_edits_the_week_and_manages_staff() {
    if !browser::available() {
        return;
    }
    let app = spawn_app().await;
    app.add_staff("sz-gusu", "supervisor", "desk.boss", "desk-password-1");
    for javascript in [true, false] {
        let user = format!("new.registrar{}", if javascript { "" } else { "2" });
        let (mut b, _one) = browser::start("desk-supervisor", javascript).await;
        b.goto(&app.url("/desk/sign-in")).await;
        b.fill("username", "desk.boss").await;
        b.fill("password", "desk-password-1").await;
        press(&mut b, "form[action='/desk/sign-in'] button").await;

        // The application as a supervisor sees it: with the override's form.
        let fresh = api(&app);
        let counter = crate::support::Counter::open(&fresh, "sz-gusu").await;
        let reference = counter
            .walk_in(crate::support::nth_couple(if javascript { 46 } else { 48 }))
            .await;
        b.goto(&app.url(&format!("/desk/applications/{reference}")))
            .await;
        b.expect_text("科长审批例外").await;
        b.axe("application-supervisor").await;
        // A certificate as a supervisor sees it: with the revocation's form.
        let number = counter.registered(if javascript { 47 } else { 49 }).await;
        b.goto(&app.url(&format!("/desk/certificates/{number}")))
            .await;
        b.expect_text("撤销婚姻登记").await;
        b.axe("certificate-supervisor").await;

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
        let supervisor = api(&app).supervisor("sz-gusu").await;
        let rule: serde_json::Value = api(&app)
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
        b.fill("new-username", &user).await;
        b.fill("new-display_name", "王登记").await;
        b.select("new-role", "registrar").await;
        b.fill("new-password", "short").await;
        press(&mut b, "#create").await;
        b.expect_text("出现问题").await;
        b.axe("staff-error").await;
        b.fill("new-password", "first-password-1").await;
        press(&mut b, "#create").await;
        b.expect_text("账号已创建").await;
        b.expect_text(&user).await;
        press(&mut b, &format!("#disable-{}", user.replace('.', "\\."))).await;
        b.expect_text("账号已停用").await;
        let refused = api(&app).post_sign_in(&user, "first-password-1").await;
        assert_eq!(refused.status(), 401);
        press(&mut b, &format!("#enable-{}", user.replace('.', "\\."))).await;
        b.expect_text("账号已启用").await;
        let mut id = String::new();
        for option in b
            .client
            .find_all(fantoccini::Locator::Css("#reset-account option"))
            .await
            .unwrap()
        {
            if option.text().await.unwrap().starts_with(user.as_str()) {
                id = option.attr("value").await.unwrap().unwrap();
            }
        }
        b.select("reset-account", &id).await;
        b.fill("reset-password", "second-password-2").await;
        press(&mut b, "#reset").await;
        b.expect_text("密码已重置").await;
        keep(&mut b, "staff").await;
        b.axe("staff-reset").await;
        press(&mut b, "nav a[href='/desk/deliveries']").await;
        b.expect_text("未送达的合作地区通知").await;
        b.axe("deliveries").await;
        assert_eq!(
            api(&app)
                .post_sign_in(&user, "first-password-1")
                .await
                .status(),
            401
        );
        assert_eq!(
            api(&app)
                .post_sign_in(&user, "second-password-2")
                .await
                .status(),
            201
        );
        b.close().await;
    }
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
    for javascript in [true, false] {
        let (mut b, _one) = browser::start("desk-auditor", javascript).await;
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
        let csv = api(&app)
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
}
