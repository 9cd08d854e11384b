//! The queue kept fresh: its rows alone at `/desk/queue/rows` (the desk's session, never
//! cached, the filter applied, names and ID numbers masked), and in a real browser a booking
//! made through the API after the page loaded appears without a reload, the filter and the
//! focus kept, the change told in the polite status line; without JavaScript the refresh link
//! shows it.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::Value;

use crate::support::browser::{self, Browser};
use crate::support::desk::{api, press, Desk};
use crate::support::{masked, nth_couple, nth_person, spawn_app, Counter};

const OFFICE: &str = "sz-gusu";

#[tokio::test]
async fn desk_queue_rows_answer_the_session_only_filtered_masked_and_not_cached() {
    let app = spawn_app().await;
    let booked = app.booked_today(OFFICE, nth_couple(61)).await;
    let walked = Counter::open(&app, OFFICE)
        .await
        .walk_in(nth_couple(62))
        .await;

    // No session: to the sign-in page, no rows.
    let mut nobody = Desk::new(&app);
    let a = nobody.get("/desk/queue/rows").await;
    assert_eq!(a.status, 303);
    assert_eq!(a.location(), "/desk/sign-in");
    assert!(!a.body.contains(&booked));

    let mut desk = Desk::new(&app);
    desk.staff(OFFICE, "registrar").await;
    let a = desk.get("/desk/queue/rows").await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.headers["cache-control"], "no-store");
    assert!(a.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    assert!(a.body.contains(&format!("data-reference=\"{booked}\"")));
    assert!(a.body.contains(&format!("data-reference=\"{walked}\"")));
    assert!(!a.body.contains("<html"), "the rows alone, not a page");
    assert!(!a.body.contains(&nth_person(61, true)), "a full ID number");
    assert!(a.body.contains(&masked(&nth_person(61, true))));

    // The filter: only booked ones.
    let a = desk.get("/desk/queue/rows?status=booked").await;
    assert!(a.body.contains(&booked));
    assert!(!a.body.contains(&walked), "the filter was not applied");
    // The page points its script at the filtered rows.
    let page = desk.get("/desk/queue?status=booked").await;
    assert!(page
        .body
        .contains("data-poll=\"/desk/queue/rows?status=booked\""));

    // Another office's registrar sees none of these; an auditor has no queue.
    let mut other = Desk::new(&app);
    other.staff("sz-huqiu", "registrar").await;
    let a = other.get("/desk/queue/rows").await;
    assert_eq!(a.status, 200);
    assert!(!a.body.contains(&booked) && !a.body.contains(&walked));
    let mut auditor = Desk::new(&app);
    auditor.staff(OFFICE, "auditor").await;
    let a = auditor.get("/desk/queue/rows").await;
    assert_eq!(a.status, 403);
    assert!(!a.body.contains(&booked));
}

async fn run(b: &mut Browser, script: &str) -> Value {
    match b.client.execute(script, vec![]).await {
        Ok(v) => v,
        Err(e) => b.fail(&format!("script failed: {e}")).await,
    }
}

async fn has_row(b: &mut Browser, reference: &str) -> bool {
    let css = format!("#queue-rows tr[data-reference='{reference}']");
    b.client.find(Locator::Css(&css)).await.is_ok()
}

#[tokio::test]
async fn desk_queue_a_booking_appears_without_a_reload() {
    if !browser::available() {
        return;
    }
    let app = spawn_app().await;
    app.add_staff(OFFICE, "registrar", "desk.queue", "desk-password-1");
    for javascript in [true, false] {
        let n = if javascript { 63 } else { 66 };
        let first = app.booked_today(OFFICE, nth_couple(n)).await;
        let (mut b, _one) = browser::start("desk-queue", javascript).await;
        b.goto(&app.url("/desk/sign-in")).await;
        b.fill("username", "desk.queue").await;
        b.fill("password", "desk-password-1").await;
        press(&mut b, "form[action='/desk/sign-in'] button").await;
        press(&mut b, "nav.filters a[href='/desk/queue?status=booked']").await;
        assert!(has_row(&mut b, &first).await, "the first booking is listed");
        assert_eq!(b.page_script_ran().await, javascript);
        // The registrar is on the first row's link; the page is marked to tell a reload.
        run(
            &mut b,
            &format!(
                "window.sameDocument = true; \
                 document.querySelector(\"tr[data-reference='{first}'] a\").focus();"
            ),
        )
        .await;

        // A booking through the API, and a walk-in the filter leaves out.
        let fresh = api(&app);
        let second = app.booked_today(OFFICE, nth_couple(n + 1)).await;
        let walked = Counter::open(&fresh, OFFICE)
            .await
            .walk_in(nth_couple(n + 2))
            .await;

        if javascript {
            let started = Instant::now();
            while !has_row(&mut b, &second).await {
                if started.elapsed() > Duration::from_secs(45) {
                    b.fail("the new booking did not appear").await;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            let kept = run(
                &mut b,
                &format!(
                    "return [window.sameDocument === true, location.search, \
                     document.activeElement.closest(\"tr[data-reference='{first}']\") !== null, \
                     document.getElementById('queue-news').textContent];"
                ),
            )
            .await;
            assert_eq!(kept[0], true, "the page was reloaded");
            assert_eq!(kept[1], "?status=booked", "the filter was lost");
            assert_eq!(kept[2], true, "the focus left the first row");
            let news = kept[3].as_str().unwrap_or_default();
            assert!(
                news.contains("队列已更新") && news.contains("新增申请：1"),
                "{news:?}"
            );
            assert!(!has_row(&mut b, &walked).await, "the filter was not kept");
            b.snap("updated").await;
            b.axe("queue-updated").await;
        } else {
            // Without JavaScript the page stays as loaded; the refresh link shows the change.
            tokio::time::sleep(Duration::from_secs(1)).await;
            assert!(!has_row(&mut b, &second).await);
            press(&mut b, "p.actions a[href='/desk/queue?status=booked']").await;
            assert!(has_row(&mut b, &second).await, "the refresh shows it");
            assert!(
                !has_row(&mut b, &walked).await,
                "the refresh lost the filter"
            );
            b.snap("refreshed").await;
        }
        b.close().await;
    }
}
