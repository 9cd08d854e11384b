//! The couples' pages in oidc identity mode, in a real browser with the real provider: bob
//! signs in through the provider's login form from the pages, books as himself (his name and
//! ID number from the sign-in, masked, not typed) naming alice, signs out (ours and the
//! provider's session); alice signs in from 我的预约, confirms there, and cancels. axe-core on
//! each of our pages (not the provider's). Then what the sign-in from a page guarantees without
//! a browser: it returns only to a local path, and the session, not a posted field, names the
//! first party.

use fantoccini::Locator;

use crate::citizen_oidc_booking::{booking_setup, OFFICE};
use crate::pages_couples::{click_to, element_text, pick, readme, wait_for, weigh};
use crate::support::browser::{self, Browser};
use crate::support::oidc::user;

/// At the provider's login form (reached by clicking `css` on our page): signs in as `login`
/// and waits for our page to show `needle`.
async fn provider_sign_in(b: &mut Browser, css: &str, login: &str, needle: &str) {
    b.click(css).await;
    wait_for(b, "input[name=login]").await;
    let field = b
        .client
        .find(Locator::Css("input[name=login]"))
        .await
        .unwrap();
    field.send_keys(login).await.unwrap();
    click_to(b, "form button", needle).await;
}

/// The masked form of an ID number (first 6 and last 4).
fn masked(id: &str) -> (String, String) {
    (id[..6].to_owned(), id[14..].to_owned())
}

#[tokio::test]
async fn pages_oidc_bob_books_as_himself_and_alice_confirms_and_cancels_on_my_bookings() {
    walk(true).await;
}

#[tokio::test]
async fn pages_oidc_the_same_walk_without_javascript() {
    walk(false).await;
}

async fn walk(javascript: bool) {
    if !browser::available() {
        return;
    }
    let Some(setup) = booking_setup() else {
        return;
    };
    let app = &setup.app;
    let (alice, bob) = (user("alice"), user("bob"));
    let (mut b, _one) = browser::start("oidc-pages", javascript).await;
    // Bob signs in from the start page's header and lands back on it (not JSON).
    b.goto(&app.url("/")).await;
    b.axe("start-signed-out").await;
    provider_sign_in(&mut b, "#sign-in", "bob", "退出登录").await;
    let here = b.client.current_url().await.unwrap();
    assert_eq!(here.path(), "/", "the callback returns to the page");
    b.axe("start-signed-in").await;
    // The calendar, a slot, the booking page: bob is the first party, from his sign-in.
    b.goto(&app.url(&format!("/offices/{OFFICE}/calendar")))
        .await;
    b.click("table.month td button").await;
    wait_for(&mut b, "input[name=slot_id]").await;
    b.click("input[name=slot_id]:not([disabled])").await;
    click_to(&mut b, "#choose-slot", "填写预约信息").await;
    let page = b.text().await;
    let (head, tail) = masked(&bob.id_number);
    assert!(page.contains(&bob.name), "his name from the sign-in");
    assert!(
        page.contains(&head) && page.contains(&tail) && !page.contains(&bob.id_number),
        "his ID number shown masked only: {page}"
    );
    let source = b.client.source().await.unwrap();
    assert!(
        !source.contains(&bob.id_number) && !source.contains("name=\"parties-0-id_number\""),
        "no field, shown or hidden, carries the first party's ID number"
    );
    b.axe("book-signed-in").await;
    readme(&mut b, "couples-book-signed-in").await;
    weigh(&mut b, app, "/book (signed in)").await;
    pick(
        &mut b,
        "parties-0-hukou",
        "parties-0-hukou_division_code",
        "320508",
    )
    .await;
    b.fill("parties-1-id_number", &alice.id_number).await;
    b.fill("parties-1-name", &alice.name).await;
    pick(
        &mut b,
        "parties-1-hukou",
        "parties-1-hukou_division_code",
        "320508",
    )
    .await;
    b.fill("contact-emails-0", "bob.pages@example.cn").await;
    b.fill("contact-emails-1", "alice.pages@example.cn").await;
    click_to(&mut b, "#review", "核对预约信息").await;
    assert!(!b.text().await.contains(&bob.id_number), "masked on review");
    b.axe("review-signed-in").await;
    click_to(&mut b, "#book", "等待第二方确认").await;
    b.expect_text("在“我的预约”中确认").await;
    b.axe("booked-signed-in").await;
    let reference = element_text(&mut b, "#reference").await;
    // 我的预约 lists it for bob, waiting for alice.
    click_to(&mut b, "#nav-my", &reference).await;
    b.expect_text("等待双方确认").await;
    b.axe("my-bob").await;
    weigh(&mut b, app, "/my").await;
    // Bob signs out: our session, then the provider's (its own page, not axed).
    click_to(&mut b, "#sign-out", "sign-out").await;
    click_to(&mut b, "button[name=logout]", "Sign-out Success").await;
    b.goto(&app.url("/my")).await;
    b.expect_text("请先使用实名账号登录").await;
    b.axe("my-signed-out").await;
    // Alice signs in from 我的预约 and lands back there; she confirms, then cancels.
    provider_sign_in(&mut b, "#my-sign-in", "alice", &reference).await;
    assert_eq!(b.client.current_url().await.unwrap().path(), "/my");
    b.expect_text(&alice.name).await;
    b.expect_text("您在此预约中是第二方").await;
    b.axe("my-alice").await;
    readme(&mut b, "couples-my").await;
    let card = format!("#appt-{reference}");
    click_to(&mut b, &format!("{card} button.confirm"), "已确认预约").await;
    b.expect_text("已预约").await;
    b.axe("my-confirmed").await;
    // Post/Redirect/Get: at /my again, the notice was told once.
    assert_eq!(b.client.current_url().await.unwrap().path(), "/my");
    b.goto(&app.url("/my")).await;
    b.expect_text(&reference).await;
    assert!(!b.text().await.contains("已确认预约"), "told once");
    // She moves it to another day from 我的预约, without a manage code.
    click_to(
        &mut b,
        &format!("{card} button.reschedule"),
        "选择新的预约时间",
    )
    .await;
    b.axe("my-reschedule-calendar").await;
    let days = b
        .client
        .find_all(fantoccini::Locator::Css("table.month td button"))
        .await
        .unwrap();
    days.last().expect("a bookable day").click().await.unwrap();
    wait_for(&mut b, "input[name=slot_id]").await;
    b.click("input[name=slot_id]:not([disabled])").await;
    click_to(&mut b, "#choose-slot", "预约已改期").await;
    assert_eq!(b.client.current_url().await.unwrap().path(), "/my");
    b.axe("my-rescheduled").await;
    click_to(
        &mut b,
        &format!("{card} button.cancel"),
        "确定取消这个预约吗",
    )
    .await;
    b.axe("my-cancel-question").await;
    click_to(&mut b, "#cancel-yes", "已取消预约").await;
    b.expect_text("已取消").await;
    b.axe("my-cancelled").await;
    // Where a page's sign-in that did not finish lands (pages_oidc_guards gets there).
    b.goto(&app.url("/sign-in/failed")).await;
    b.expect_text("登录未完成").await;
    b.axe("sign-in-failed").await;
    b.close().await;
}
