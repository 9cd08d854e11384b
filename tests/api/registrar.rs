//! Staff sign-in, bearer sessions, throttling and sign-out.

use diesel::connection::SimpleConnection;
use reqwest::Method;
use serde_json::Value;

use crate::support::{problem, spawn_app};

#[tokio::test]
async fn a_registrar_signs_in_and_the_token_identifies_them() {
    let app = spawn_app().await;
    app.add_staff("sz-gusu", "registrar", "li.ming", "a long password");
    let resp = app.post_sign_in("li.ming", "a long password").await;
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["token"].as_str().unwrap().len(), 64);
    assert!(v["expires_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["staff"]["role"], "registrar");
    assert_eq!(v["staff"]["office_id"], "sz-gusu");
    assert!(v["staff"].get("password_hash").is_none());

    let me = app
        .authed(
            Method::GET,
            "/v1/registrar/me",
            v["token"].as_str().unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<Value>().await.unwrap()["username"], "li.ming");
}

#[tokio::test]
async fn missing_wrong_and_malformed_tokens_are_401() {
    let app = spawn_app().await;
    let anonymous = app.get("/v1/registrar/me").await;
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    assert_eq!(problem(anonymous).await["code"], "unauthenticated");
    for auth in ["Bearer nope", "Basic abc", "Bearer ", "token"] {
        let resp = app
            .client
            .get(app.url("/v1/registrar/me"))
            .header("authorization", auth)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "{auth}");
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let app = spawn_app().await;
    app.add_staff("sz-gusu", "registrar", "wang.fang", "a long password");
    let wrong = app.post_sign_in("wang.fang", "not the password").await;
    assert_eq!(wrong.status(), 401);
    let unknown = app.post_sign_in("nobody.here", "whatever-password").await;
    assert_eq!(unknown.status(), 401);
    let (a, b) = (problem(wrong).await, problem(unknown).await);
    assert_eq!(a["code"], "invalid_credentials");
    assert_eq!(a["detail"], b["detail"], "nothing tells which was wrong");
}

#[tokio::test]
async fn repeated_failures_throttle_the_username_even_for_the_right_password() {
    let app = spawn_app().await;
    app.add_staff("sz-gusu", "registrar", "zhao.lei", "a long password");
    for _ in 0..5 {
        assert_eq!(app.post_sign_in("zhao.lei", "guess").await.status(), 401);
    }
    let resp = app.post_sign_in("zhao.lei", "a long password").await;
    assert_eq!(resp.status(), 429);
    let retry: i64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert_eq!(problem(resp).await["code"], "too_many_requests");
    // Another account is not affected.
    app.add_staff("sz-gusu", "registrar", "qian.yu", "a long password");
    assert_eq!(
        app.post_sign_in("qian.yu", "a long password")
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn signing_out_revokes_the_token() {
    let app = spawn_app().await;
    let token = app.registrar("sz-gusu").await;
    let out = app
        .authed(Method::DELETE, "/v1/registrar/sessions/current", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    let me = app.get_authed("/v1/registrar/me", &token).await;
    assert_eq!(me.status(), 401);
}

#[tokio::test]
async fn an_expired_session_is_401() {
    let app = spawn_app().await;
    let token = app.registrar("sz-gusu").await;
    app.connect()
        .batch_execute("UPDATE staff_sessions SET expires_at = '2000-01-01 00:00:00'")
        .unwrap();
    let me = app.get_authed("/v1/registrar/me", &token).await;
    assert_eq!(me.status(), 401);
}

#[tokio::test]
async fn bad_sign_in_bodies_are_400() {
    let app = spawn_app().await;
    let resp = app.post_sign_in("", "").await;
    assert_eq!(resp.status(), 400);
    let p = problem(resp).await;
    let names: Vec<&str> = p["invalid_params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["username", "password"]);
}

#[tokio::test]
async fn a_supervisor_creates_and_disables_staff_of_their_office() {
    let app = spawn_app().await;
    app.add_staff("sz-gusu", "supervisor", "chief.ma", "supervisor-password");
    let chief = app.sign_in("chief.ma", "supervisor-password").await;
    let path = "/v1/registrar/offices/sz-gusu/staff";
    let body = serde_json::json!({"username": "new.clerk", "display_name": "新登记员", "role": "registrar", "password": "a long password"});
    let resp = app
        .authed(Method::POST, path, &chief)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["role"], "registrar");
    let clerk = app.sign_in("new.clerk", "a long password").await;
    let again = app
        .authed(Method::POST, path, &chief)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(again).await["code"], "username_taken");
    let sup = serde_json::json!({"username": "x.y", "display_name": "x", "role": "supervisor", "password": "short"});
    let resp = app
        .authed(Method::POST, path, &chief)
        .json(&sup)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(
        problem(resp).await["invalid_params"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let listed: Value = app.get_authed(path, &chief).await.json().await.unwrap();
    assert_eq!(listed["staff"].as_array().unwrap().len(), 2);
    // Registrars may not manage staff; other offices are out of reach.
    assert_eq!(
        app.authed(Method::POST, path, &clerk)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let elsewhere = "/v1/registrar/offices/nj-xuanwu/staff";
    assert_eq!(app.get_authed(elsewhere, &chief).await.status(), 403);

    let id = created["id"].as_i64().unwrap();
    let resp = app
        .authed(
            Method::POST,
            &format!("/v1/registrar/staff/{id}/disable"),
            &chief,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap()["disabled"], true);
    let me = app.get_authed("/v1/registrar/me", &clerk).await;
    assert_eq!(
        me.status(),
        401,
        "the disabled account's token stops working"
    );
    assert_eq!(
        app.post_sign_in("new.clerk", "a long password")
            .await
            .status(),
        401
    );
}
