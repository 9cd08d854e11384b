//! Registration notifications to partner regions: written to the outbox in the transaction that
//! registers, reissues or revokes (one message per partner region of the parties' hukou, with
//! only that region's parties), delivered by the outbox worker until acknowledged; and the
//! supervisors' view of deliveries with a retry for failed ones.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use hunyin_domain::mask::mask;
use hunyin_domain::staff::Role;
use hunyin_domain::time::rfc3339_utc;
use hunyin_partner::client::{self, CallError};
use hunyin_partner::wire::{Notification, NotificationAck, OfficeRef, PartyRef};
use hunyin_partner::{Directory, Operation, Partners};
use hunyin_store::offices::Office;
use hunyin_store::{self as db, DbConn};

use crate::audit::{self, Details, Event};
use crate::auth::Staff;
use crate::error::AppError;
use crate::outbox::OutboxMessage;

/// What the outbox holds for a partner: to whom, and what.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outgoing {
    pub partner: String,
    pub notification: Notification,
}

/// A party of a registration with the hukou code that picks its home region.
pub struct Party<'a> {
    pub id_number: &'a str,
    pub name: &'a str,
    pub hukou_division_code: &'a str,
}

/// The registering office as partners see it.
pub fn office_ref(o: &Office) -> OfficeRef {
    OfficeRef {
        id: o.id.clone(),
        name: o.name.clone(),
        division_code: o.division_code.clone(),
    }
}

/// Enqueues, in the caller's transaction, one notification per partner region among the
/// parties' hukou regions. Returns the partners notified.
pub fn enqueue(
    conn: &mut DbConn,
    directory: &Directory,
    kind: &str,
    certificate_number: &str,
    registered_at: NaiveDateTime,
    office: &OfficeRef,
    parties: &[Party<'_>],
) -> Result<Vec<String>, AppError> {
    let at = (registered_at, office);
    enqueue_dissolving(conn, directory, kind, certificate_number, at, parties, None)
}

/// [`enqueue`], and for a divorce the marriage it ends with the partner that registered it
/// (`dissolves`: certificate, partner): that partner is told the number to mark `dissolved`,
/// with both parties when neither is its resident.
pub fn enqueue_dissolving(
    conn: &mut DbConn,
    directory: &Directory,
    kind: &str,
    certificate_number: &str,
    (registered_at, office): (NaiveDateTime, &OfficeRef),
    parties: &[Party<'_>],
    dissolves: Option<(&str, &str)>,
) -> Result<Vec<String>, AppError> {
    let mut partners: Vec<(String, Vec<PartyRef>)> = Vec::new();
    if let Some((_, registrar)) = dissolves {
        let all = parties.iter().map(|p| PartyRef {
            id_number: p.id_number.to_owned(),
            name: p.name.to_owned(),
        });
        let home = |p: &Party<'_>| {
            directory
                .for_division(p.hukou_division_code)
                .is_some_and(|peer| peer.name == registrar)
        };
        if !parties.iter().any(home) {
            partners.push((registrar.to_owned(), all.collect()));
        }
    }
    for p in parties {
        let Some(peer) = directory.for_division(p.hukou_division_code) else {
            continue;
        };
        let party = PartyRef {
            id_number: p.id_number.to_owned(),
            name: p.name.to_owned(),
        };
        match partners.iter_mut().find(|(n, _)| *n == peer.name) {
            Some((_, list)) => list.push(party),
            None => partners.push((peer.name.clone(), vec![party])),
        }
    }
    let now = crate::clock::now();
    for (name, parties) in &partners {
        let message = OutboxMessage::PartnerNotification(Outgoing {
            partner: name.clone(),
            notification: Notification {
                event_id: uuid::Uuid::new_v4().to_string(),
                kind: kind.to_owned(),
                certificate_number: certificate_number.to_owned(),
                registered_at: rfc3339_utc(registered_at),
                office: office.clone(),
                parties: parties.clone(),
                dissolves: dissolves
                    .filter(|(_, registrar)| registrar == name)
                    .map(|(number, _)| number.to_owned()),
            },
        });
        message.enqueue(conn, now, now)?;
    }
    Ok(partners.into_iter().map(|(n, _)| n).collect())
}

/// Delivers one notification: a signed POST, accepted only with a signed 202 acknowledging
/// this event id. Every failure is retried by the outbox.
pub fn deliver(
    conn: &mut DbConn,
    partners: &Partners,
    agent: &ureq::Agent,
    out: &Outgoing,
) -> Result<(), String> {
    let peer = partners
        .directory
        .by_name(&out.partner)
        .ok_or_else(|| format!("partner {:?} is no longer in the directory", out.partner))?;
    let body = serde_json::to_vec(&out.notification).map_err(|e| e.to_string())?;
    let result = client::call(
        partners,
        agent,
        peer,
        "POST",
        "/v1/partner/notifications",
        Some(&body),
    );
    let outcome = match &result {
        Ok((202, bytes)) => {
            let ack: NotificationAck = serde_json::from_slice(bytes)
                .map_err(|e| format!("unreadable acknowledgement: {e}"))?;
            if ack.event_id != out.notification.event_id {
                return Err("the acknowledgement names another event".into());
            }
            "acknowledged"
        }
        Ok((status, _)) => return Err(format!("partner answered {status}, not 202")),
        Err(CallError::Refused(s, code)) => return Err(format!("refused: {s} {code}")),
        Err(e) => return Err(e.to_string()),
    };
    let n = &out.notification;
    let masked: Vec<String> = n.parties.iter().map(|p| mask(&p.id_number)).collect();
    audit::record(
        conn,
        Event {
            actor_kind: "system",
            actor_role: None,
            request_id: None,
            actor_id: None,
            office_id: Some(&n.office.id),
            action: "partner.notification.sent",
            subject_kind: Some("certificate"),
            subject_id: Some(&n.certificate_number),
            details: Details::none()
                .with("partner", &peer.name)
                .with(
                    "key_id",
                    partners.identity.as_ref().map(|(k, _)| k.as_str()),
                )
                .with("operation", Operation::Notification.name())
                .with("type", &n.kind)
                .with("event_id", &n.event_id)
                .with("parties", masked)
                .with("result", outcome),
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}

/// A notification in the outbox as supervisors see it (ID numbers masked).
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryView {
    pub id: i64,
    pub partner: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub event_id: String,
    pub certificate_number: String,
    pub parties: Vec<String>,
    /// `pending`, `delivered` or `failed`.
    pub state: &'static str,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: String,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    pub failed_at: Option<String>,
}

/// The deliveries of one office.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveriesView {
    pub office_id: String,
    pub deliveries: Vec<DeliveryView>,
}

/// The registering office of an outbox row and the row as supervisors see it.
fn delivery_view(row: &db::outbox::Row) -> Option<(String, DeliveryView)> {
    let out: Outgoing = serde_json::from_str(&row.payload).ok()?;
    let state = if row.delivered_at.is_some() {
        "delivered"
    } else if row.failed_at.is_some() {
        "failed"
    } else {
        "pending"
    };
    let n = out.notification;
    let view = DeliveryView {
        id: row.id,
        partner: out.partner,
        kind: n.kind,
        event_id: n.event_id,
        certificate_number: n.certificate_number,
        parties: n.parties.iter().map(|p| mask(&p.id_number)).collect(),
        state,
        attempts: row.attempts,
        last_error: row.last_error.clone(),
        created_at: rfc3339_utc(row.created_at),
        next_attempt_at: (state == "pending").then(|| rfc3339_utc(row.available_at)),
        delivered_at: row.delivered_at.map(rfc3339_utc),
        failed_at: row.failed_at.map(rfc3339_utc),
    };
    Some((n.office.id, view))
}

/// Notifications of the staff member's office to partners: the undelivered ones (pending or
/// set aside as failed), or all: the newest 500 of the office (filtered in the query, then
/// limited). Supervisors and auditors.
pub fn deliveries(conn: &mut DbConn, staff: &Staff, all: bool) -> Result<DeliveriesView, AppError> {
    staff.require_role(&[Role::Supervisor, Role::Auditor])?;
    let kind = OutboxMessage::PARTNER_NOTIFICATION;
    let rows = db::outbox::of_kind(conn, kind, &staff.office_id, !all, 500)?;
    let deliveries = rows
        .iter()
        .filter_map(delivery_view)
        .filter(|(office, _)| *office == staff.office_id)
        .map(|(_, v)| v)
        .collect();
    Ok(DeliveriesView {
        office_id: staff.office_id.clone(),
        deliveries,
    })
}

/// Puts a failed notification back in the queue (supervisors), audited.
pub fn retry(conn: &mut DbConn, staff: &Staff, id: i64) -> Result<DeliveryView, AppError> {
    staff.require_role(&[Role::Supervisor])?;
    let kind = OutboxMessage::PARTNER_NOTIFICATION;
    let not_found = || AppError::not_found("The delivery");
    let row = db::outbox::find_of_kind(conn, id, kind)?.ok_or_else(not_found)?;
    let (office, _) = delivery_view(&row).ok_or_else(not_found)?;
    staff.require_office(&office)?;
    db::write_tx(conn, |c| -> Result<(), AppError> {
        if !db::outbox::requeue_failed(c, id, crate::clock::now())? {
            return Err(AppError::conflict("not_failed", "Not a failed delivery", "该通知未处于失败状态")
                .with_detail(
                    "Only a delivery set aside as failed can be retried; pending ones are retried automatically.",
                    "只有已标记为失败的通知才能重新投递，待投递的通知会自动重试。",
                ));
        }
        let actor = staff.id.to_string();
        let subject = id.to_string();
        audit::record(
            c,
            Event::by_staff(
                staff,
                &actor,
                "partner.notification.requeued",
                Some(("outbox", &subject)),
                Details::none(),
            ),
        )?;
        Ok(())
    })?;
    let row = db::outbox::find_of_kind(conn, id, kind)?.ok_or_else(not_found)?;
    delivery_view(&row).map(|(_, v)| v).ok_or_else(not_found)
}
