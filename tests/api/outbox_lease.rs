//! No message is delivered twice because a batch was slow: two 江苏 instances share one outbox,
//! and 河南 answers each notification late enough that one batch outlasts its lease.

use std::time::Duration;

use diesel::prelude::*;
use serde_json::json;

use crate::support::lib::{db, schema};
use crate::support::partner::{KeyFile, ALL_OPS, HENAN, JIANGSU};
use crate::support::proxy::{free_port, start_slow};
use crate::support::{eventually, id_number, spawn_app_on, spawn_app_with, TestApp};

/// A notification to 河南 about one of its (unknown) residents, as the outbox holds it.
fn notification(n: usize) -> String {
    json!({
        "partner": "henan",
        "notification": {
            "event_id": uuid::Uuid::new_v4().to_string(),
            "type": "marriage_registered",
            "certificate_number": format!("J320508-2026-{:06}", n + 1),
            "registered_at": "2026-05-20T01:30:00Z",
            "office": {"id": "sz-gusu", "name": "苏州市姑苏区民政局婚姻登记处", "division_code": "320508"},
            "parties": [{"id_number": id_number("410105", "19950310", true), "name": "王强"}],
        }
    })
    .to_string()
}

/// Successful deliveries per event, from the sending region's audit trail.
fn deliveries(app: &TestApp) -> Vec<String> {
    use schema::audit_events::dsl;
    let details: Vec<String> = dsl::audit_events
        .filter(dsl::action.eq("partner.notification.sent"))
        .select(dsl::details)
        .load(&mut app.connect())
        .unwrap();
    details
        .iter()
        .map(|d| serde_json::from_str::<serde_json::Value>(d).unwrap()["event_id"].to_string())
        .collect()
}

#[tokio::test]
async fn a_slow_partner_gets_each_notification_once_from_two_workers() {
    let (js_key, ha_key) = (KeyFile::new(), KeyFile::new());
    // 河南 is reached through the slow proxy: it is the address partners sign for.
    let ha_port = free_port();
    let slow = start_slow(format!("127.0.0.1:{ha_port}"), Duration::from_millis(1200));
    let _ha = spawn_app_with(|s| {
        s.server.port = ha_port;
        let js = JIANGSU.peer("http://127.0.0.1:9", &js_key.key, &ALL_OPS);
        HENAN.configure(s, &ha_key, vec![js]);
        s.partner.public_url = format!("http://127.0.0.1:{slow}");
    });
    // Four answers of 1.2 s each outlast a 3 s lease; a 2.5 s call still fits in one.
    let js_settings = |s: &mut crate::support::lib::Settings| {
        let ha_peer = HENAN.peer(&format!("http://127.0.0.1:{slow}"), &ha_key.key, &ALL_OPS);
        JIANGSU.configure(s, &js_key, vec![ha_peer]);
        s.partner.connect_timeout_ms = 300;
        s.partner.timeout_ms = 2500;
        s.mail.smtp_timeout_ms = 2000;
        s.outbox.lease_secs = 3;
        s.outbox.poll_interval_ms = 100;
    };
    let js1 = spawn_app_with(js_settings);
    let js2 = spawn_app_on(js1.db.clone(), js1.db.url(), js_settings);
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1);
    let mut conn = js1.connect();
    for n in 0..4 {
        db::outbox::enqueue(
            &mut conn,
            "partner_notification",
            &notification(n),
            past,
            past,
        )
        .unwrap();
    }
    eventually("four notifications delivered", || {
        deliveries(&js1).len() >= 4
    })
    .await;
    // Give a second worker the time it would need to deliver a message again.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mut sent = deliveries(&js1);
    sent.sort();
    let before = sent.len();
    sent.dedup();
    assert_eq!(
        before, 4,
        "each of the 4 notifications delivered once: {sent:?}"
    );
    drop(js2);
}

#[test]
fn a_lease_shorter_than_one_delivery_is_refused_at_start() {
    let vars = vec![("APP__OUTBOX__LEASE_SECS".to_owned(), "5".to_owned())];
    let e = crate::support::lib::Settings::load(None, vars).unwrap_err();
    assert!(e.to_string().contains("outbox.lease_secs"), "{e}");
}
