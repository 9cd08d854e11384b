//! What an appointment is for: a marriage (the default), the application visit of a divorce
//! (受理, booked like a marriage with the divorce jurisdiction and documents), or the issue
//! visit of a received divorce application (登记发证: only at its receiving office, only on a
//! day of its issue window). The rules a slot must meet for each, shared by booking and
//! rescheduling.

use chrono::NaiveDate;

use hunyin_domain::eligibility::{self, Party};
use hunyin_domain::policy::Service;
use hunyin_store::divorce::Application;
use hunyin_store::offices::Office;
use hunyin_store::{divorce_visits, DbConn};

use super::{office_ref, Rules};
use crate::error::AppError;

/// What an appointment is for (`appointments.service`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitKind {
    Marriage,
    /// The application visit of a divorce.
    Divorce,
    /// The issue visit of a received divorce application.
    DivorceIssue,
}

impl VisitKind {
    /// The stored and answered name.
    pub fn as_str(self) -> &'static str {
        match self {
            VisitKind::Marriage => "marriage",
            VisitKind::Divorce => "divorce",
            VisitKind::DivorceIssue => "divorce_issue",
        }
    }

    /// Parses a stored name (an unknown one reads as a marriage, the column's default).
    pub fn of(stored: &str) -> VisitKind {
        match stored {
            "divorce" => VisitKind::Divorce,
            "divorce_issue" => VisitKind::DivorceIssue,
            _ => VisitKind::Marriage,
        }
    }

    /// The service of the policy timeline it is judged by.
    pub fn service(self) -> Service {
        match self {
            VisitKind::Marriage => Service::Marriage,
            VisitKind::Divorce | VisitKind::DivorceIssue => Service::Divorce,
        }
    }

    /// For the marriage steps of the counter (check-in, checks, declarations, registration,
    /// refusal): 409 `not_a_marriage_visit` for a divorce's visit, received at the divorce
    /// counter instead.
    pub fn require_marriage(self) -> Result<(), AppError> {
        if self == VisitKind::Marriage {
            return Ok(());
        }
        Err(AppError::conflict(
            "not_a_marriage_visit",
            "Not a marriage appointment",
            "非结婚登记预约",
        )
        .with_detail(
            format!(
                "This appointment is for a divorce ({}): receive or issue it at the divorce counter.",
                self.as_str()
            ),
            "该预约为离婚登记预约，请在离婚登记窗口办理。",
        )
        .with_extension("service", self.as_str()))
    }
}

impl VisitKind {
    /// A message about an appointment, in the words of its kind: the templates speak of a
    /// marriage registration; a divorce's visits say what they are for.
    pub(crate) fn reword(self, mut email: crate::mail::Email) -> crate::mail::Email {
        let (zh, en, en_cap) = match self {
            VisitKind::Marriage => return email,
            VisitKind::Divorce => ("离婚登记申请", "divorce application", "Divorce application"),
            VisitKind::DivorceIssue => ("离婚证领取", "divorce certificate", "Divorce certificate"),
        };
        let say = |t: &str| {
            t.replace("结婚登记", zh)
                .replace("marriage registration", en)
                .replace("Marriage registration", en_cap)
        };
        email.subject = say(&email.subject);
        email.text = say(&email.text);
        email.html = email.html.as_deref().map(say);
        email.ics = email.ics.as_deref().map(say);
        email
    }
}

/// Eligibility for `service` at that office on that day, or 422 `not_eligible` with the
/// problems.
pub(crate) fn require_eligible_for(
    rules: &Rules<'_>,
    service: Service,
    parties: &[Party; 2],
    office: &Office,
    day: NaiveDate,
) -> Result<eligibility::Assessment, AppError> {
    let refs = [office_ref(office)?];
    let a = eligibility::assess(rules.policy, parties, day, service, &refs);
    if !a.eligible {
        let (en, zh) = match service {
            Service::Marriage => ("register", "结婚登记"),
            Service::Divorce => ("apply for a divorce", "离婚登记"),
        };
        return Err(
            AppError::unprocessable("not_eligible", "Not eligible", "不符合登记条件")
                .with_detail(
                    format!("This couple may not {en} at this office on that day; see problems."),
                    format!("该当事人不能在该日于该登记处办理{zh}，详见 problems。"),
                )
                .with_extension("problems", &a.problems),
        );
    }
    Ok(a)
}

/// The issue visit's rules for a slot on `day` at `office_id`: the application still
/// received, the office the one that received it (422 `issue_visit_wrong_office`), the day
/// inside `[issue_from, issue_until]` (422 `outside_issue_window`, with the dates).
pub(crate) fn require_issue_slot(
    app: &Application,
    office_id: &str,
    day: NaiveDate,
) -> Result<(), AppError> {
    if app.status != "received" {
        return Err(
            crate::applications::invalid_transition("book the issue visit", &app.status)
                .with_extension("issue_from", app.issue_from)
                .with_extension("issue_until", app.issue_until),
        );
    }
    if office_id != app.office_id {
        return Err(AppError::unprocessable(
            "issue_visit_wrong_office",
            "Not the receiving office",
            "非受理登记机关",
        )
        .with_detail(
            "The divorce certificate is issued by the office that received the application: book a slot there.",
            "离婚证由受理离婚登记申请的登记机关发给，请预约该登记机关的时段。",
        )
        .with_extension("office_id", &app.office_id));
    }
    if day < app.issue_from || day > app.issue_until {
        return Err(AppError::unprocessable(
            "outside_issue_window",
            "Outside the issue window",
            "不在申请发给离婚证的期间内",
        )
        .with_detail(
            format!(
                "The issue visit must fall within {}..{} (民法典 第1077条); the slot is on {day}.",
                app.issue_from, app.issue_until
            ),
            format!(
                "申请发给离婚证须在{}至{}之间（民法典第一千零七十七条），该时段在{day}。",
                app.issue_from, app.issue_until
            ),
        )
        .with_extension("cooling_off_ends", app.cooling_off_ends)
        .with_extension("issue_from", app.issue_from)
        .with_extension("issue_until", app.issue_until));
    }
    Ok(())
}

/// Before a reschedule reads the schedule: an issue visit's slot must be at its application's
/// office inside its window (the same answers as at booking).
pub(crate) fn precheck_issue_slot(
    conn: &mut DbConn,
    kind: VisitKind,
    divorce_application_id: Option<i64>,
    slot_id: &str,
) -> Result<(), AppError> {
    if kind != VisitKind::DivorceIssue {
        return Ok(());
    }
    let Some((office, start)) = hunyin_store::slots::parse_slot_id(slot_id) else {
        return Ok(());
    };
    let id = divorce_application_id
        .ok_or_else(|| AppError::internal("an issue visit without its application"))?;
    let app = divorce_visits::find(conn, id)?
        .ok_or_else(|| AppError::internal("an issue visit of an unknown application"))?;
    require_issue_slot(&app, office, start.date())
}

/// The rules for moving the appointment `a` of kind `kind` to a slot on `day` at `office`:
/// eligibility of its service, or the issue window of its application. Its assessment (the
/// documents of that day).
pub(crate) fn require_slot(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    kind: VisitKind,
    divorce_application_id: Option<i64>,
    parties: &[Party; 2],
    office: &Office,
    day: NaiveDate,
) -> Result<eligibility::Assessment, AppError> {
    if kind != VisitKind::DivorceIssue {
        return require_eligible_for(rules, kind.service(), parties, office, day);
    }
    let id = divorce_application_id
        .ok_or_else(|| AppError::internal("an issue visit without its application"))?;
    let app = divorce_visits::find(conn, id)?
        .ok_or_else(|| AppError::internal("an issue visit of an unknown application"))?;
    require_issue_slot(&app, &office.id, day)?;
    Ok(issue_documents(rules, parties, office, day))
}

/// What a couple brings to the issue visit: the divorce documents of that day.
pub(crate) fn issue_documents(
    rules: &Rules<'_>,
    parties: &[Party; 2],
    office: &Office,
    day: NaiveDate,
) -> eligibility::Assessment {
    let refs = office_ref(office).map(|r| vec![r]).unwrap_or_default();
    eligibility::assess(rules.policy, parties, day, Service::Divorce, &refs)
}
