//! Certificates after registration: lookup, reissue (补领, a `BJ` number from its own counter,
//! the old number superseded) and revocation (撤销, only on a court judgment or a formal
//! recommendation, with its document). Nothing is deleted; every change is audited.

use chrono::Datelike;
use serde::Serialize;

use hunyin_domain::certificate::{CertificateNumber, Kind};
use hunyin_domain::staff::Role;
use hunyin_domain::time::rfc3339_utc;
use hunyin_domain::Status;
use hunyin_partner::wire::{CERTIFICATE_REISSUED, REGISTRATION_REVOKED};
use hunyin_partner::Directory;
use hunyin_store::appointments;
use hunyin_store::registration::{self, Certificate};
use hunyin_store::{self as db, household, married, offices, DbConn};

use crate::applications::{audit_application_in_both, COUNTER};
use crate::audit::Details;
use crate::auth::Staff;
use crate::error::{AppError, InvalidParam};
use crate::partner_outbound::{self, office_ref, Party};
use crate::views::MaskedParty;

mod lookup;
mod print;

pub use lookup::{lookup, LookupPurpose, LOOKUP_PURPOSES};
pub use print::{
    numbers_of, printable, CertificateNumbers, CertificatePrint, NumberView, PrintedParty,
};

/// Legal bases of a revocation (2021 four-agency guidance on false documents and impersonation).
pub const REVOCATION_BASES: [&str; 4] = [
    "court_judgment",
    "judicial_recommendation",
    "procuratorial_recommendation",
    "police_finding",
];

/// The next number of `kind` at `office` in `year` (字号: kind, the office's GB/T 2260 code,
/// year, serial), taken from the office's counter in the caller's transaction: gapless and
/// unique per office, year and kind.
pub(crate) fn next_number(
    conn: &mut DbConn,
    office: &offices::Office,
    year: i32,
    kind: Kind,
) -> Result<(i32, String), AppError> {
    let serial = registration::next_serial(conn, &office.id, year, kind.prefix())?;
    let number = CertificateNumber {
        kind,
        office_code: office.division_code.clone(),
        year,
        serial: serial as u32,
    };
    Ok((serial, number.to_string()))
}

/// Parses the number from the path (400) and loads it (404).
fn find(conn: &mut DbConn, number: &str) -> Result<Certificate, AppError> {
    CertificateNumber::parse(number).ok_or_else(|| {
        AppError::invalid(vec![InvalidParam::new(
            "certificate_number",
            "invalid_certificate_number",
            "J or BJ + six-digit office code + -YYYY- + six-digit serial",
        )])
    })?;
    registration::certificate(conn, number)?.ok_or_else(|| AppError::not_found("The certificate"))
}

/// The office that registered the marriage behind a certificate (a reissued number may be
/// another office's).
fn registering_office(conn: &mut DbConn, appointment_id: i64) -> Result<String, AppError> {
    appointments::find(conn, appointment_id)?
        .map(|a| a.office_id)
        .ok_or_else(|| AppError::internal("a certificate without its application"))
}

fn state_conflict(action: &str, status: &str) -> AppError {
    AppError::conflict(
        "invalid_transition",
        "Invalid transition",
        "当前状态不允许此操作",
    )
    .with_detail(
        format!("Cannot {action}: the certificate is {status}."),
        format!("无法执行此操作（{action}）：证书当前状态为 {status}。"),
    )
    .with_extension("current_status", status)
}

/// How a registration was revoked.
#[derive(Debug, Clone, Serialize)]
pub struct RevocationView {
    pub revoked_at: String,
    pub basis: Option<String>,
    pub document_reference: Option<String>,
}

/// A certificate and its history.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateView {
    pub certificate_number: String,
    pub kind: String,
    pub status: String,
    pub office_id: String,
    pub issued_at: String,
    pub issued_by: i64,
    pub supersedes: Option<String>,
    pub superseded_by: Option<String>,
    pub revocation: Option<RevocationView>,
    pub parties: Vec<MaskedParty>,
}

fn view(conn: &mut DbConn, c: &Certificate) -> Result<CertificateView, AppError> {
    let parties = appointments::parties(conn, c.appointment_id)?;
    Ok(CertificateView {
        certificate_number: c.number.clone(),
        kind: c.kind.clone(),
        status: c.status.clone(),
        office_id: c.office_id.clone(),
        issued_at: rfc3339_utc(c.issued_at),
        issued_by: c.issued_by,
        supersedes: c.supersedes.clone(),
        superseded_by: registration::superseded_by(conn, &c.number)?,
        revocation: c.revoked_at.map(|at| RevocationView {
            revoked_at: rfc3339_utc(at),
            basis: c.revocation_basis.clone(),
            document_reference: c.revocation_document.clone(),
        }),
        parties: parties
            .iter()
            .map(|p| MaskedParty::new(&p.name, &p.id_number))
            .collect(),
    })
}

/// Tells the parties' home regions about a reissue or revocation (in the caller's transaction).
fn notify(
    conn: &mut DbConn,
    directory: &Directory,
    kind: &str,
    number: &str,
    appointment_id: i64,
    office: &offices::Office,
) -> Result<(), AppError> {
    let parties = appointments::parties(conn, appointment_id)?;
    // The marriage's registration time: the first (J) certificate of the application.
    let registered_at = registration::certificates_of(conn, appointment_id)?
        .iter()
        .find(|c| c.kind == Kind::Marriage.prefix())
        .map(|c| c.issued_at)
        .unwrap_or_else(crate::clock::now);
    partner_outbound::enqueue(
        conn,
        directory,
        kind,
        number,
        registered_at,
        &office_ref(office),
        &parties
            .iter()
            .map(|p| Party {
                id_number: &p.id_number,
                name: &p.name,
                hukou_division_code: &p.hukou_division_code,
            })
            .collect::<Vec<_>>(),
    )?;
    Ok(())
}

/// Reissues a valid certificate (补领) at the original office or at the office of either party's
/// hukou, only while the marital status is unchanged (local residents still married in the
/// register); otherwise a 婚姻登记记录证明 is due instead (domain brief §5, 婚姻登记条例 第17条
/// (2003)). The `BJ` serial has its own per-office-year counter (UNCONFIRMED in the brief).
pub fn reissue(
    conn: &mut DbConn,
    staff: &Staff,
    directory: &Directory,
    number: &str,
    note: &str,
) -> Result<CertificateView, AppError> {
    staff.require_role(&COUNTER)?;
    let len = note.trim().chars().count();
    if len == 0 || len > 500 {
        return Err(AppError::invalid(vec![InvalidParam::new(
            "note",
            "invalid_note",
            "1-500 characters: who asked and why (lost, damaged …)",
        )]));
    }
    let old = find(conn, number)?;
    if old.status != "valid" {
        return Err(state_conflict("reissue", &old.status));
    }
    let here =
        offices::find(conn, &staff.office_id)?.ok_or_else(|| AppError::not_found("The office"))?;
    let parties = appointments::parties(conn, old.appointment_id)?;
    let registering = registering_office(conn, old.appointment_id)?;
    let allowed = staff.office_id == registering
        || staff.office_id == old.office_id
        || parties
            .iter()
            .any(|p| p.hukou_division_code == here.division_code);
    if !allowed {
        return Err(AppError::forbidden("forbidden_office").with_detail(
            "A certificate is reissued at the office that registered it or at the office of either party's hukou.",
            "结婚证须在原登记机关或一方当事人常住户口所在地的登记机关补领。",
        ));
    }
    for p in &parties {
        if let Some(r) = household::find(conn, &p.id_number)? {
            if r.marital_status != "married" {
                return Err(AppError::conflict(
                    "marital_status_changed",
                    "Marital status changed",
                    "婚姻状况已变化",
                )
                .with_detail(
                    "The register no longer shows this marriage; issue a marriage-record certificate (婚姻登记记录证明) instead.",
                    "户籍登记的婚姻状况已变化，不能补领结婚证，应出具婚姻登记记录证明。",
                ));
            }
        }
    }
    let year = crate::clock::today().year();
    let new_number = db::write_tx(conn, |c| -> Result<String, AppError> {
        if !registration::certificate_transition(c, number, "valid", "superseded")? {
            let now = registration::certificate(c, number)?
                .map(|x| x.status)
                .unwrap_or_default();
            return Err(state_conflict("reissue", &now));
        }
        let (serial, n) = next_number(c, &here, year, Kind::ReissuedMarriage)?;
        registration::issue(
            c,
            &Certificate {
                number: n.clone(),
                kind: Kind::ReissuedMarriage.prefix().into(),
                appointment_id: old.appointment_id,
                office_id: here.id.clone(),
                year,
                serial,
                status: "valid".into(),
                issued_by: staff.id,
                issued_at: crate::clock::now(),
                supersedes: Some(number.to_owned()),
                revoked_at: None,
                revocation_basis: None,
                revocation_document: None,
            },
        )?;
        audit_application_in_both(
            c,
            staff,
            old.appointment_id,
            "certificate.reissued",
            Details::none()
                .with("old", number)
                .with("new", &n)
                .with("note", note.trim()),
            &registering,
        )?;
        notify(
            c,
            directory,
            CERTIFICATE_REISSUED,
            &n,
            old.appointment_id,
            &here,
        )?;
        Ok(n)
    })?;
    let c = registration::certificate(conn, &new_number)?
        .ok_or_else(|| AppError::internal("reissued certificate vanished"))?;
    view(conn, &c)
}

/// Revokes the registration behind a valid certificate, at the office that holds it, with a
/// legal basis and its document; supervisors only.
pub fn revoke(
    conn: &mut DbConn,
    staff: &Staff,
    directory: &Directory,
    number: &str,
    basis: &str,
    document: &str,
) -> Result<CertificateView, AppError> {
    staff.require_role(&[Role::Supervisor])?;
    let mut bad = Vec::new();
    if !REVOCATION_BASES.contains(&basis) {
        bad.push(InvalidParam::new(
            "basis",
            "invalid_basis",
            "court_judgment, judicial_recommendation, procuratorial_recommendation or police_finding",
        ));
    }
    let len = document.trim().chars().count();
    if len == 0 || len > 200 {
        bad.push(InvalidParam::new(
            "document_reference",
            "invalid_document_reference",
            "1-200 characters: the judgment's or recommendation's number",
        ));
    }
    if !bad.is_empty() {
        return Err(AppError::invalid(bad));
    }
    let c = find(conn, number)?;
    // A reissued number (BJ) may be held by a party's hukou office, but the marriage stays the
    // registering office's: only it revokes (and the reissuing office's trail is told).
    let registering = registering_office(conn, c.appointment_id)?;
    staff.require_office(&registering)?;
    if c.status != "valid" {
        return Err(state_conflict("revoke", &c.status));
    }
    db::write_tx(conn, |tx| -> Result<(), AppError> {
        if !registration::certificate_transition(tx, number, "valid", "revoked")? {
            let now = registration::certificate(tx, number)?
                .map(|x| x.status)
                .unwrap_or_default();
            return Err(state_conflict("revoke", &now));
        }
        let now = crate::clock::now();
        registration::record_revocation(tx, number, basis, document.trim(), now)?;
        appointments::transition(
            tx,
            c.appointment_id,
            Status::Registered,
            Status::Revoked,
            now,
        )?;
        // A revoked marriage is void from the start (民法典 第1054条): our residents get
        // their status back.
        let restored = household::unmarry(tx, c.appointment_id, now)?;
        married::release(tx, c.appointment_id, now)?;
        audit_application_in_both(
            tx,
            staff,
            c.appointment_id,
            "registration.revoked",
            Details::none()
                .with("certificate", number)
                .with("basis", basis)
                .with("document", document.trim())
                .with("residents_restored", restored),
            &c.office_id,
        )?;
        let office =
            offices::find(tx, &c.office_id)?.ok_or_else(|| AppError::not_found("The office"))?;
        notify(
            tx,
            directory,
            REGISTRATION_REVOKED,
            number,
            c.appointment_id,
            &office,
        )?;
        Ok(())
    })?;
    let c = find(conn, number)?;
    view(conn, &c)
}
