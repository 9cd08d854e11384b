//! The supervisor's special dates on the week's page: a weekday closed loses its slots, a
//! closed day opened with its own hours gets exactly those slots (and one can be booked),
//! removing a date gives it back to the week; a malformed or past date, an opening without
//! hours or with hours that end before they start, no choice of closed or open: each named
//! beside its field, kept as typed, nothing written. A registrar cannot set one.

use chrono::{Duration, NaiveDate};

use crate::support::browser;
use crate::support::desk::{press, Desk};
use crate::support::{audit_count, nth_couple, spawn_app, today, TestApp};

const OFFICE: &str = "sz-gusu";

/// The starts (`HH:MM`) of the office's listed slots on `date`.
async fn starts_on(app: &TestApp, date: NaiveDate) -> Vec<String> {
    let prefix = date.to_string();
    app.slots(OFFICE)
        .await
        .iter()
        .filter_map(|s| s["start"].as_str())
        .filter(|s| s.starts_with(&prefix))
        .map(|s| s[11..16].to_owned())
        .collect()
}

/// The first day after tomorrow with slots, and the first without.
async fn open_and_closed_days(app: &TestApp) -> (NaiveDate, NaiveDate) {
    let first: NaiveDate = today().parse().unwrap();
    let mut open = None;
    let mut closed = None;
    for n in 2..20 {
        let d = first + Duration::days(n);
        let has = !starts_on(app, d).await.is_empty();
        if has && open.is_none() {
            open = Some(d);
        }
        if !has && closed.is_none() {
            closed = Some(d);
        }
    }
    (open.unwrap(), closed.unwrap())
}

#[tokio::test]
async fn desk_schedule_days_close_a_date_open_another_and_give_it_back() {
    let app = spawn_app().await;
    let mut desk = Desk::new(&app);
    desk.staff(OFFICE, "supervisor").await;
    let (open, closed) = open_and_closed_days(&app).await;

    // The open weekday closed: no slot that day.
    let a = desk
        .post(
            "/desk/schedule/days",
            &[
                ("date", &open.to_string()),
                ("kind", "closed"),
                ("periods", ""),
            ],
        )
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    assert_eq!(a.location(), "/desk/schedule?done=day-set");
    assert_eq!(starts_on(&app, open).await, Vec::<String>::new());
    // The closed day opened from 10:00 to 11:00: those slots only, and one books.
    let a = desk
        .post(
            "/desk/schedule/days",
            &[
                ("date", &closed.to_string()),
                ("kind", "open"),
                ("periods", "10:00-11:00"),
            ],
        )
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    let extra = starts_on(&app, closed).await;
    assert!(!extra.is_empty(), "the extra opening has no slot");
    assert!(
        extra
            .iter()
            .all(|s| s.as_str() >= "10:00" && s.as_str() < "11:00"),
        "{extra:?}"
    );
    let slot = format!("{OFFICE}.{}T1000", closed.format("%Y%m%d"));
    let booked = app.book(OFFICE, &slot, nth_couple(81)).await;
    assert_eq!(booked.status(), 201, "{}", booked.text().await.unwrap());
    assert_eq!(audit_count(&app, "schedule.special_date.set"), 2);

    // The page lists both.
    let page = desk.get("/desk/schedule?done=day-set").await;
    assert!(page.body.contains("已保存特别日期"));
    assert!(page.body.contains(&format!("data-date=\"{open}\"")));
    assert!(page.body.contains("加开 10:00-11:00"), "{}", page.body);

    // Removed: the weekday has its slots again.
    let a = desk
        .post("/desk/schedule/days/remove", &[("date", &open.to_string())])
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    assert_eq!(a.location(), "/desk/schedule?done=day-removed");
    assert!(!starts_on(&app, open).await.is_empty());
    assert_eq!(audit_count(&app, "schedule.special_date.removed"), 1);
    let page = desk.get("/desk/schedule").await;
    assert!(!page.body.contains(&format!("data-date=\"{open}\"")));

    // A registrar cannot.
    let mut registrar = Desk::new(&app);
    registrar.staff(OFFICE, "registrar").await;
    let a = registrar
        .post(
            "/desk/schedule/days",
            &[("date", &open.to_string()), ("kind", "closed")],
        )
        .await;
    assert_eq!(a.status, 403);
    assert!(!starts_on(&app, open).await.is_empty());
}

#[tokio::test]
async fn desk_schedule_days_bad_input_is_named_beside_its_field() {
    let app = spawn_app().await;
    let mut desk = Desk::new(&app);
    desk.staff(OFFICE, "supervisor").await;
    let first: NaiveDate = today().parse().unwrap();
    let yesterday = (first - Duration::days(1)).to_string();
    let later = (first + Duration::days(9)).to_string();
    let cases: [(&str, &str, &str, &str, &str); 6] = [
        (
            "2026-13-01",
            "closed",
            "",
            "special-date",
            "请按 年-月-日 输入日期",
        ),
        (&yesterday, "closed", "", "special-date", "该日期已过"),
        (&later, "open", "", "special-periods", "加开须填写办公时段"),
        (
            &later,
            "open",
            "11:00-10:00",
            "special-periods",
            "HH:MM-HH:MM",
        ),
        (
            &later,
            "open",
            "09:00-11:00, 10:00-12:00",
            "special-periods",
            "重叠",
        ),
        (&later, "", "", "special-kind-closed", "请选择休息或加开"),
    ];
    for (date, kind, periods, field, message) in cases {
        let a = desk
            .post(
                "/desk/schedule/days",
                &[("date", date), ("kind", kind), ("periods", periods)],
            )
            .await;
        assert_eq!(a.status, 400, "{date} {kind} {periods}: {}", a.body);
        assert!(
            a.body.contains(&format!("id=\"{field}-error\"")),
            "no message beside {field} for {date} {kind} {periods:?}"
        );
        assert!(
            a.body.contains(message),
            "{message:?} missing for {date} {kind} {periods:?}"
        );
        assert!(
            a.body.contains(&format!("value=\"{date}\"")),
            "the date was not kept"
        );
        if !periods.is_empty() {
            assert!(a.body.contains(&format!("value=\"{periods}\"")));
        }
    }
    assert_eq!(audit_count(&app, "schedule.special_date.set"), 0);
}

#[tokio::test]
async fn desk_schedule_days_page_passes_axe_on_a_phone() {
    if !browser::available() {
        return;
    }
    let app = spawn_app().await;
    app.add_staff(OFFICE, "supervisor", "desk.days", "desk-password-1");
    let later: NaiveDate = today().parse::<NaiveDate>().unwrap() + Duration::days(10);
    for javascript in [true, false] {
        let (mut b, _one) = browser::start("desk-schedule-days", javascript).await;
        b.goto(&app.url("/desk/sign-in")).await;
        b.fill("username", "desk.days").await;
        b.fill("password", "desk-password-1").await;
        press(&mut b, "form[action='/desk/sign-in'] button").await;
        b.goto(&app.url("/desk/schedule")).await;
        // An opening without hours: the message beside the hours.
        b.fill("special-date", &later.to_string()).await;
        b.click("#special-kind-open").await;
        press(&mut b, "#save-day").await;
        b.expect_text("加开须填写办公时段").await;
        b.axe("special-error").await;
        b.fill("special-periods", "10:00-11:30").await;
        press(&mut b, "#save-day").await;
        b.expect_text("已保存特别日期").await;
        b.expect_text("加开 10:00-11:30").await;
        b.axe("special-saved").await;
        press(&mut b, &format!("tr[data-date='{later}'] button")).await;
        b.expect_text("已删除特别日期").await;
        b.close().await;
    }
}
