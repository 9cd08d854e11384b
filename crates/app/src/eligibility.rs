//! Eligibility of a couple for a date and a service (marriage or divorce): the legal conditions and the jurisdiction rules of the
//! policy timeline, judged against this instance's offices. It reads no one's data: it answers
//! only from what was sent.

use chrono::NaiveDate;
use serde::Serialize;

use hunyin_domain::eligibility::{self, Basis, Document, OfficeRef, Party, Problem};
use hunyin_domain::mask::Masked;
use hunyin_domain::policy::Service;
use hunyin_domain::{DivisionCode, Policy};
use hunyin_store::{offices, DbConn};

use crate::error::{AppError, InvalidParam};

/// An office that may register the couple.
#[derive(Debug, Clone, Serialize)]
pub struct OfficeOut {
    pub id: String,
    pub name: String,
    pub division_code: String,
}

/// The answer, in the shape partners and clients rely on.
#[derive(Debug, Clone, Serialize)]
pub struct EligibilityView {
    pub eligible: bool,
    pub bases: Vec<Basis>,
    pub offices: Vec<OfficeOut>,
    pub documents: Vec<Document>,
    pub problems: Vec<Problem>,
}

/// Judges `parties` for `date` and `service` at every office of this instance, or only at `office_id`
/// (400 naming `office_id` when no office has it).
pub fn check(
    conn: &mut DbConn,
    policy: &Policy,
    parties: &[Party; 2],
    date: NaiveDate,
    service: Service,
    office_id: Option<&str>,
) -> Result<EligibilityView, AppError> {
    let stored = match office_id {
        Some(id) => offices::find(conn, id)?.into_iter().collect(),
        None => offices::list(conn, None)?,
    };
    if office_id.is_some() && stored.is_empty() {
        return Err(AppError::invalid(vec![InvalidParam::new(
            "office_id",
            "unknown_office",
            "no office of this instance has this id",
        )]));
    }
    let refs: Vec<OfficeRef> = stored
        .into_iter()
        .filter_map(|o| {
            Some(OfficeRef {
                division: DivisionCode::parse(&o.division_code).ok()?,
                id: o.id,
                name: o.name,
            })
        })
        .collect();
    let a = eligibility::assess(policy, parties, date, service, &refs);
    tracing::info!(
        party0 = %Masked(parties[0].id_number.as_str()),
        party1 = %Masked(parties[1].id_number.as_str()),
        %date,
        service = service.as_str(),
        eligible = a.eligible,
        "eligibility checked"
    );
    let listed = a
        .offices
        .iter()
        .map(|&i| OfficeOut {
            id: refs[i].id.clone(),
            name: refs[i].name.clone(),
            division_code: refs[i].division.to_string(),
        })
        .collect();
    Ok(EligibilityView {
        eligible: a.eligible,
        bases: a.bases,
        offices: listed,
        documents: a.documents,
        problems: a.problems,
    })
}
