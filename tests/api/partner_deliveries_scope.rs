//! An office's list of partner deliveries is its own, whatever the other offices hold: the
//! office is filtered in the query, before the limit.

use chrono::{Duration, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::Value;

use crate::support::lib::partner_outbound::Outgoing;
use crate::support::lib::wire::{Notification, OfficeRef, PartyRef};
use crate::support::lib::{db, OutboxMessage};
use crate::support::{nth_person, spawn_app, Counter, TestApp};

/// Ten years ahead: the app's own sweep (at the real time) never reaches these rows.
fn later() -> NaiveDateTime {
    chrono::Utc::now().naive_utc() + Duration::days(3650)
}

/// A partner notification of `office` set aside as failed.
fn failed_delivery(conn: &mut db::DbConn, office: &str, n: u32) {
    let message = OutboxMessage::PartnerNotification(Outgoing {
        partner: "henan".into(),
        notification: Notification {
            event_id: format!("ev-{office}-{n}"),
            kind: "registration".into(),
            certificate_number: format!("J320508-2026-{n:06}"),
            registered_at: "2026-01-01T00:00:00Z".into(),
            office: OfficeRef {
                id: office.into(),
                name: office.into(),
                division_code: "320508".into(),
            },
            parties: vec![PartyRef {
                id_number: nth_person(n, true),
                name: "王强".into(),
            }],
            dissolves: None,
        },
    });
    message.enqueue(conn, later(), later()).unwrap();
}

async fn failed_deliveries_seen(app: &TestApp, office: &str) -> usize {
    let chief = Counter::new(app, &app.supervisor(office).await, office);
    let resp = chief.get("/v1/registrar/partner-deliveries").await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    v["deliveries"].as_array().unwrap().len()
}

#[tokio::test]
async fn the_partner_deliveries_list_filters_by_office_before_it_limits() {
    let app = spawn_app().await;
    let mut conn = app.connect();
    db::write_tx(&mut conn, |c| -> QueryResult<()> {
        for n in 0..3 {
            failed_delivery(c, "sz-gusu", n);
        }
        // The other office's are newer, and more than one page.
        for n in 0..505 {
            failed_delivery(c, "nj-xuanwu", 1000 + n);
        }
        c.batch_execute("UPDATE outbox SET failed_at = available_at")
    })
    .unwrap();
    assert_eq!(failed_deliveries_seen(&app, "sz-gusu").await, 3);
    assert_eq!(failed_deliveries_seen(&app, "nj-xuanwu").await, 500);
}
