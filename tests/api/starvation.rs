//! One caller cannot starve everyone else: sign-in guesses are counted atomically, password
//! hashing holds no database connection (the benchmark floods sign-in at scale), and sign-in and
//! partner routes are limited per client address.

use std::sync::Arc;

use futures_util::future::join_all;

use crate::support::{problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn parallel_guesses_never_evaluate_more_than_max_failures() {
    let app = Arc::new(spawn_app().await);
    app.add_staff("sz-gusu", "registrar", "sun.li", "a long password");
    let guesses = (0..60).map(|i| {
        let app = app.clone();
        async move {
            let guess = format!("wrong guess {i}");
            app.post_sign_in("sun.li", &guess).await.status().as_u16()
        }
    });
    let statuses = join_all(guesses).await;
    let evaluated = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(evaluated + throttled, 60, "{statuses:?}");
    assert!(
        evaluated <= 5,
        "{evaluated} guesses were evaluated, staff.max_failures is 5"
    );
}

#[tokio::test]
async fn password_hashing_holds_no_database_connection() {
    // One connection, and every hashing slot taken by the test: a sign-in then waits at the
    // gate for as long as the test likes. Had it kept its connection while hashing, the one
    // connection would be gone and a public read could only time out (503); it must answer.
    let app = spawn_app_with(|s| {
        s.database.max_connections = 1;
        s.database.acquire_timeout_ms = 2000;
    });
    let ctx = app.context.clone().expect("started in this process");
    let gate = &ctx.hashing;
    let held: Vec<_> = (0..gate.slots()).map(|_| gate.enter()).collect();
    let app = Arc::new(app);
    let sign_in = tokio::spawn({
        let app = app.clone();
        async move {
            let r = app.post_sign_in("nobody", "some long password").await;
            r.status().as_u16()
        }
    });
    // Until the sign-in stands at the gate (it has read the account and counted the attempt).
    while gate.waiting() == 0 {
        assert!(!sign_in.is_finished(), "the sign-in ended before hashing");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let read = app.get("/v1/offices/sz-gusu").await.status().as_u16();
    drop(held);
    assert_eq!(read, 200, "a public read waited for a sign-in's hashing");
    assert_eq!(sign_in.await.expect("sign-in task"), 401);
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_client_address() {
    let app = spawn_app_with(|s| {
        s.rate_limit.per_minute = 20;
        s.rate_limit.burst = 10;
    });
    let mut statuses = Vec::new();
    for i in 0..12 {
        let user = format!("guesser.{i}");
        statuses.push(app.post_sign_in(&user, "some long password").await);
    }
    let last = statuses.pop().expect("twelve answers");
    assert!(
        statuses[..10].iter().all(|r| r.status() == 401),
        "the burst is answered"
    );
    assert_eq!(last.status(), 429);
    assert!(last.headers().contains_key("retry-after"));
    assert_eq!(problem(last).await["code"], "too_many_requests");
}

#[tokio::test]
async fn partner_routes_are_rate_limited_per_client_address() {
    let app = spawn_app_with(|s| {
        s.rate_limit.per_minute = 20;
        s.rate_limit.burst = 2;
    });
    let path = "/v1/partner/household-verifications";
    let body = serde_json::json!({});
    let first = app.post_json(path, &body).await;
    let second = app.post_json(path, &body).await;
    let third = app.post_json(path, &body).await;
    let statuses = (first.status().as_u16(), second.status().as_u16());
    assert_eq!(statuses, (401, 401), "unsigned: refused");
    assert_eq!(
        third.status(),
        429,
        "a flood is cut before any signature work"
    );
    assert_eq!(problem(third).await["code"], "too_many_requests");
}
