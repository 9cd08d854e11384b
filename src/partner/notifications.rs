//! Registration notifications between regions: written to the outbox in the transaction that
//! registers, reissues or revokes (one message per partner region of the parties' hukou, with
//! only that region's parties), delivered by the outbox worker until acknowledged, and applied
//! once by the receiver (idempotent by event id) to its own residents only.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::client::{self, CallError};
use super::{Directory, Partners};
use crate::audit::{self, Event};
use crate::db::{self, household, partner, DbConn};
use crate::errors::{ApiError, InvalidParam};
use crate::telemetry::mask;

/// Outbox kind of a notification to a partner.
pub const KIND: &str = "partner_notification";

pub const MARRIAGE_REGISTERED: &str = "marriage_registered";
pub const CERTIFICATE_REISSUED: &str = "certificate_reissued";
pub const REGISTRATION_REVOKED: &str = "registration_revoked";

/// The registering office as partners see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OfficeRef {
    pub id: String,
    pub name: String,
    pub division_code: String,
}

impl From<&crate::db::offices::Office> for OfficeRef {
    fn from(o: &crate::db::offices::Office) -> Self {
        OfficeRef {
            id: o.id.clone(),
            name: o.name.clone(),
            division_code: o.division_code.clone(),
        }
    }
}

/// A party named in a notification.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PartyRef {
    pub id_number: String,
    pub name: String,
}

/// The body of `POST /v1/partner/notifications`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub certificate_number: String,
    /// RFC 3339, UTC.
    pub registered_at: String,
    pub office: OfficeRef,
    pub parties: Vec<PartyRef>,
}

/// What the outbox holds: to whom, and what.
#[derive(Debug, Serialize, Deserialize)]
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
) -> Result<Vec<String>, ApiError> {
    let mut partners: Vec<(String, Vec<PartyRef>)> = Vec::new();
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
        let out = Outgoing {
            partner: name.clone(),
            notification: Notification {
                event_id: uuid::Uuid::new_v4().to_string(),
                kind: kind.to_owned(),
                certificate_number: certificate_number.to_owned(),
                registered_at: crate::clock::rfc3339_utc(registered_at),
                office: office.clone(),
                parties: parties.clone(),
            },
        };
        db::outbox::enqueue(conn, KIND, &json!(out), now)?;
    }
    Ok(partners.into_iter().map(|(n, _)| n).collect())
}

/// Delivers one outbox message: a signed POST, accepted only with a signed 202 acknowledging
/// this event id. Every failure is retried by the outbox.
pub fn deliver(
    conn: &mut DbConn,
    partners: &Partners,
    agent: &ureq::Agent,
    payload: &str,
) -> Result<(), String> {
    let out: Outgoing = serde_json::from_str(payload).map_err(|e| e.to_string())?;
    let peer = partners
        .directory
        .by_name(&out.partner)
        .ok_or_else(|| format!("partner {:?} is no longer in the directory", out.partner))?;
    let body = json!(out.notification);
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
            let ack: serde_json::Value = serde_json::from_slice(bytes)
                .map_err(|e| format!("unreadable acknowledgement: {e}"))?;
            if ack["event_id"] != out.notification.event_id.as_str() {
                return Err("the acknowledgement names another event".into());
            }
            "acknowledged"
        }
        Ok((status, _)) => return Err(format!("partner answered {status}, not 202")),
        Err(CallError::Refused(s, code)) => return Err(format!("refused: {s} {code}")),
        Err(e) => return Err(e.to_string()),
    };
    let masked: Vec<String> = out
        .notification
        .parties
        .iter()
        .map(|p| mask(&p.id_number))
        .collect();
    audit::record(
        conn,
        Event {
            actor_kind: "system",
            actor_role: None,
            request_id: None,
            actor_id: None,
            office_id: Some(&out.notification.office.id),
            action: "partner.notification.sent",
            subject_kind: Some("certificate"),
            subject_id: Some(&out.notification.certificate_number),
            details: json!({
                "partner": peer.name,
                "key_id": partners.identity.as_ref().map(|(k, _)| k.as_str()),
                "operation": "notification",
                "type": out.notification.kind,
                "event_id": out.notification.event_id,
                "parties": masked,
                "result": outcome,
            }),
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}

/// Validates a received notification's fields.
pub fn validate(n: &Notification) -> Result<(), ApiError> {
    let mut bad = Vec::new();
    let ok_id = !n.event_id.is_empty()
        && n.event_id.len() <= 64
        && n.event_id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
    if !ok_id {
        bad.push(InvalidParam::new(
            "event_id",
            "invalid_event_id",
            "1-64 letters, digits, '-' or '_'",
        ));
    }
    if ![
        MARRIAGE_REGISTERED,
        CERTIFICATE_REISSUED,
        REGISTRATION_REVOKED,
    ]
    .contains(&n.kind.as_str())
    {
        bad.push(InvalidParam::new(
            "type",
            "invalid_type",
            "marriage_registered, certificate_reissued or registration_revoked",
        ));
    }
    if crate::domain::certificate::CertificateNumber::parse(&n.certificate_number).is_none() {
        bad.push(InvalidParam::new(
            "certificate_number",
            "invalid_certificate_number",
            "a certificate number such as J320505-2021-000123",
        ));
    }
    if parse_time(&n.registered_at).is_none() {
        bad.push(InvalidParam::new(
            "registered_at",
            "invalid_datetime",
            "RFC 3339 in UTC, e.g. 2026-05-20T01:30:00Z",
        ));
    }
    if n.parties.is_empty() || n.parties.len() > 2 {
        bad.push(InvalidParam::new(
            "parties",
            "invalid_parties",
            "one or two parties",
        ));
    }
    let today = crate::clock::today();
    for (i, p) in n.parties.iter().enumerate() {
        if crate::domain::IdNumber::parse(&p.id_number, today).is_err() {
            bad.push(InvalidParam::new(
                format!("parties[{i}].id_number"),
                "invalid_id_number",
                "a GB 11643 citizen ID number",
            ));
        }
        let len = p.name.trim().chars().count();
        if len == 0 || len > 50 {
            bad.push(InvalidParam::new(
                format!("parties[{i}].name"),
                "invalid_name",
                "1-50 characters",
            ));
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(bad))
    }
}

/// Parses an RFC 3339 time to UTC.
pub fn parse_time(s: &str) -> Option<NaiveDateTime> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.naive_utc())
}

/// The outcome of applying a notification.
pub struct Applied {
    pub duplicate: bool,
    pub applied: i32,
}

/// Applies a validated notification from `partner` once: residents of this region become
/// married (their previous status kept) or, on revocation, get their previous status back (a
/// revoked marriage is void from the start, 民法典 第1054条).
/// A repeated event id changes nothing.
pub fn apply(
    conn: &mut DbConn,
    partner_name: &str,
    key_id: &str,
    n: &Notification,
) -> Result<Applied, ApiError> {
    let now = crate::clock::now();
    db::write_tx(conn, |c| -> Result<Applied, ApiError> {
        let stored = partner::store_received(
            c,
            &partner::Received {
                event_id: n.event_id.clone(),
                partner: partner_name.to_owned(),
                kind: n.kind.clone(),
                certificate_number: n.certificate_number.clone(),
                office: n.office.id.clone(),
                registered_at: parse_time(&n.registered_at).unwrap_or(now),
                received_at: now,
                applied: 0,
            },
        )?;
        if !stored {
            return Ok(Applied {
                duplicate: true,
                applied: 0,
            });
        }
        let mut applied = 0;
        let mut results = Vec::new();
        for p in &n.parties {
            let id = p.id_number.to_ascii_uppercase();
            let result = match household::find(c, &id)? {
                None => "not_our_resident",
                Some(r) if r.name != p.name.trim() => "name_mismatch",
                Some(r) => match n.kind.as_str() {
                    MARRIAGE_REGISTERED if r.marital_status == "married" => "already_married",
                    MARRIAGE_REGISTERED => {
                        partner::record_marriage(
                            c,
                            &n.event_id,
                            &n.certificate_number,
                            &id,
                            &r.marital_status,
                        )?;
                        household::set_marital_status(c, &id, "married")?;
                        applied += 1;
                        "married"
                    }
                    REGISTRATION_REVOKED => match partner::open_marriage(c, &id)? {
                        Some((row, _, previous)) => {
                            partner::restore_marriage(c, row, now)?;
                            household::set_marital_status(c, &id, &previous)?;
                            applied += 1;
                            "restored"
                        }
                        None => "no_partner_marriage",
                    },
                    _ => "recorded",
                },
            };
            if matches!(result, "name_mismatch" | "already_married") {
                tracing::warn!(partner = partner_name, person = %mask(&id), result, "partner notification not applied");
            }
            results.push(json!({ "person": mask(&id), "result": result }));
        }
        partner::set_applied(c, &n.event_id, applied)?;
        audit::record(
            c,
            Event {
                actor_kind: "partner",
                actor_role: None,
                request_id: None,
                actor_id: Some(partner_name),
                office_id: None,
                action: "partner.notification.received",
                subject_kind: Some("certificate"),
                subject_id: Some(&n.certificate_number),
                details: json!({
                    "partner": partner_name,
                    "key_id": key_id,
                    "operation": "notification",
                    "type": n.kind,
                    "event_id": n.event_id,
                    "office": n.office,
                    "parties": results,
                    "applied": applied,
                }),
            },
        )?;
        Ok(Applied {
            duplicate: false,
            applied,
        })
    })
}

/// A notification in the outbox as supervisors see it (ID numbers masked).
fn delivery_view(row: &db::outbox::Row) -> Option<(String, serde_json::Value)> {
    let out: Outgoing = serde_json::from_str(&row.payload).ok()?;
    let state = if row.delivered_at.is_some() {
        "delivered"
    } else if row.failed_at.is_some() {
        "failed"
    } else {
        "pending"
    };
    let view = json!({
        "id": row.id,
        "partner": out.partner,
        "type": out.notification.kind,
        "event_id": out.notification.event_id,
        "certificate_number": out.notification.certificate_number,
        "parties": out.notification.parties.iter().map(|p| mask(&p.id_number)).collect::<Vec<_>>(),
        "state": state,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "created_at": crate::clock::rfc3339_utc(row.created_at),
        "next_attempt_at": (state == "pending").then(|| crate::clock::rfc3339_utc(row.available_at)),
        "delivered_at": row.delivered_at.map(crate::clock::rfc3339_utc),
        "failed_at": row.failed_at.map(crate::clock::rfc3339_utc),
    });
    Some((out.notification.office.id, view))
}

/// Notifications of the staff member's office to partners: the undelivered ones (pending or
/// set aside as failed), or all (newest 500). Supervisors and auditors.
pub fn deliveries(
    conn: &mut DbConn,
    staff: &crate::auth::Staff,
    all: bool,
) -> Result<serde_json::Value, ApiError> {
    use crate::auth::Role;
    staff.require_role(&[Role::Supervisor, Role::Auditor])?;
    let rows = db::outbox::of_kind(conn, KIND, !all, 500)?;
    let items: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(delivery_view)
        .filter(|(office, _)| *office == staff.office_id)
        .map(|(_, v)| v)
        .collect();
    Ok(json!({ "office_id": staff.office_id, "deliveries": items }))
}

/// Puts a failed notification back in the queue (supervisors), audited.
pub fn retry(
    conn: &mut DbConn,
    staff: &crate::auth::Staff,
    id: i64,
) -> Result<serde_json::Value, ApiError> {
    use crate::auth::Role;
    staff.require_role(&[Role::Supervisor])?;
    let not_found = || ApiError::not_found("The delivery");
    let row = db::outbox::find_of_kind(conn, id, KIND)?.ok_or_else(not_found)?;
    let (office, _) = delivery_view(&row).ok_or_else(not_found)?;
    staff.require_office(&office)?;
    db::write_tx(conn, |c| -> Result<(), ApiError> {
        if !db::outbox::requeue_failed(c, id, crate::clock::now())? {
            return Err(ApiError::conflict("not_failed", "Not a failed delivery", "该通知未处于失败状态")
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
                json!({}),
            ),
        )?;
        Ok(())
    })?;
    let row = db::outbox::find_of_kind(conn, id, KIND)?.ok_or_else(not_found)?;
    delivery_view(&row).map(|(_, v)| v).ok_or_else(not_found)
}
