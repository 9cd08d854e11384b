//! Booking the issue visit (申请发给离婚证) of a received divorce application, by the couple.
//!
//! Proof, the strongest the modes allow: the receipt's reference together with both parties'
//! ID numbers (what the couple holds: the 受理回执单 and their ID cards); then, in `contact`
//! mode, a hold confirmed by both parties through the contacts recorded at receipt (the
//! confirmed contacts of the application visit, or those given at the counter with both
//! present), never through an address the request names. A wrong reference and a wrong
//! person answer the same 404, so the route tells nothing about whose application exists.
//! Only then the rules of the slot: at the receiving office, on a day of the issue window.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use hunyin_domain::eligibility::Party;
use hunyin_domain::{DivisionCode, IdNumber};
use hunyin_store::divorce as store;
use hunyin_store::{slots, DbConn};

use crate::booking::{
    self, issue_documents, place, require_issue_slot, AppointmentView, BookingRequest, Rules,
    Visit, VisitKind,
};
use crate::error::AppError;

/// The couple's request for an issue visit.
#[derive(Debug, Clone)]
pub struct IssueVisitRequest {
    /// The reference on the receipt (受理编号).
    pub reference: String,
    pub slot_id: String,
    /// Both parties' ID numbers, in any order.
    pub id_numbers: [String; 2],
    pub phone: Option<String>,
}

fn no_match() -> AppError {
    AppError::not_found("The divorce application").with_detail(
        "No divorce application matches this reference and these ID numbers.",
        "没有与该受理编号和身份证件号码相符的离婚登记申请。",
    )
}

fn normal(id: &str) -> String {
    id.trim().to_ascii_uppercase()
}

/// The application `reference` with its parties, when `id_numbers` are exactly its two
/// parties' (else the one 404 of a wrong reference and a wrong person alike).
fn proven(
    conn: &mut DbConn,
    reference: &str,
    id_numbers: &[String; 2],
) -> Result<(store::Application, Vec<store::Party>), AppError> {
    let app = store::find_by_reference(conn, reference.trim())?.ok_or_else(no_match)?;
    let parties = store::parties(conn, app.id)?;
    let mut have: Vec<String> = parties.iter().map(|p| normal(&p.id_number)).collect();
    let mut given: Vec<String> = id_numbers.iter().map(|s| normal(s)).collect();
    have.sort();
    given.sort();
    if parties.len() != 2 || have != given {
        return Err(no_match());
    }
    Ok((app, parties))
}

/// What the couple may know of their application before booking its issue visit: its state,
/// its office and the dates of its cooling-off and issue window (from the calculator, as
/// fixed at receipt).
#[derive(Debug, Clone, Serialize)]
pub struct IssueWindowView {
    pub reference: String,
    pub status: String,
    pub office_id: String,
    pub received_on: NaiveDate,
    pub cooling_off_ends: NaiveDate,
    pub issue_from: NaiveDate,
    pub issue_until: NaiveDate,
}

/// The issue window of the application `reference`, for its two parties only (the same proof
/// as [`book_issue_visit`], the same 404 otherwise).
pub fn issue_window(
    conn: &mut DbConn,
    reference: &str,
    id_numbers: &[String; 2],
) -> Result<IssueWindowView, AppError> {
    let (app, _) = proven(conn, reference, id_numbers)?;
    Ok(IssueWindowView {
        reference: app.reference,
        status: app.status,
        office_id: app.office_id,
        received_on: app.received_on,
        cooling_off_ends: app.cooling_off_ends,
        issue_from: app.issue_from,
        issue_until: app.issue_until,
    })
}

/// `POST /v1/divorce-applications/{reference}/issue-visit`.
pub fn book_issue_visit(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    req: &IssueVisitRequest,
    now: NaiveDateTime,
) -> Result<AppointmentView, AppError> {
    let (app, parties) = proven(conn, &req.reference, &req.id_numbers)?;
    // The proof held: from here on the answers may speak of this application.
    let (slot_office, start) = slots::parse_slot_id(&req.slot_id).ok_or_else(|| {
        AppError::not_found("The slot")
            .with_detail("No office has such a slot.", "没有此预约时段。")
    })?;
    require_issue_slot(&app, slot_office, start.date())?;
    let (office, slot) = booking::resolve_slot(conn, rules, &app.office_id, &req.slot_id, now)?;
    let far = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date");
    let mut domain = Vec::with_capacity(2);
    for p in &parties {
        domain.push(Party {
            id_number: IdNumber::parse(&p.id_number, far).map_err(AppError::internal)?,
            name: p.name.clone(),
            hukou: DivisionCode::parse(&p.hukou_division_code).map_err(AppError::internal)?,
            residence_permit: None,
        });
    }
    let domain: [Party; 2] = domain
        .try_into()
        .map_err(|_| AppError::internal("an application without two parties"))?;
    let emails: Vec<String> = parties
        .iter()
        .map(|p| p.email.clone().unwrap_or_default())
        .collect();
    if rules.identity.confirms_by_contact() && emails.iter().any(String::is_empty) {
        return Err(AppError::unprocessable(
            "divorce_contacts_missing",
            "No contacts to confirm by",
            "没有可用于确认的联系方式",
        )
        .with_detail(
            "Both parties confirm the issue visit through the contacts recorded when the application was received, and this application has none for a party: book it at the office's counter.",
            "申请发给离婚证的预约须由双方通过受理时登记的联系方式确认，本申请缺少一方的联系方式，请到登记机关窗口预约。",
        ));
    }
    let assessment = issue_documents(rules, &domain, &office, slot.start.date());
    let booking = BookingRequest {
        office_id: office.id.clone(),
        slot_id: req.slot_id.clone(),
        parties: domain,
        emails: [emails[0].clone(), emails[1].clone()],
        phone: req.phone.clone(),
        signed_in: None,
    };
    let visit = Visit {
        kind: VisitKind::DivorceIssue,
        divorce_application_id: Some(app.id),
        office,
        slot,
        assessment,
    };
    place(conn, rules, &booking, visit)
}
