//! The partner side of a divorce: a partner's status query (`GET /v1/partner/registrations/{n}`)
//! for a divorce certificate (`L`, `BL`) this region issued (its status, the number it
//! supersedes or that superseded it, the office, the parties masked; audited like a
//! marriage's), and a partner's `divorce_registered` that ends a marriage registered here.

use hunyin_domain::mask::mask;
use hunyin_domain::time::rfc3339_utc;
use hunyin_partner::wire::{MaskedParty, Notification, RegistrationStatus};
use hunyin_partner::{Operation, Peer};
use hunyin_store::divorce as store;
use hunyin_store::{appointments, married, offices, registration, DbConn};

use crate::audit;
use crate::error::AppError;
use crate::partner_inbound::received;
use crate::partner_outbound::office_ref;

/// The status of divorce certificate `number` (404 when this region issued none such).
pub fn partner_status(
    conn: &mut DbConn,
    peer: &Peer,
    number: &str,
) -> Result<RegistrationStatus, AppError> {
    let c =
        store::certificate(conn, number)?.ok_or_else(|| AppError::not_found("The certificate"))?;
    let office =
        offices::find(conn, &c.office_id)?.ok_or_else(|| AppError::not_found("The office"))?;
    let parties = store::parties(conn, c.application_id)?;
    let superseded_by = store::superseded_by(conn, number)?;
    let subject = c.application_id.to_string();
    let mut event = received(
        peer,
        Operation::RegistrationStatus,
        "partner.registration_status.received",
        Some(&c.office_id),
        ("divorce_application", &subject),
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
        revoked_at: None,
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

/// Marks `dissolved` the marriage registered here that a partner's `divorce_registered` names
/// (`dissolves`), when it is valid and its parties are the ones notified; releases its parties
/// so that they may marry again. Answers the certificate dissolved, if any.
pub fn dissolve_notified(
    conn: &mut DbConn,
    n: &Notification,
    now: chrono::NaiveDateTime,
) -> Result<Option<String>, AppError> {
    let Some(number) = n.dissolves.as_deref() else {
        return Ok(None);
    };
    let Some(c) = registration::certificate(conn, number)? else {
        return Ok(None);
    };
    let ids: Vec<String> = appointments::parties(conn, c.appointment_id)?
        .into_iter()
        .map(|p| p.id_number)
        .collect();
    let theirs = n
        .parties
        .iter()
        .all(|p| ids.contains(&p.id_number.to_ascii_uppercase()));
    if !theirs || !registration::certificate_transition(conn, number, "valid", "dissolved")? {
        tracing::warn!(
            certificate = number,
            "divorce notice names a marriage not dissolved here"
        );
        return Ok(None);
    }
    married::release(conn, c.appointment_id, now)?;
    Ok(Some(number.to_owned()))
}
