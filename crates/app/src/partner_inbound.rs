//! What a partner region asks of this one, after its signature was checked: a household
//! verification (data minimisation: five fields, nothing more), a notification about one of our
//! residents (applied once, idempotent by event id), and a registration's status. Each read of
//! a person's data is an audit event.

use chrono::NaiveDateTime;

use hunyin_domain::certificate::CertificateNumber;
use hunyin_domain::mask::mask;
use hunyin_domain::time::rfc3339_utc;
use hunyin_domain::IdNumber;
use hunyin_partner::wire::{
    MaskedParty, Notification, NotificationAck, RegistrationStatus, VerificationAnswer,
    VerificationRequest, CERTIFICATE_REISSUED, DIVORCE_REGISTERED, MARRIAGE_REGISTERED,
    PURPOSE_DIVORCE_REGISTRATION, PURPOSE_MARRIAGE_REGISTRATION, REGISTRATION_REVOKED,
};
use hunyin_partner::{Operation, Peer};
use hunyin_store::household::SetBy;
use hunyin_store::{self as db, appointments, household, offices, partner, registration, DbConn};

use crate::audit::{self, Details, Event};
use crate::error::{AppError, InvalidParam};
use crate::partner_outbound::office_ref;

/// The audit event of a request a partner made, with the partner, its key and the operation.
pub(crate) fn received<'a>(
    peer: &'a Peer,
    op: Operation,
    action: &'a str,
    office_id: Option<&'a str>,
    subject: (&'a str, &'a str),
) -> Event<'a> {
    Event {
        actor_kind: "partner",
        actor_role: None,
        request_id: None,
        actor_id: Some(&peer.name),
        office_id,
        action,
        subject_kind: Some(subject.0),
        subject_id: Some(subject.1),
        details: Details::none()
            .with("partner", &peer.name)
            .with("key_id", &peer.key_id)
            .with("operation", op.name()),
    }
}

fn valid_name(name: &str) -> bool {
    (1..=50).contains(&name.trim().chars().count())
}

/// Checks a household verification's fields.
pub fn validate_verification(v: &VerificationRequest) -> Result<(), AppError> {
    let mut bad = Vec::new();
    if IdNumber::parse(&v.id_number, crate::clock::today()).is_err() {
        bad.push(InvalidParam::new(
            "id_number",
            "invalid_id_number",
            "a GB 11643 citizen ID number",
        ));
    }
    if !valid_name(&v.name) {
        bad.push(InvalidParam::new("name", "invalid_name", "1-50 characters"));
    }
    if ![PURPOSE_MARRIAGE_REGISTRATION, PURPOSE_DIVORCE_REGISTRATION].contains(&v.purpose.as_str())
    {
        bad.push(InvalidParam::new(
            "purpose",
            "invalid_purpose",
            "marriage_registration or divorce_registration",
        ));
    }
    let text = |s: &str| !s.trim().is_empty() && s.chars().count() <= 64;
    for (field, value) in [
        ("case.office_id", &v.case.office_id),
        ("case.application_reference", &v.case.application_reference),
    ] {
        if !text(value) {
            bad.push(InvalidParam::new(field, "invalid_case", "1-64 characters"));
        }
    }
    AppError::unless_invalid(bad)
}

/// Answers a partner's household verification from this region's register, and audits it.
pub fn household_verification(
    conn: &mut DbConn,
    peer: &Peer,
    v: &VerificationRequest,
) -> Result<VerificationAnswer, AppError> {
    validate_verification(v)?;
    let id = v.id_number.trim().to_ascii_uppercase();
    let record = household::find(conn, &id)?;
    let name_matches = record.as_ref().is_some_and(|r| r.name == v.name.trim());
    // Whoever knows an ID number but not the name learns only that: nothing of the person's
    // hukou, marital status or applications.
    let found = record.is_some();
    let known = record.filter(|_| name_matches);
    let pending = known.is_some() && partner::has_open_application(conn, &id)?;
    let answer = VerificationAnswer {
        found,
        name_matches,
        hukou_division_code: known.as_ref().map(|r| r.hukou_division_code.clone()),
        marital_status: known.as_ref().map(|r| r.marital_status.clone()),
        pending_application: pending,
    };
    let masked = mask(&id);
    let op = Operation::HouseholdVerification;
    let mut event = received(
        peer,
        op,
        "partner.household_verification.received",
        None,
        ("person", &masked),
    );
    event.details = event
        .details
        .with("purpose", &v.purpose)
        .with("case", &v.case)
        .with("result", if answer.found { "found" } else { "not_found" });
    audit::record(conn, event)?;
    tracing::info!(partner = %peer.name, person = %masked, "partner household verification answered");
    Ok(answer)
}

/// Checks a received notification's fields.
pub fn validate_notification(n: &Notification) -> Result<(), AppError> {
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
        DIVORCE_REGISTERED,
    ]
    .contains(&n.kind.as_str())
    {
        bad.push(InvalidParam::new(
            "type",
            "invalid_type",
            "marriage_registered, certificate_reissued, registration_revoked or divorce_registered",
        ));
    }
    if CertificateNumber::parse(&n.certificate_number).is_none() {
        bad.push(InvalidParam::new(
            "certificate_number",
            "invalid_certificate_number",
            "a certificate number such as J320505-2021-000123",
        ));
    }
    let marriage = |d: &String| CertificateNumber::parse(d).is_some_and(|c| c.kind.is_marriage());
    if n.dissolves
        .as_ref()
        .is_some_and(|d| n.kind != DIVORCE_REGISTERED || !marriage(d))
    {
        bad.push(InvalidParam::new(
            "dissolves",
            "invalid_certificate_number",
            "with divorce_registered only: the marriage certificate number it ends",
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
        if IdNumber::parse(&p.id_number, today).is_err() {
            bad.push(InvalidParam::new(
                format!("parties[{i}].id_number"),
                "invalid_id_number",
                "a GB 11643 citizen ID number",
            ));
        }
        if !valid_name(&p.name) {
            bad.push(InvalidParam::new(
                format!("parties[{i}].name"),
                "invalid_name",
                "1-50 characters",
            ));
        }
    }
    AppError::unless_invalid(bad)
}

/// Parses an RFC 3339 time to UTC.
pub fn parse_time(s: &str) -> Option<NaiveDateTime> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.naive_utc())
}

/// What became of one party of a notification, for the audit trail.
#[derive(Debug, serde::Serialize)]
struct PartyResult {
    person: String,
    result: &'static str,
}

/// Applies a notification to one party: residents of this region become married (their
/// previous status kept) or, on revocation, get their previous status back (a revoked marriage
/// is void from the start, 民法典 第1054条).
fn apply_to(
    c: &mut DbConn,
    partner: &str,
    n: &Notification,
    id: &str,
    name: &str,
    now: NaiveDateTime,
) -> Result<&'static str, AppError> {
    let Some(r) = household::find(c, id)? else {
        return Ok("not_our_resident");
    };
    if r.name != name.trim() {
        return Ok("name_mismatch");
    }
    Ok(match n.kind.as_str() {
        MARRIAGE_REGISTERED if r.marital_status == "married" => "already_married",
        MARRIAGE_REGISTERED => {
            partner::record_marriage(c, &n.event_id, &n.certificate_number, id, &r.marital_status)?;
            household::set_marital_status(c, id, "married", SetBy::PartnerNotification, now)?;
            "married"
        }
        // Only the marriage of this certificate from this partner (another one's revocation,
        // or one naming another certificate, leaves it alone).
        REGISTRATION_REVOKED => {
            match partner::open_marriage(c, id, &n.certificate_number, partner)? {
                Some((row, previous)) => {
                    partner::restore_marriage(c, row, now)?;
                    household::set_marital_status(c, id, &previous, SetBy::Revocation, now)?;
                    "restored"
                }
                None => "no_partner_marriage",
            }
        }
        // A divorce registered by the partner: its married resident becomes divorced (a
        // resident the register does not show married is left alone, and the audit says so).
        DIVORCE_REGISTERED if r.marital_status == "married" => {
            household::set_marital_status(c, id, "divorced", SetBy::PartnerNotification, now)?;
            "divorced"
        }
        DIVORCE_REGISTERED => "not_married",
        _ => "recorded",
    })
}

/// Applies a notification from `peer` once; a repeated event id changes nothing and is
/// acknowledged as `duplicate`.
pub fn notification(
    conn: &mut DbConn,
    peer: &Peer,
    n: &Notification,
) -> Result<NotificationAck, AppError> {
    validate_notification(n)?;
    let now = crate::clock::now();
    let ack = |status: &str, applied| NotificationAck {
        event_id: n.event_id.clone(),
        status: status.to_owned(),
        applied,
    };
    db::write_tx(conn, |c| -> Result<NotificationAck, AppError> {
        let stored = partner::store_received(
            c,
            &partner::Received {
                event_id: n.event_id.clone(),
                partner: peer.name.clone(),
                kind: n.kind.clone(),
                certificate_number: n.certificate_number.clone(),
                office: n.office.id.clone(),
                registered_at: parse_time(&n.registered_at).unwrap_or(now),
                received_at: now,
                applied: 0,
            },
        )?;
        if !stored {
            return Ok(ack("duplicate", 0));
        }
        let mut applied = 0;
        let mut results = Vec::new();
        for p in &n.parties {
            let id = p.id_number.to_ascii_uppercase();
            let result = apply_to(c, &peer.name, n, &id, &p.name, now)?;
            if matches!(result, "married" | "restored" | "divorced") {
                applied += 1;
            }
            if matches!(result, "name_mismatch" | "already_married" | "not_married") {
                tracing::warn!(partner = %peer.name, person = %mask(&id), result, "partner notification not applied");
            }
            results.push(PartyResult {
                person: mask(&id),
                result,
            });
        }
        let dissolved = match n.kind.as_str() {
            DIVORCE_REGISTERED => crate::divorce::dissolve_notified(c, n, now)?,
            _ => None,
        };
        partner::set_applied(c, &n.event_id, applied)?;
        let op = Operation::Notification;
        let action = "partner.notification.received";
        let mut event = received(
            peer,
            op,
            action,
            None,
            ("certificate", &n.certificate_number),
        );
        event.details = event
            .details
            .with("type", &n.kind)
            .with("event_id", &n.event_id)
            .with("office", &n.office)
            .with("parties", results)
            .with("applied", applied)
            .with("dissolved", dissolved);
        audit::record(c, event)?;
        Ok(ack("accepted", applied))
    })
}

/// The status of a registration by certificate number (a divorce's `L`/`BL` too), the parties
/// masked; audited.
pub fn registration_status(
    conn: &mut DbConn,
    peer: &Peer,
    number: &str,
) -> Result<RegistrationStatus, AppError> {
    let Some(c) = registration::certificate(conn, number)? else {
        return crate::divorce::partner_status(conn, peer, number);
    };
    let office =
        offices::find(conn, &c.office_id)?.ok_or_else(|| AppError::not_found("The office"))?;
    let parties = appointments::parties(conn, c.appointment_id)?;
    let superseded_by = registration::superseded_by(conn, number)?;
    let subject = c.appointment_id.to_string();
    let op = Operation::RegistrationStatus;
    let action = "partner.registration_status.received";
    let mut event = received(
        peer,
        op,
        action,
        Some(&c.office_id),
        ("appointment", &subject),
    );
    event.details = event
        .details
        .with("certificate", number)
        .with("result", &c.status);
    audit::record(conn, event)?;
    Ok(RegistrationStatus {
        certificate_number: c.number,
        status: c.status,
        issued_at: rfc3339_utc(c.issued_at),
        supersedes: c.supersedes,
        superseded_by,
        revoked_at: c.revoked_at.map(rfc3339_utc),
        office: office_ref(&office),
        parties: parties
            .iter()
            .map(|p| MaskedParty {
                name: p.name.clone(),
                id_number_masked: mask(&p.id_number),
            })
            .collect(),
    })
}
