//! `POST /v1/eligibility`: may this couple marry (or, with `"service": "divorce"`, divorce) on
//! this date, where, on what basis, with which documents, and what stands in the way. Anonymous; it reads no person's data (no
//! marital status, no household register), so it reveals nothing the caller did not send.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use hunyin_app::{eligibility, InvalidParam};
use hunyin_domain::eligibility::{Party, ResidencePermit};
use hunyin_domain::policy::Service;
use hunyin_domain::{DivisionCode, IdNumber};

use super::{ok, with_db};
use crate::extract::Json;
use crate::problem::ApiError;
use crate::state::WebState;

/// Request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRequest {
    /// YYYY-MM-DD; today in Asia/Shanghai when absent.
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub office_id: Option<String>,
    /// `marriage` (the default) or `divorce`.
    #[serde(default)]
    pub service: Option<String>,
    pub parties: Vec<PartyIn>,
}

/// The service asked about: `marriage` when absent, 400 naming `service` when unknown.
pub(crate) fn parse_service(raw: Option<&str>) -> Result<Service, ApiError> {
    match raw {
        None => Ok(Service::Marriage),
        Some(s) => Service::parse(s).ok_or_else(|| {
            ApiError::invalid(vec![InvalidParam::new(
                "service",
                "unknown_service",
                "\"marriage\" or \"divorce\"",
            )])
        }),
    }
}

/// A party as sent (the same shape the booking uses).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyIn {
    pub id_number: String,
    pub name: String,
    pub hukou_division_code: String,
    #[serde(default)]
    pub residence_permit: Option<PermitIn>,
}

/// A residence permit as sent.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermitIn {
    pub division_code: String,
    pub valid_until: String,
}

/// Longest name accepted, in characters (names with 少数民族 transliterations run long).
const MAX_NAME_CHARS: usize = 64;

/// Parses one party, adding each bad field to `errors`.
pub fn parse_party(
    p: &PartyIn,
    i: usize,
    today: NaiveDate,
    errors: &mut Vec<InvalidParam>,
) -> Option<Party> {
    let field = |f: &str| format!("parties[{i}].{f}");
    let id = IdNumber::parse(&p.id_number, today)
        .map_err(|e| {
            errors.push(InvalidParam::new(
                field("id_number"),
                e.code(),
                e.to_string(),
            ))
        })
        .ok();
    let name = p.name.trim().to_owned();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        errors.push(InvalidParam::new(
            field("name"),
            "invalid_name",
            format!("1-{MAX_NAME_CHARS} characters, no control characters"),
        ));
    }
    let hukou = DivisionCode::parse(&p.hukou_division_code)
        .map_err(|e| {
            errors.push(InvalidParam::new(
                field("hukou_division_code"),
                e.code(),
                e.to_string(),
            ))
        })
        .ok();
    let mut permit = None;
    if let Some(rp) = &p.residence_permit {
        let division = DivisionCode::parse(&rp.division_code)
            .map_err(|e| {
                errors.push(InvalidParam::new(
                    field("residence_permit.division_code"),
                    e.code(),
                    e.to_string(),
                ))
            })
            .ok();
        let until = hunyin_app::clock::parse_date(&rp.valid_until);
        if until.is_none() {
            errors.push(InvalidParam::new(
                field("residence_permit.valid_until"),
                "invalid_date",
                "a date YYYY-MM-DD",
            ));
        }
        permit = division
            .zip(until)
            .map(|(division, valid_until)| ResidencePermit {
                division,
                valid_until,
            });
        permit?;
    }
    Some(Party {
        id_number: id?,
        name,
        hukou: hukou?,
        residence_permit: permit,
    })
}

/// Parses both parties; `Err` lists every bad field.
pub fn parse_parties(parties: &[PartyIn], today: NaiveDate) -> Result<[Party; 2], ApiError> {
    if parties.len() != 2 {
        return Err(ApiError::invalid(vec![InvalidParam::new(
            "parties",
            "not_two_parties",
            format!("exactly two parties, got {}", parties.len()),
        )]));
    }
    let mut errors = Vec::new();
    let a = parse_party(&parties[0], 0, today, &mut errors);
    let b = parse_party(&parties[1], 1, today, &mut errors);
    match (a, b) {
        (Some(a), Some(b)) if errors.is_empty() => Ok([a, b]),
        _ => Err(ApiError::invalid(errors)),
    }
}

/// `POST /v1/eligibility`
pub async fn check(
    state: web::Data<WebState>,
    http: actix_web::HttpRequest,
    body: Json<EligibilityRequest>,
) -> Result<HttpResponse, ApiError> {
    crate::ratelimit::limit(&state, &http, "eligibility").await?;
    let req = body.0;
    let today = hunyin_app::clock::today();
    let date = crate::extract::date_param("date", req.date.as_deref(), today)?;
    let service = parse_service(req.service.as_deref())?;
    let parties = parse_parties(&req.parties, today)?;
    let office_id = req.office_id;
    let v = with_db(state, move |c, st| {
        eligibility::check(c, &st.policy, &parties, date, service, office_id.as_deref())
    })
    .await?;
    Ok(ok(v))
}
