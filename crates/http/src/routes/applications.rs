//! Registrar routes for applications: the day's queue, one application, check-in, walk-ins.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use validator::ValidateEmail;

use hunyin_app::applications::{self, WalkIn};
use hunyin_app::booking::Rules;
use hunyin_app::{declarations, refusal, registration, InvalidParam};

use crate::extract::{date_param, Json};
use crate::problem::ApiError;
use crate::routes::eligibility::{parse_parties, PartyIn};
use crate::routes::{private, with_db};
use crate::staff::SignedIn;
use crate::state::WebState;

/// Query of the queue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    pub date: Option<String>,
}

/// `GET /v1/registrar/offices/{office_id}/queue?date=YYYY-MM-DD` (default today).
pub async fn queue(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    let office_id = path.into_inner();
    let day = date_param("date", query.date.as_deref(), hunyin_app::clock::today())?;
    let v = with_db(state, move |c, _| {
        applications::queue(c, &staff, &office_id, day)
    })
    .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// `GET /v1/registrar/applications/{reference}`
pub async fn read(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let v = with_db(state, move |c, st| {
        applications::read(c, &st.policy, &staff, &reference)
    })
    .await?;
    Ok(private(StatusCode::OK, v))
}

/// `POST /v1/registrar/applications/{reference}/check-in`
pub async fn check_in(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let today = hunyin_app::clock::today();
    let v = with_db(state, move |c, st| {
        applications::check_in(c, &st.policy, &staff, &reference, today)
    })
    .await?;
    Ok(private(StatusCode::OK, v))
}

/// Optional contact of a walk-in.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalkInContact {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// A walk-in's optional contact, checked as a booking's is (an email address of at most 254
/// characters; a phone of 5-20 digits, `+`, `-` and spaces); blank means none.
pub fn walk_in_contact(
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<(Option<String>, Option<String>), ApiError> {
    let email = email.map(str::trim).filter(|e| !e.is_empty());
    let phone = phone.map(str::trim).filter(|p| !p.is_empty());
    let mut bad = Vec::new();
    if email.is_some_and(|e| e.len() > 254 || !e.validate_email()) {
        bad.push(InvalidParam::new(
            "contact.email",
            "invalid_email",
            "an email address",
        ));
    }
    let phone_ok = |p: &str| {
        (5..=20).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit() || b"+- ".contains(&b))
    };
    if phone.is_some_and(|p| !phone_ok(p)) {
        bad.push(InvalidParam::new(
            "contact.phone",
            "invalid_phone",
            "5-20 characters of digits, +, - and spaces",
        ));
    }
    if !bad.is_empty() {
        return Err(ApiError::invalid(bad));
    }
    Ok((email.map(str::to_owned), phone.map(str::to_owned)))
}

/// `POST …/walk-ins` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalkInBody {
    pub parties: Vec<PartyIn>,
    #[serde(default)]
    pub contact: Option<WalkInContact>,
}

/// `POST /v1/registrar/offices/{office_id}/walk-ins`
pub async fn walk_in(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    body: Json<WalkInBody>,
) -> Result<HttpResponse, ApiError> {
    let office_id = path.into_inner();
    let today = hunyin_app::clock::today();
    let b = body.0;
    let parties = parse_parties(&b.parties, today)?;
    let contact = b.contact.unwrap_or_default();
    let (email, phone) = walk_in_contact(contact.email.as_deref(), contact.phone.as_deref())?;
    let w = WalkIn {
        office_id,
        parties,
        email,
        phone,
    };
    let v = with_db(state, move |c, st| {
        applications::walk_in(c, &staff, &Rules::of(st), &w, today)
    })
    .await?;
    Ok(private(StatusCode::CREATED, v))
}

/// `POST /v1/registrar/applications/{reference}/household-checks`: checks both parties.
pub async fn run_checks(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    // No pooled connection is held while a partner is asked: the use case takes one to read
    // and another to write, on this blocking thread.
    let v = web::block(move || {
        hunyin_app::checks::run(
            &state.pool,
            &staff,
            state.verifier.as_ref(),
            &state.region_prefix,
            &reference,
        )
    })
    .await??;
    Ok(private(StatusCode::OK, v))
}

/// `GET /v1/registrar/applications/{reference}/household-checks`
pub async fn list_checks(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let v = with_db(state, move |c, _| {
        hunyin_app::checks::list(c, &staff, &reference)
    })
    .await?;
    Ok(private(StatusCode::OK, v))
}

/// `POST …/manual-verifications` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualBody {
    pub party: usize,
    pub marital_status: String,
    pub note: String,
}

/// `POST /v1/registrar/applications/{reference}/manual-verifications`
pub async fn manual_verification(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    body: Json<ManualBody>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let b = body.0;
    let m = hunyin_app::checks::Manual {
        party: b.party,
        marital_status: b.marital_status,
        note: b.note,
    };
    let v = with_db(state, move |c, _| {
        hunyin_app::checks::manual(c, &staff, &reference, &m)
    })
    .await?;
    Ok(private(StatusCode::CREATED, v))
}

/// `POST …/check-overrides` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideBody {
    pub party: usize,
    pub reason: String,
    pub document_kind: String,
    pub document_reference: String,
}

/// `POST /v1/registrar/applications/{reference}/check-overrides` (supervisors)
pub async fn check_override(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    body: Json<OverrideBody>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let b = body.0;
    let o = hunyin_app::check_overrides::Override {
        party: b.party,
        reason: b.reason,
        document_kind: b.document_kind,
        document_reference: b.document_reference,
    };
    let v = with_db(state, move |c, _| {
        hunyin_app::check_overrides::record(c, &staff, &reference, &o)
    })
    .await?;
    Ok(private(StatusCode::CREATED, v))
}

/// `POST …/declarations` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationBody {
    pub party: usize,
    pub no_spouse: bool,
    pub no_prohibited_kinship: bool,
    pub voluntary: bool,
}

/// `POST /v1/registrar/applications/{reference}/declarations`
pub async fn declare(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    body: Json<DeclarationBody>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let b = body.0;
    let d = declarations::DeclarationIn {
        party: b.party,
        no_spouse: b.no_spouse,
        no_prohibited_kinship: b.no_prohibited_kinship,
        voluntary: b.voluntary,
    };
    let v = with_db(state, move |c, _| {
        declarations::declare(c, &staff, &reference, &d)
    })
    .await?;
    Ok(HttpResponse::Created().json(v))
}

/// `POST …/registration` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    pub both_parties_present: bool,
}

/// `POST /v1/registrar/applications/{reference}/registration` (honours `Idempotency-Key`).
pub async fn register(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    req: actix_web::HttpRequest,
    path: web::Path<String>,
    body: Json<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let key = match req.headers().get("idempotency-key") {
        None => None,
        Some(v) => {
            let k = v
                .to_str()
                .ok()
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= 100);
            Some(
                k.ok_or_else(|| {
                    ApiError::invalid(vec![InvalidParam::new(
                        "Idempotency-Key",
                        "invalid_idempotency_key",
                        "1-100 visible characters",
                    )])
                })?
                .to_owned(),
            )
        }
    };
    let present = body.0.both_parties_present;
    let v = with_db(state, move |c, st| {
        let rules = Rules::of(st);
        registration::register(c, &staff, &rules, &reference, present, key.as_deref())
    })
    .await?;
    Ok(private(StatusCode::CREATED, v))
}

/// `POST …/refusal` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefusalBody {
    pub reason_code: String,
    pub note: String,
}

/// `POST /v1/registrar/applications/{reference}/refusal`
pub async fn refuse(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    body: Json<RefusalBody>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let b = body.0;
    let v = with_db(state, move |c, _| {
        refusal::refuse(c, &staff, &reference, &b.reason_code, &b.note)
    })
    .await?;
    Ok(HttpResponse::Created().json(v))
}

/// `GET /v1/registrar/applications/{reference}/refusal`: the written notice.
pub async fn refusal_notice(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let v = with_db(state, move |c, _| refusal::notice(c, &staff, &reference)).await?;
    Ok(HttpResponse::Ok().json(v))
}
