//! The office's failed partner deliveries at the desk: listed with their error, put back in the
//! queue by a supervisor (audited), read-only for an auditor, closed to a registrar.

use chrono::{Duration, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::support::desk::Desk;
use crate::support::lib::partner_outbound::Outgoing;
use crate::support::lib::wire::{Notification, OfficeRef, PartyRef};
use crate::support::lib::{db, OutboxMessage};
use crate::support::{audit_count, nth_person, spawn_app};

/// Ten years ahead: the app's own workers never reach these rows.
fn later() -> NaiveDateTime {
    chrono::Utc::now().naive_utc() + Duration::days(3650)
}

#[tokio::test]
async fn desk_failed_deliveries_are_retried_by_a_supervisor_only() {
    let app = spawn_app().await;
    let mut conn = app.connect();
    db::write_tx(&mut conn, |c| -> QueryResult<()> {
        let message = OutboxMessage::PartnerNotification(Outgoing {
            partner: "henan".into(),
            notification: Notification {
                event_id: "ev-desk-1".into(),
                kind: "registration".into(),
                certificate_number: "J320508-2026-000077".into(),
                registered_at: "2026-01-01T00:00:00Z".into(),
                office: OfficeRef {
                    id: "sz-gusu".into(),
                    name: "sz-gusu".into(),
                    division_code: "320508".into(),
                },
                parties: vec![PartyRef {
                    id_number: nth_person(71, true),
                    name: "王强".into(),
                }],
                dissolves: None,
            },
        });
        message.enqueue(c, later(), later()).unwrap();
        c.batch_execute("UPDATE outbox SET failed_at = available_at")
    })
    .unwrap();
    let mut registrar = Desk::new(&app);
    registrar.staff("sz-gusu", "registrar").await;
    assert_eq!(
        registrar.get("/desk/deliveries").await.status,
        StatusCode::FORBIDDEN
    );
    let mut auditor = Desk::new(&app);
    auditor.staff("sz-gusu", "auditor").await;
    let seen = auditor.get("/desk/deliveries").await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains("J320508-2026-000077") && seen.body.contains("失败"));
    assert!(!seen.body.contains("id=\"retry-"), "an auditor only reads");
    assert!(
        !seen.body.contains(&nth_person(71, true)),
        "no full ID number"
    );
    let mut boss = Desk::new(&app);
    boss.staff("sz-gusu", "supervisor").await;
    let page = boss.get("/desk/deliveries").await;
    let id = page
        .body
        .split("id=\"retry-")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a retry button")
        .to_owned();
    let refused = auditor
        .post(&format!("/desk/deliveries/{id}/retry"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let done = boss
        .post(&format!("/desk/deliveries/{id}/retry"), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), "/desk/deliveries?done=retried");
    let after = boss.get(done.location()).await;
    assert!(after.body.contains("已重新排队投递") && after.body.contains("待投递"));
    assert!(!after.body.contains(&format!("id=\"retry-{id}\"")));
    // Twice is a conflict, shown as a page.
    let again = boss
        .post(&format!("/desk/deliveries/{id}/retry"), &[])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(audit_count(&app, "partner.notification.requeued"), 1);
}
