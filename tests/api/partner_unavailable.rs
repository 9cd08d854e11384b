//! Partners that do not answer: the check says `partner_unavailable`, the registrar verifies
//! the papers by hand, and the notifications that cannot be delivered wait for a supervisor.

use std::time::Duration;

use reqwest::Response;
use serde_json::{json, Value};

use crate::support::lib::keys;
use crate::support::partner::{KeyFile, Region, ALL_OPS, HENAN, JIANGSU};
use crate::support::proxy::free_port;
use crate::support::{
    add_resident, audit_details, couple, id_number, masked, problem, spawn_app_with, Counter,
    TestApp,
};

const JS_OFFICE: &str = "sz-gusu";

const XIAN: Region = Region {
    name: "xian",
    prefix: "6101",
    key_id: "xian-test",
};

/// The list of partner deliveries, with `query`.
async fn deliveries(app: &TestApp, token: &str, query: &str) -> Response {
    let path = format!("/v1/registrar/partner-deliveries{query}");
    app.get_authed(&path, token).await
}

#[tokio::test]
async fn an_unreachable_partner_answers_partner_unavailable_and_allows_manual_verification() {
    // 河南's instance accepts connections and never answers; 西安's port has no listener.
    let hanging = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hanging_url = format!("http://{}", hanging.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        loop {
            let (s, _) = hanging.accept().await.unwrap();
            open.push(s);
        }
    });
    let closed_url = format!("http://127.0.0.1:{}", free_port());
    let own = KeyFile::new();
    let (k1, k2) = (keys::generate().unwrap(), keys::generate().unwrap());
    let app = spawn_app_with(|s| {
        let ha = HENAN.peer(&hanging_url, &k1, &ALL_OPS);
        let xa = XIAN.peer(&closed_url, &k2, &ALL_OPS);
        JIANGSU.configure(s, &own, vec![ha, xa]);
        s.partner.timeout_ms = 400;
        s.partner.retries = 1;
        s.outbox.max_attempts = 1;
    });
    let desk = Counter::open(&app, JS_OFFICE).await;
    for (n, (hukou, birth)) in [("410105", "19960101"), ("610113", "19970202")]
        .into_iter()
        .enumerate()
    {
        let man = id_number("320508", &format!("199{n}0303"), true);
        add_resident(&app, &man, "王强", "320508", "unmarried");
        let woman = id_number(hukou, birth, false);
        let r = desk.walk_in(couple(&man, "320508", &woman, hukou)).await;
        let v = desk.run_checks(&r).await;
        assert_eq!(v["checks"][1]["outcome"], "unavailable", "{hukou}");
        assert_eq!(v["checks"][1]["reason"], "partner_unavailable", "{hukou}");
        assert_eq!(v["cleared"], false);
        // The registrar verifies the paper 户口簿 instead.
        let resp = desk
            .verify_manually(&r, 1, "unmarried", "户口簿 seen, 婚姻状况 未婚")
            .await;
        assert_eq!(resp.status(), 201);
        assert_eq!(resp.json::<Value>().await.unwrap()["cleared"], true);
        // Registered all the same; the notice to the partner waits in the outbox.
        let resp = desk.declare_and_register(&r).await;
        assert_eq!(resp.status(), 201);
    }

    // Undeliverable notifications stay visible to supervisors, who can put them back in line.
    let sup = app.supervisor(JS_OFFICE).await;
    let mut failed = Vec::new();
    for _ in 0..100 {
        let v: Value = deliveries(&app, &sup, "").await.json().await.unwrap();
        failed = v["deliveries"].as_array().unwrap().clone();
        if failed.len() == 2 && failed.iter().all(|d| d["state"] == "failed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failed.len(), 2, "{failed:?}");
    let partners: Vec<&str> = failed
        .iter()
        .map(|d| d["partner"].as_str().unwrap())
        .collect();
    assert_eq!(partners, ["xian", "henan"]);
    assert!(failed
        .iter()
        .all(|d| d["state"] == "failed" && d["attempts"] == 1 && d["last_error"].is_string()));
    assert_eq!(
        failed[0]["parties"][0],
        masked(&id_number("610113", "19970202", false))
    );
    assert_eq!(
        problem(deliveries(&app, &desk.token, "").await).await["code"],
        "forbidden_role"
    );
    assert_eq!(
        problem(deliveries(&app, &sup, "?state=bogus").await).await["code"],
        "invalid_request"
    );
    let id = failed[0]["id"].as_i64().unwrap();
    let retry = |id: i64| format!("/v1/registrar/partner-deliveries/{id}/retry");
    let resp = app.post_authed(&retry(id), &sup, &json!({})).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        audit_details(&app, "partner.notification.requeued").len(),
        1
    );
    let resp = app.post_authed(&retry(999999), &sup, &json!({})).await;
    assert_eq!(problem(resp).await["code"], "not_found");
    held.abort();
}
