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
