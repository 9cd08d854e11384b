//! The desk's roles and offices over plain HTTP: another office's application and a page of
//! another role are 403 pages (nothing read), a supervisor reaches only their own office's
//! accounts, and the auditor's trail pages by id with the ID number kept out of URLs.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::desk::Desk;
use crate::support::{audit_count, nth_couple, nth_person, spawn_app, Counter};

#[tokio::test]
async fn desk_another_office_and_a_supervisor_page_are_403_pages() {
    let app = spawn_app().await;
    let elsewhere = Counter::open(&app, "nj-xuanwu").await;
    let reference = elsewhere.walk_in(nth_couple(41)).await;
    let mut desk = Desk::new(&app);
    desk.staff("sz-gusu", "registrar").await;
    let reads = audit_count(&app, "application.read");
    let a = desk.get(&format!("/desk/applications/{reference}")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(a.body.contains("panel bad") && !a.body.contains(&nth_person(41, true)));
    // Nor which office holds the reference.
    assert!(!a.body.contains("nj-xuanwu"), "{}", a.body);
    assert_eq!(
        audit_count(&app, "application.read"),
        reads,
        "nothing was read"
    );
    let s = desk.get("/desk/staff").await;
    assert_eq!(s.status, StatusCode::FORBIDDEN);
    assert!(s.body.contains("panel bad") && s.body.contains("href=\"/desk\""));
    let p = desk
        .post(
            "/desk/staff",
            &[
                ("username", "x.y"),
                ("display_name", "某"),
                ("role", "registrar"),
                ("password", "long-enough-1"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn desk_each_role_sees_only_its_own_pages() {
    let app = spawn_app().await;
    let mut registrar = Desk::new(&app);
    registrar.staff("sz-gusu", "registrar").await;
    for path in [
        "/desk/audit",
        "/desk/statistics",
        "/desk/statistics.csv",
        "/desk/statistics/chart.svg",
        "/desk/schedule",
        "/desk/staff",
    ] {
        let a = registrar.get(path).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "a registrar at {path}");
        assert!(a.body.contains("panel bad"), "{path}: a page, not a dump");
    }
    let week = registrar
        .post(
            "/desk/schedule",
            &[
                ("mon", "on"),
                ("period0", "09:00-10:00"),
                ("slot_minutes", "30"),
                ("capacity", "1"),
            ],
        )
        .await;
    assert_eq!(week.status, StatusCode::FORBIDDEN);
    let mut auditor = Desk::new(&app);
    auditor.staff("sz-gusu", "auditor").await;
    for path in ["/desk/queue", "/desk/walk-in", "/desk/schedule"] {
        let a = auditor.get(path).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "an auditor at {path}");
    }
    assert_eq!(auditor.get("/desk/audit").await.status, StatusCode::OK);
    assert_eq!(auditor.get("/desk").await.location(), "/desk/audit");
    // A supervisor of another office cannot touch this office's accounts.
    let mut boss = Desk::new(&app);
    boss.staff("nj-xuanwu", "supervisor").await;
    let supervisor = app.supervisor("sz-gusu").await;
    let list: Value = app
        .get_authed("/v1/registrar/offices/sz-gusu/staff", &supervisor)
        .await
        .json()
        .await
        .unwrap();
    let id = list["staff"][0]["id"].as_i64().unwrap();
    for change in ["disable", "enable"] {
        let a = boss.post(&format!("/desk/staff/{id}/{change}"), &[]).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{change}");
    }
    let id = id.to_string();
    let reset = boss
        .post(
            "/desk/staff/password",
            &[("account", id.as_str()), ("password", "another-password-1")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::FORBIDDEN);
    assert_eq!(audit_count(&app, "staff.password_reset"), 0);
    assert_eq!(audit_count(&app, "staff.enabled"), 0);
}

#[tokio::test]
async fn desk_audit_search_pages_by_id_and_keeps_the_id_number_out_of_urls() {
    let app = spawn_app().await;
    let counter = Counter::open(&app, "sz-gusu").await;
    counter.registered(44).await;
    let mut auditor = Desk::new(&app);
    auditor.staff("sz-gusu", "auditor").await;
    let woman = nth_person(44, false);
    let a = auditor
        .post("/desk/audit", &[("id_number", woman.as_str())])
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("registration.registered"));
    assert!(!a.body.contains("id=\"next-page\""), "one page only");
    // A bad date is an error beside its field, the rest kept.
    let bad = auditor
        .post(
            "/desk/audit",
            &[("id_number", woman.as_str()), ("from", "2026-13-01")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("id=\"from-error\"") && bad.body.contains(&format!("value=\"{woman}\""))
    );
    // The API pages the same way: `before_id` gives the events older than the last shown.
    let token = app.auditor("sz-gusu").await;
    let path = "/v1/registrar/audit-events/search";
    let ids = |v: &Value| -> Vec<i64> {
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect()
    };
    let first: Value = app
        .post_authed(path, &token, &serde_json::json!({"limit": 3}))
        .await
        .json()
        .await
        .unwrap();
    let first = ids(&first);
    assert_eq!(first.len(), 3);
    let last = *first.last().unwrap();
    let next: Value = app
        .post_authed(
            path,
            &token,
            &serde_json::json!({"limit": 3, "before_id": last}),
        )
        .await
        .json()
        .await
        .unwrap();
    let next = ids(&next);
    assert_eq!(next.len(), 3);
    assert!(next.iter().all(|id| *id < last), "{first:?} then {next:?}");
    // Paging: before the oldest event there is nothing.
    let all = auditor.post("/desk/audit", &[("before_id", "1")]).await;
    assert!(all.body.contains("没有符合条件的记录"));
    assert!(!all.body.contains(&format!("?{woman}")) && !all.body.contains(&format!("={woman}")));
}

#[tokio::test]
async fn desk_only_a_supervisor_records_an_override_and_never_over_our_own_records() {
    let app = spawn_app().await;
    let (man, woman) = (nth_person(45, true), nth_person(45, false));
    crate::support::add_residents(
        &app,
        &[(&man, "王强", "married"), (&woman, "李娜", "unmarried")],
    );
    let counter = Counter::open(&app, "sz-gusu").await;
    let reference = counter.walk_in(nth_couple(45)).await;
    counter.run_checks(&reference).await;
    let screen = format!("/desk/applications/{reference}");
    let mut registrar = Desk::new(&app);
    registrar.staff("sz-gusu", "registrar").await;
    let page = registrar.get(&screen).await;
    assert!(
        page.body.contains("登记为已婚"),
        "the failed check is shown"
    );
    assert!(
        !page.body.contains("id=\"override\""),
        "no override form for a registrar"
    );
    let fields = [
        ("party", "0"),
        ("reason", "离婚判决已生效"),
        ("document_kind", "court_judgment"),
        ("document_reference", "(2026)苏0508民初1号"),
    ];
    let a = registrar.post(&format!("{screen}/override"), &fields).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let mut boss = Desk::new(&app);
    boss.staff("sz-gusu", "supervisor").await;
    assert!(boss.get(&screen).await.body.contains("id=\"override\""));
    // Nothing typed: each field's reason beside it.
    let empty = boss
        .post(&format!("{screen}/override"), &[("party", "0")])
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("id=\"override-reason-error\""));
    assert!(empty
        .body
        .contains("id=\"override-document_reference-error\""));
    // Our own register shows him married: refused beside the form, what was typed kept.
    let a = boss.post(&format!("{screen}/override"), &fields).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
    assert!(a.body.contains("id=\"override-reason-error\""));
    assert!(a.body.contains("(2026)苏0508民初1号"));
    assert_eq!(audit_count(&app, "household.check_overridden"), 0);
}

#[tokio::test]
async fn desk_a_supervisor_cannot_take_over_or_disable_another_supervisor() {
    let app = spawn_app().await;
    let mut a = Desk::new(&app);
    let me = a.staff("sz-gusu", "supervisor").await;
    // Another supervisor of the same office.
    let token = app.supervisor("sz-gusu").await;
    let list: Value = app
        .get_authed("/v1/registrar/offices/sz-gusu/staff", &token)
        .await
        .json()
        .await
        .unwrap();
    let other = list["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["role"] == "supervisor" && s["username"] != me.as_str())
        .expect("the other supervisor");
    let id = other["id"].as_i64().unwrap().to_string();
    let reset = a
        .post(
            "/desk/staff/password",
            &[("account", id.as_str()), ("password", "taken-over-pass-1")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::FORBIDDEN, "{}", reset.body);
    for change in ["disable", "enable"] {
        let r = a.post(&format!("/desk/staff/{id}/{change}"), &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{change}");
    }
    assert_eq!(audit_count(&app, "staff.password_reset"), 0);
    assert_eq!(audit_count(&app, "staff.disabled"), 0);
    // Their session still works.
    let still = app.get_authed("/v1/registrar/me", &token).await;
    assert_eq!(still.status(), 200);
}

/// The dashboard's chart and CSV carry the headers of every page (no sniffing, no framing,
/// nothing cached, nothing loaded from elsewhere).
#[tokio::test]
async fn desk_the_statistics_chart_and_csv_carry_the_page_headers() {
    let app = spawn_app().await;
    let mut desk = Desk::new(&app);
    desk.staff("sz-gusu", "auditor").await;
    let range = "from=2026-01-01&to=2026-01-31";
    for (path, kind) in [
        ("/desk/statistics/chart.svg", "image/svg+xml"),
        ("/desk/statistics.csv", "text/csv"),
    ] {
        let a = desk.get(&format!("{path}?{range}")).await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.body);
        let h = |name: &str| a.headers[name].to_str().unwrap().to_owned();
        assert!(h("content-type").starts_with(kind), "{path}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("cache-control"), "no-store", "{path}");
        assert!(
            h("content-security-policy").contains("default-src 'none'"),
            "{path}"
        );
        assert_eq!(h("x-frame-options"), "DENY", "{path}");
    }
}
