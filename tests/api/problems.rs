//! Every error is RFC 9457 problem+json with a stable code and the request id.

use crate::helpers::{problem, spawn_app};

#[tokio::test]
async fn unknown_route_is_404_route_not_found() {
    let app = spawn_app().await;
    let resp = app.get("/v1/nothing-here").await;
    assert_eq!(resp.status(), 404);
    let body = problem(resp).await;
    assert_eq!(body["code"], "route_not_found");
    assert_eq!(body["instance"], "/v1/nothing-here");
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    let resp = app.client.delete(app.url("/healthz")).send().await.unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "GET");
    assert_eq!(problem(resp).await["code"], "method_not_allowed");
}

#[tokio::test]
async fn request_id_is_echoed_when_plain_and_replaced_when_not() {
    let app = spawn_app().await;
    let resp = app
        .client
        .get(app.url("/nope"))
        .header("x-request-id", "lb-1234_abc.9")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "lb-1234_abc.9");
    assert_eq!(problem(resp).await["request_id"], "lb-1234_abc.9");

    let forged = "x\"} injected";
    let resp = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", forged)
        .send()
        .await
        .unwrap();
    let echoed = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(echoed, forged);
    assert_eq!(echoed.len(), 32, "a fresh uuid");
}

#[tokio::test]
async fn every_response_carries_a_distinct_request_id() {
    let app = spawn_app().await;
    let a = app.get_healthz().await.headers()["x-request-id"].clone();
    let b = app.get_healthz().await.headers()["x-request-id"].clone();
    assert_ne!(a, b);
}
