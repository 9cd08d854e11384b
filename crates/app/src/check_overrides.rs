//! A supervisor's override of a party's failed household check: the papers show what the
//! records do not yet (a divorce judgment, a death certificate, a corrected register entry;
//! domain brief §8c: "the party brings proof … and the registrar records it"). Only a
//! supervisor, only with a reason and the document's kind and reference, never for a person our own
//! records show married (issue 14 §1); audited, kept in the checks' history, counted in the
//! statistics (`check_overrides`).

use hunyin_domain::evidence::EvidenceKind;
use hunyin_domain::mask::mask;
use hunyin_domain::staff::Role;
use hunyin_store::household::{self, Check};
use hunyin_store::{appointments, married, DbConn};

use crate::audit::Details;
use crate::auth::Staff;
use crate::checks::{self, blank, checked_in, record_one, ChecksView, OVERRIDE};
use crate::error::{AppError, InvalidParam};

/// An override as asked: which party, why, and the document it rests on (its kind, as sent,
/// and its number).
pub struct Override {
    pub party: usize,
    pub reason: String,
    pub document_kind: String,
    pub document_reference: String,
}

fn validate(o: &Override) -> Result<EvidenceKind, AppError> {
    let mut bad = Vec::new();
    let kind = EvidenceKind::parse(o.document_kind.trim());
    if kind.is_none() {
        bad.push(InvalidParam::new(
            "document_kind",
            "invalid_document_kind",
            "court_judgment, divorce_certificate, death_certificate or register_correction",
        ));
    }
    if o.party > 1 {
        bad.push(InvalidParam::new("party", "invalid_party", "0 or 1"));
    }
    let len = |s: &str| s.trim().chars().count();
    if !(1..=500).contains(&len(&o.reason)) {
        bad.push(InvalidParam::new(
            "reason",
            "invalid_reason",
            "1-500 characters: why the records are wrong",
        ));
    }
    if !(1..=200).contains(&len(&o.document_reference)) {
        bad.push(InvalidParam::new(
            "document_reference",
            "invalid_document_reference",
            "1-200 characters: the number of the judgment or certificate seen",
        ));
    }
    AppError::unless_invalid(bad)?;
    kind.ok_or_else(|| AppError::internal("an invalid kind passed validation"))
}

fn refused(code: &'static str, en: &str, zh: &str) -> AppError {
    AppError::conflict(code, "Override not allowed", "不允许核查更正").with_detail(en, zh)
}

/// Records a supervisor's override of a party whose authoritative check failed.
pub fn record(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
    o: &Override,
) -> Result<ChecksView, AppError> {
    staff.require_role(&[Role::Supervisor])?;
    let kind = validate(o)?;
    let app = checked_in(conn, staff, reference, "override a household check")?;
    let party = o.party as i32;
    let all = household::checks(conn, app.id)?;
    if checks::clearing(&all, party).is_some() || !checks::failed_authoritatively(&all, party) {
        return Err(refused(
            "override_not_needed",
            "Only a party whose authoritative check failed, and is not cleared, can be overridden.",
            "仅权威核查未通过且尚未核准的当事人可由主管更正。",
        ));
    }
    let id = appointments::parties(conn, app.id)?
        .into_iter()
        .find(|p| p.idx == party)
        .map(|p| p.id_number)
        .ok_or_else(|| AppError::not_found("The party"))?;
    let married_here = all.iter().any(|c| {
        c.party_idx == party
            && matches!(c.source.as_str(), "local_register" | "registrations")
            && c.reason.as_deref() == Some("married")
    });
    if married_here || married::is_married(conn, &id)? {
        return Err(refused(
            "married_in_our_records",
            "This region's own records show the party married: correct the register first, then run the checks again.",
            "本地区记录显示该当事人已婚，须先更正户籍登记后重新核查。",
        ));
    }
    let check = Check {
        outcome: "passed".into(),
        note: Some(o.reason.trim().to_owned()),
        document_reference: Some(o.document_reference.trim().to_owned()),
        document_kind: Some(kind.as_str().to_owned()),
        ..blank(&app, staff, party, OVERRIDE)
    };
    let details = Details::none()
        .with("party", o.party)
        .with("person", mask(&id))
        .with("reason", &check.note)
        .with("document_kind", kind.as_str())
        .with("document_reference", &check.document_reference);
    tracing::info!(reference = %app.reference, person = %mask(&id), "household check overridden");
    record_one(
        conn,
        staff,
        &app,
        &check,
        "household.check_overridden",
        details,
    )
}
