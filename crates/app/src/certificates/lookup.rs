//! Looking a certificate up: who may, and whose trail shows it. A registrar or supervisor reads
//! the certificates of their own office and of the offices of the parties' hukou; any other
//! read states a purpose from a short list, with a note. Every read (and every refused one) is
//! an audit event of the reader's office and, when it is another, of the certificate's office
//! too: each office's auditors search their own trail only.

use hunyin_domain::DivisionCode;
use hunyin_store::appointments;
use hunyin_store::registration::Certificate;
use hunyin_store::{self as db, offices, DbConn};

use super::{find, view, CertificateView};
use crate::applications::{audit_application_in_both, COUNTER};
use crate::audit::Details;
use crate::auth::Staff;
use crate::error::{AppError, InvalidParam};

/// Why an office may read a certificate that is neither its own nor of its parties' hukou.
pub const LOOKUP_PURPOSES: [&str; 3] = ["divorce_application", "reissue", "court_request"];

/// The purpose a reader states (`purpose`, `note`), required outside their scope.
#[derive(Debug, Clone, Default)]
pub struct LookupPurpose {
    pub purpose: Option<String>,
    pub note: Option<String>,
}

/// A stated purpose, checked: one of [`LOOKUP_PURPOSES`] with a note of 1-200 characters.
fn checked(p: &LookupPurpose) -> Result<Option<(&str, &str)>, AppError> {
    let note = p.note.as_deref().map(str::trim);
    let Some(purpose) = p.purpose.as_deref() else {
        if note.is_some() {
            return Err(AppError::invalid(vec![InvalidParam::new(
                "purpose",
                "invalid_purpose",
                "a note goes with a purpose: divorce_application, reissue or court_request",
            )]));
        }
        return Ok(None);
    };
    let mut bad = Vec::new();
    if !LOOKUP_PURPOSES.contains(&purpose) {
        bad.push(InvalidParam::new(
            "purpose",
            "invalid_purpose",
            "divorce_application, reissue or court_request",
        ));
    }
    let len = note.map_or(0, |n| n.chars().count());
    if !(1..=200).contains(&len) {
        bad.push(InvalidParam::new(
            "note",
            "invalid_note",
            "1-200 characters: who asked, and their reference (case number …)",
        ));
    }
    if !bad.is_empty() {
        return Err(AppError::invalid(bad));
    }
    Ok(Some((purpose, note.unwrap_or_default())))
}

/// True when an office of division `office_code` is the office of a hukou in `hukou`: a county
/// office (six digits) of that very code, a city or province office (trailing `00` pairs) of
/// any code under it.
pub(crate) fn office_covers(office_code: &str, hukou: &str) -> bool {
    match (DivisionCode::parse(office_code), DivisionCode::parse(hukou)) {
        (Ok(office), Ok(place)) => office.contains(&place),
        _ => false,
    }
}

/// How the reader's office may read `c`: `registering_office`, `hukou_office`, or `None`.
fn scope(
    conn: &mut DbConn,
    staff: &Staff,
    c: &Certificate,
) -> Result<Option<&'static str>, AppError> {
    if staff.office_id == c.office_id {
        return Ok(Some("registering_office"));
    }
    let here =
        offices::find(conn, &staff.office_id)?.ok_or_else(|| AppError::not_found("The office"))?;
    let parties = appointments::parties(conn, c.appointment_id)?;
    let hukou = parties
        .iter()
        .any(|p| office_covers(&here.division_code, &p.hukou_division_code));
    Ok(hukou.then_some("hukou_office"))
}

/// Records `action` about `c` in the reader's trail and, when it is another office's
/// certificate, in that office's trail too (one transaction).
fn record(
    conn: &mut DbConn,
    staff: &Staff,
    c: &Certificate,
    action: &str,
    details: Details,
) -> Result<(), AppError> {
    let details = details
        .with("certificate", &c.number)
        .with("reader_office", &staff.office_id)
        .with("certificate_office", &c.office_id);
    db::write_tx(conn, |tx| -> Result<(), AppError> {
        let (id, office) = (c.appointment_id, &c.office_id);
        audit_application_in_both(tx, staff, id, action, details, office)?;
        Ok(())
    })
}

/// Looks a certificate up for counter staff (registrars, supervisors) within their scope, or
/// with a stated purpose; audited as a read of the parties' data (auditors read the trail, not
/// certificates). 403 `certificate_out_of_scope`, itself audited as `certificate.read_refused`.
pub fn lookup(
    conn: &mut DbConn,
    staff: &Staff,
    number: &str,
    stated: &LookupPurpose,
) -> Result<CertificateView, AppError> {
    staff.require_role(&COUNTER)?;
    let purpose = checked(stated)?;
    let c = find(conn, number)?;
    let scope = match (scope(conn, staff, &c)?, purpose) {
        (Some(s), _) => s,
        (None, Some(_)) => "stated_purpose",
        (None, None) => {
            record(conn, staff, &c, "certificate.read_refused", Details::none())?;
            return Err(AppError::certificate_out_of_scope());
        }
    };
    let mut details = Details::none().with("scope", scope);
    if let Some((p, note)) = purpose {
        details = details.with("purpose", p).with("note", note);
    }
    record(conn, staff, &c, "certificate.read", details)?;
    view(conn, &c)
}

#[cfg(test)]
mod tests {
    use super::office_covers;

    #[test]
    fn an_office_covers_the_hukou_of_its_division() {
        assert!(office_covers("320102", "320102"));
        assert!(!office_covers("320102", "320105"));
        assert!(office_covers("320500", "320508"));
        assert!(!office_covers("320500", "320102"));
        assert!(office_covers("321000", "321002"));
        assert!(!office_covers("321000", "320102"));
        assert!(!office_covers("", "320102"));
    }
}
