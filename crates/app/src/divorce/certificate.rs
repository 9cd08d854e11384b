//! Reading a divorce certificate (`L`, `BL`) at the counter: its status, office, issue time,
//! the parties masked and the number's history (the number it supersedes, the one that
//! superseded it). Only the registering office reads it (it is the one that reissues); every
//! read, and every refused one, is an audit event like a marriage certificate's.

use serde::Serialize;

use hunyin_domain::certificate::CertificateNumber;
use hunyin_domain::mask::mask;
use hunyin_domain::time::rfc3339_utc;
use hunyin_store::divorce as store;
use hunyin_store::{self as db, DbConn};

use super::audit_divorce;
use crate::applications::COUNTER;
use crate::audit::{self, Details, Event};
use crate::auth::Staff;
use crate::error::{AppError, InvalidParam};

/// A party of a divorce certificate, ID number masked.
#[derive(Debug, Clone, Serialize)]
pub struct DivorceCertificateParty {
    pub name: String,
    pub id_number_masked: String,
}

/// A divorce certificate as the counter reads it.
#[derive(Debug, Clone, Serialize)]
pub struct DivorceCertificateView {
    pub certificate_number: String,
    /// `L` or `BL`.
    pub kind: String,
    pub status: String,
    pub office_id: String,
    pub issued_at: String,
    /// The divorce application's reference.
    pub reference: String,
    pub parties: Vec<DivorceCertificateParty>,
    pub supersedes: Option<String>,
    pub superseded_by: Option<String>,
}

/// Divorce certificate `number` for counter staff of its registering office: 400
/// `invalid_certificate_number`, 404, 403 `forbidden_office` (audited as
/// `divorce.certificate_read_refused`); a read is audited as `divorce.certificate_read`.
pub fn certificate(
    conn: &mut DbConn,
    staff: &Staff,
    number: &str,
) -> Result<DivorceCertificateView, AppError> {
    if CertificateNumber::parse(number).is_none_or(|n| !n.kind.is_divorce()) {
        return Err(AppError::invalid(vec![InvalidParam::new(
            "certificate_number",
            "invalid_certificate_number",
            "L or BL + six-digit office code + -YYYY- + six-digit serial",
        )]));
    }
    staff.require_role(&COUNTER)?;
    let c = store::certificate(conn, number)?
        .ok_or_else(|| AppError::not_found("The divorce certificate"))?;
    let details = || {
        Details::none()
            .with("certificate", number)
            .with("reader_office", &staff.office_id)
            .with("certificate_office", &c.office_id)
    };
    if let Err(e) = staff.require_office(&c.office_id) {
        let action = "divorce.certificate_read_refused";
        refused(
            conn,
            staff,
            c.application_id,
            action,
            details(),
            &c.office_id,
        )?;
        return Err(e);
    }
    audit_divorce(
        conn,
        staff,
        c.application_id,
        "divorce.certificate_read",
        details(),
    )?;
    let app = store::by_id(conn, c.application_id)?;
    let parties = store::parties(conn, c.application_id)?;
    let superseded_by = store::superseded_by(conn, number)?;
    Ok(DivorceCertificateView {
        certificate_number: c.number,
        kind: c.kind,
        status: c.status,
        office_id: c.office_id,
        issued_at: rfc3339_utc(c.issued_at),
        reference: app.reference,
        parties: parties
            .iter()
            .map(|p| DivorceCertificateParty {
                name: p.name.clone(),
                id_number_masked: mask(&p.id_number),
            })
            .collect(),
        supersedes: c.supersedes,
        superseded_by,
    })
}

/// A refused read, in the reader's trail and in the certificate office's (one transaction):
/// each office's auditors search their own trail only.
fn refused(
    conn: &mut DbConn,
    staff: &Staff,
    id: i64,
    action: &str,
    details: Details,
    office: &str,
) -> Result<(), AppError> {
    db::write_tx(conn, |tx| -> Result<(), AppError> {
        audit_divorce(tx, staff, id, action, details.clone())?;
        let (actor, subject) = (staff.id.to_string(), id.to_string());
        let subject = Some(("divorce_application", subject.as_str()));
        let theirs = Event::by_staff(staff, &actor, action, subject, details);
        audit::record(
            tx,
            Event {
                office_id: Some(office),
                ..theirs
            },
        )?;
        Ok(())
    })
}
