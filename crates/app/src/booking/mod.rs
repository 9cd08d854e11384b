//! Booking use cases: list slots, book, confirm, view, reschedule, cancel. Each runs on one connection
//! and each change in one write transaction. This module holds what they share.

use chrono::NaiveDate;
use lettre::message::Mailbox;
use serde::Serialize;

use hunyin_domain::eligibility::{self, OfficeRef, Party};
use hunyin_domain::policy::Service;
use hunyin_domain::{DivisionCode, IdNumber, Policy};
use hunyin_store::appointments::{self, Appointment, PartyRow};
use hunyin_store::offices::Office;
use hunyin_store::{slots, DbConn};

use crate::error::AppError;
use crate::scheduling::Scheduling;
use crate::views::{MaskedParty, SlotTimes};

/// What booking needs from the application.
pub struct Rules<'a> {
    pub policy: &'a Policy,
    pub scheduling: &'a Scheduling,
    /// Sender of the couples' mail (the invitation's organizer).
    pub mail_from: &'a Mailbox,
    /// Hours before the appointment the reminder goes out (0: none).
    pub reminder_hours: u32,
    /// GB/T 2260 prefix of this instance's region.
    pub region_prefix: &'a str,
    /// Partner instances to notify of registrations.
    pub directory: &'a hunyin_partner::Directory,
    /// Minutes a household check counts for registration.
    pub checks_max_age_minutes: u32,
    /// How couples are identified, and the holds of `contact` mode.
    pub identity: &'a Identity,
    /// The instance's clock: a divorce's visits are judged by its day, as its counter is.
    pub clock: &'a crate::clock::Clock,
}

impl<'a> Rules<'a> {
    /// The rules of a running application.
    pub fn of(state: &'a crate::context::AppContext) -> Rules<'a> {
        Rules {
            policy: &state.policy,
            scheduling: &state.scheduling,
            mail_from: &state.mail_from,
            reminder_hours: state.reminder_hours,
            region_prefix: &state.region_prefix,
            directory: &state.partners.directory,
            checks_max_age_minutes: state.checks_max_age_minutes,
            identity: &state.identity,
            clock: &state.clock,
        }
    }
}

pub use crate::views::rfc3339_local;

fn slot_not_bookable(why_en: &str, why_zh: &str) -> AppError {
    AppError::unprocessable("slot_not_bookable", "Slot not bookable", "该时段不可预约")
        .with_detail(why_en.to_owned(), why_zh.to_owned())
}

fn unknown_slot() -> AppError {
    AppError::not_found("The slot")
        .with_detail("This office has no such slot.", "该登记处没有此预约时段。")
}

fn unknown_office() -> AppError {
    AppError::not_found("The office")
        .with_detail("No office has this id.", "没有此编号的婚姻登记处。")
}

pub(crate) fn office_ref(office: &Office) -> Result<OfficeRef, AppError> {
    Ok(OfficeRef {
        id: office.id.clone(),
        name: office.name.clone(),
        division: DivisionCode::parse(&office.division_code).map_err(AppError::internal)?,
    })
}

/// Eligibility for that office on that day, or 422 `not_eligible` with the problems.
pub(crate) fn require_eligible(
    rules: &Rules<'_>,
    parties: &[Party; 2],
    office: &Office,
    day: NaiveDate,
) -> Result<eligibility::Assessment, AppError> {
    let refs = [office_ref(office)?];
    let a = eligibility::assess(rules.policy, parties, day, Service::Marriage, &refs);
    if !a.eligible {
        return Err(
            AppError::unprocessable("not_eligible", "Not eligible", "不符合登记条件")
                .with_detail(
                    "This couple may not register at this office on that day; see problems.",
                    "该当事人不能在该日于该登记处办理结婚登记，详见 problems。",
                )
                .with_extension("problems", &a.problems),
        );
    }
    Ok(a)
}

pub(crate) fn party_row(appointment_id: i64, idx: usize, p: &Party) -> PartyRow {
    PartyRow {
        appointment_id,
        idx: idx as i32,
        id_number: p.id_number.as_str().to_owned(),
        name: p.name.clone(),
        hukou_division_code: p.hukou.to_string(),
        permit_division_code: p.residence_permit.map(|r| r.division.to_string()),
        permit_valid_until: p.residence_permit.map(|r| r.valid_until),
        active: true,
    }
}

/// The stored parties as domain values (for documents and re-checks).
pub(crate) fn stored_parties(rows: &[PartyRow]) -> Result<[Party; 2], AppError> {
    let parse = |r: &PartyRow| -> Result<Party, AppError> {
        // Stored numbers were valid when booked; judge them against a far date so a birth
        // date is never "in the future".
        let far = NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date");
        Ok(Party {
            id_number: IdNumber::parse(&r.id_number, far).map_err(AppError::internal)?,
            name: r.name.clone(),
            hukou: DivisionCode::parse(&r.hukou_division_code).map_err(AppError::internal)?,
            residence_permit: match (&r.permit_division_code, r.permit_valid_until) {
                (Some(d), Some(until)) => Some(eligibility::ResidencePermit {
                    division: DivisionCode::parse(d).map_err(AppError::internal)?,
                    valid_until: until,
                }),
                _ => None,
            },
        })
    };
    match rows {
        [a, b] => Ok([parse(a)?, parse(b)?]),
        _ => Err(AppError::internal("an appointment without two parties")),
    }
}

/// An office as couples see it.
#[derive(Debug, Clone, Serialize)]
pub struct OfficeView {
    pub id: String,
    pub name: String,
    pub division_code: String,
    pub address: String,
    pub phone: String,
}

impl From<&Office> for OfficeView {
    fn from(o: &Office) -> Self {
        OfficeView {
            id: o.id.clone(),
            name: o.name.clone(),
            division_code: o.division_code.clone(),
            address: o.address.clone(),
            phone: o.phone.clone(),
        }
    }
}

pub use crate::applications::ContactView;

/// An appointment as its holders see it: ID numbers masked; the manage token only in the
/// answer to the booking itself.
#[derive(Debug, Clone, Serialize)]
pub struct AppointmentView {
    pub reference: String,
    /// `marriage`, `divorce` (a divorce's application visit) or `divorce_issue`.
    pub service: String,
    pub status: String,
    pub office: OfficeView,
    pub slot: Option<SlotTimes>,
    pub parties: Vec<MaskedParty>,
    pub contact: ContactView,
    pub documents: Vec<eligibility::Document>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manage_token: Option<String>,
}

/// The appointment as its holders see it: ID numbers masked.
pub(crate) fn view_of(
    conn: &mut DbConn,
    a: &Appointment,
    office: &Office,
    assessment: Option<&eligibility::Assessment>,
) -> Result<AppointmentView, AppError> {
    let rows = appointments::parties(conn, a.id)?;
    let slot = match &a.slot_id {
        Some(id) => slots::find(conn, id)?,
        None => None,
    };
    Ok(AppointmentView {
        reference: a.reference.clone(),
        service: a.service.clone(),
        status: a.status.clone(),
        office: OfficeView::from(office),
        slot: slot.map(|s| SlotTimes::from_utc(Some(s.id), s.starts_at, s.ends_at)),
        parties: rows
            .iter()
            .map(|r| MaskedParty::new(&r.name, &r.id_number))
            .collect(),
        contact: ContactView {
            email: a.contact_email.clone(),
            phone: a.contact_phone.clone(),
        },
        documents: assessment.map(|x| x.documents.clone()).unwrap_or_default(),
        created_at: hunyin_domain::time::rfc3339_utc(a.created_at),
        manage_token: None,
    })
}

mod book;
mod calendar;
mod confirm;
mod holds;
mod listing;
mod manage;
mod notices;
mod release;
mod signed_in;
mod sweep;
mod visits;

pub use book::{book, book_visit, BookingRequest};
pub(crate) use book::{place, Visit};
pub use calendar::{ics, month, slot_choice, DayView, IcsView, MonthView, SlotChoice};
pub use confirm::{confirm, sweep_lapsed, ConfirmationView};
pub use holds::{identification, normal_email, Identification, Identity, IdentityMode};
pub use listing::{list_slots, listing, SlotListing, SlotView};
pub use manage::{cancel, reschedule, view, Actor};
pub use release::release;
pub use signed_in::confirm as confirm_signed_in;
pub use visits::VisitKind;
pub(crate) use visits::{issue_documents, require_issue_slot};

pub(crate) use listing::resolve_slot;
pub(crate) use manage::{cancel_found, documents_for, reschedule_found, view_found};
pub use notices::reminder;
use notices::{enqueue_mail_to_parties, enqueue_reminder};
pub use sweep::sweep_no_shows;
