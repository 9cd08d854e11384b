//! A divorce application as the registrar's desk shows it: the counter's view with the parties
//! in full (names, ID numbers, sex and date of birth from the number, for the screen and the
//! 离婚证 inner page), the office's name, and the documents of the day it was received (policy
//! data). One audited read of the parties' data, like [`super::get`].

use chrono::NaiveDate;
use serde::Serialize;

use hunyin_domain::eligibility::{self, Party};
use hunyin_domain::id_number::Sex;
use hunyin_domain::policy::Service;
use hunyin_domain::{DivisionCode, IdNumber, Policy};
use hunyin_store::divorce::{self as store};
use hunyin_store::{appointments, offices, DbConn};

use super::{audit_divorce, load, views, DivorceView};
use crate::applications::COUNTER;
use crate::audit::Details;
use crate::auth::Staff;
use crate::error::AppError;

/// A party in full.
#[derive(Debug, Clone, Serialize)]
pub struct DeskParty {
    pub name: String,
    pub id_number: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub hukou_division_code: String,
    /// Who answered the household check at receipt: `local_register`, `partner` or `manual`.
    pub check_source: String,
}

/// What the desk reads of a divorce application.
#[derive(Debug, Clone, Serialize)]
pub struct DivorceDesk {
    pub view: DivorceView,
    pub parties: Vec<DeskParty>,
    pub office_name: String,
    /// What the couple brings, by the received day's period.
    pub documents: Vec<hunyin_domain::documents::Document>,
}

/// The application `reference` for the desk (audited `divorce.read`; 403/404 as the API).
pub fn desk(
    conn: &mut DbConn,
    policy: &Policy,
    staff: &Staff,
    reference: &str,
) -> Result<DivorceDesk, AppError> {
    let app = load(conn, staff, reference)?;
    audit_divorce(conn, staff, app.id, "divorce.read", Details::none())?;
    let view = views::of(conn, &app)?;
    let office =
        offices::find(conn, &app.office_id)?.ok_or_else(|| AppError::not_found("The office"))?;
    let far = NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date");
    let mut parties = Vec::new();
    let mut judged = Vec::new();
    for p in store::parties(conn, app.id)? {
        let id = IdNumber::parse(&p.id_number, far).map_err(AppError::internal)?;
        let hukou = DivisionCode::parse(&p.hukou_division_code).map_err(AppError::internal)?;
        parties.push(DeskParty {
            name: p.name.clone(),
            id_number: p.id_number.clone(),
            sex: id.sex(),
            birth_date: id.birth_date(),
            hukou_division_code: p.hukou_division_code.clone(),
            check_source: p.check_source.clone(),
        });
        judged.push(Party {
            id_number: id,
            name: p.name,
            hukou,
            residence_permit: None,
        });
    }
    let documents = match <[Party; 2]>::try_from(judged) {
        Ok(two) => {
            let refs = [crate::booking::office_ref(&office)?];
            eligibility::assess(policy, &two, app.received_on, Service::Divorce, &refs).documents
        }
        Err(_) => Vec::new(),
    };
    Ok(DivorceDesk {
        view,
        parties,
        office_name: office.name,
        documents,
    })
}

/// The divorce application an issue visit (`divorce_issue` appointment `visit`) was booked
/// for, or an application visit (`divorce`) was received as: its reference, for counter staff
/// of the visit's office.
pub fn of_issue_visit(conn: &mut DbConn, staff: &Staff, visit: &str) -> Result<String, AppError> {
    staff.require_role(&COUNTER)?;
    let a = appointments::find_by_reference(conn, visit)?.ok_or_else(|| {
        AppError::not_found("The appointment")
            .with_detail("No appointment has this reference.", "没有此编号的预约。")
    })?;
    staff.require_office(&a.office_id)?;
    let app = match a.divorce_application_id {
        Some(id) => hunyin_store::divorce_visits::find(conn, id)?,
        None => hunyin_store::divorce_visits::received_from(conn, a.id)?,
    }
    .ok_or_else(|| {
        AppError::not_found("The divorce application").with_detail(
            "No divorce application was received from or booked for this appointment.",
            "该预约尚未受理离婚登记申请，也不是领取离婚证的预约。",
        )
    })?;
    Ok(app.reference)
}
