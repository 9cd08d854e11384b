//! Divorce by agreement: the periods calculator (the cooling-off and the issue window of an
//! application received on a date), public and read-only. The rule is
//! `hunyin_domain::divorce`; this answers it as a view or a problem.

use chrono::NaiveDate;
use serde::Serialize;

use hunyin_domain::calendar::HolidayCalendar;
use hunyin_domain::divorce::{self, PeriodsError};

use crate::error::AppError;

/// The dates of a divorce application, Asia/Shanghai, each `YYYY-MM-DD`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PeriodsView {
    pub received_on: NaiveDate,
    pub cooling_off_ends: NaiveDate,
    pub issue_from: NaiveDate,
    pub issue_until: NaiveDate,
}

/// The periods of an application received on `received_on` (422 when they cannot be told).
pub fn periods(
    calendar: &HolidayCalendar,
    received_on: NaiveDate,
) -> Result<PeriodsView, AppError> {
    match divorce::periods(calendar, received_on) {
        Ok(p) => Ok(PeriodsView {
            received_on: p.received_on,
            cooling_off_ends: p.cooling_off_ends,
            issue_from: p.issue_from,
            issue_until: p.issue_until,
        }),
        Err(PeriodsError::BeforeCivilCode) => Err(AppError::divorce_before_civil_code()),
        Err(PeriodsError::CalendarUnpublished { year }) => {
            Err(AppError::holiday_calendar_unpublished(year))
        }
    }
}

// ---- The counter flow (issue 18): receive, withdraw, issue, refuse, lapse. ----

mod certificate;
mod close;
mod desk;
mod issue;
mod issue_visit;
mod partner_status;
mod receive;
mod reissue;
mod remind;
mod verify;
mod views;
mod visit;

pub use certificate::{certificate, DivorceCertificateParty, DivorceCertificateView};
pub use close::{lapse_due, refusal_notice, refuse, withdraw};
pub use desk::{desk, of_issue_visit, DeskParty, DivorceDesk};
pub use issue::{issue, IssueInput};
pub use issue_visit::{book_issue_visit, issue_window, IssueVisitRequest, IssueWindowView};
pub use partner_status::{dissolve_notified, partner_status};
pub use receive::{receive, AgreementInput, PartyInput, ReceiveInput};
pub use reissue::{reissue, DivorceReissueView};
pub use remind::{due_reminders, remind_due, send_reminders, DueReminders};
pub use views::{Agreement, DivorceParty, DivorceRefusalNotice, DivorceView, Document};

use hunyin_partner::Directory;
use hunyin_store::divorce::{self as store, Application};
use hunyin_store::DbConn;

use crate::applications::COUNTER;
use crate::audit::{self, Details, Event};
use crate::auth::Staff;
use crate::clock::Clock;
use crate::verification::HouseholdVerifier;

/// What the divorce counter needs of the running instance.
pub struct DivorceRules<'a> {
    pub calendar: &'a HolidayCalendar,
    pub verifier: &'a dyn HouseholdVerifier,
    /// GB/T 2260 prefix of this instance's region.
    pub region_prefix: &'a str,
    /// Partner instances to tell of a divorce.
    pub directory: &'a Directory,
    /// The day the periods are counted from and checked against.
    pub clock: &'a Clock,
}

impl<'a> DivorceRules<'a> {
    /// The rules of a running application.
    pub fn of(ctx: &'a crate::AppContext) -> DivorceRules<'a> {
        DivorceRules {
            calendar: &ctx.scheduling.calendar,
            verifier: ctx.verifier.as_ref(),
            region_prefix: &ctx.region_prefix,
            directory: &ctx.partners.directory,
            clock: &ctx.clock,
        }
    }
}

fn not_found() -> AppError {
    AppError::not_found("The divorce application").with_detail(
        "No divorce application has this reference.",
        "没有此编号的离婚登记申请。",
    )
}

/// The application with this reference, for counter staff of its office (else 403/404).
pub(crate) fn load(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
) -> Result<Application, AppError> {
    staff.require_role(&COUNTER)?;
    let app = store::find_by_reference(conn, reference)?.ok_or_else(not_found)?;
    staff.require_office(&app.office_id)?;
    Ok(app)
}

/// Records that `staff` did `action` on the divorce application `id`.
pub(crate) fn audit_divorce(
    conn: &mut DbConn,
    staff: &Staff,
    id: i64,
    action: &str,
    details: Details,
) -> diesel::QueryResult<()> {
    let (actor, subject) = (staff.id.to_string(), id.to_string());
    let subject = Some(("divorce_application", subject.as_str()));
    audit::record(
        conn,
        Event::by_staff(staff, &actor, action, subject, details),
    )
}

/// 409 `invalid_transition` for a divorce application no longer received, with its dates.
pub(crate) fn not_received(action: &str, app: &Application) -> AppError {
    crate::applications::invalid_transition(action, &app.status)
        .with_extension("cooling_off_ends", app.cooling_off_ends)
        .with_extension("issue_until", app.issue_until)
}

/// 409 after a conditional update found the application already moved on.
pub(crate) fn moved_on(conn: &mut DbConn, action: &str, app: &Application) -> AppError {
    match store::find_by_reference(conn, &app.reference) {
        Ok(Some(now)) => not_received(action, &now),
        _ => not_received(action, app),
    }
}

/// One application, as the counter reads it (audited: a read of the parties' data).
pub fn get(conn: &mut DbConn, staff: &Staff, reference: &str) -> Result<DivorceView, AppError> {
    let app = load(conn, staff, reference)?;
    audit_divorce(conn, staff, app.id, "divorce.read", Details::none())?;
    views::of(conn, &app)
}
