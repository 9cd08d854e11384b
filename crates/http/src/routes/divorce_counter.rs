//! Registrar routes of the divorce counter (issue 18): receive (受理), read, withdraw (撤回),
//! issue (登记发证), refuse and its notice. Receive and issue ask partner instances: they take
//! the pool and hold a connection only to read and to write, never during a remote call.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use hunyin_app::divorce::{
    self, AgreementInput, DivorceRules, IssueInput, PartyInput, ReceiveInput,
};

use hunyin_app::InvalidParam;

use crate::extract::Json;
use crate::problem::ApiError;
use crate::routes::{private, with_db};
use crate::staff::SignedIn;
use crate::state::WebState;

/// A party of a divorce application.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DivorcePartyBody {
    pub id_number: String,
    pub name: String,
    pub hukou_division_code: String,
    #[serde(default)]
    pub household_note: Option<String>,
    /// The party's own email (for the issue visit's confirmation and the reminders).
    #[serde(default)]
    pub email: Option<String>,
}

/// The agreement's matters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementBody {
    pub children: String,
    pub property: String,
    pub debts: String,
}

/// `POST /v1/registrar/offices/{office_id}/divorces` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiveBody {
    pub parties: Vec<DivorcePartyBody>,
    pub marriage_certificate: String,
    #[serde(default)]
    pub paper_certificate_note: Option<String>,
    pub agreement: AgreementBody,
    pub agreement_complete: bool,
    pub both_parties_present: bool,
    /// The application visit booked for this divorce, which becomes checked in.
    #[serde(default)]
    pub appointment_reference: Option<String>,
}

/// The parties' emails: each an address, the two different (400 naming the field).
fn check_emails(parties: &[DivorcePartyBody]) -> Result<(), ApiError> {
    use validator::ValidateEmail;
    let mut bad = Vec::new();
    for (i, p) in parties.iter().enumerate() {
        if let Some(e) = &p.email {
            if e.len() > 254 || !e.trim().validate_email() {
                bad.push(InvalidParam::new(
                    format!("parties[{i}].email"),
                    "invalid_email",
                    "an email address",
                ));
            }
        }
    }
    if let [a, b] = parties {
        if let (Some(x), Some(y)) = (&a.email, &b.email) {
            if bad.is_empty() && x.trim().eq_ignore_ascii_case(y.trim()) {
                bad.push(InvalidParam::new(
                    "parties[1].email",
                    "same_contact",
                    "each party gives their own contact",
                ));
            }
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(bad))
    }
}

/// `POST /v1/registrar/offices/{office_id}/divorces`
pub async fn receive(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    body: Json<ReceiveBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    check_emails(&b.parties)?;
    let input = ReceiveInput {
        office_id: path.into_inner(),
        parties: b
            .parties
            .into_iter()
            .map(|p| PartyInput {
                id_number: p.id_number,
                name: p.name,
                hukou_division_code: p.hukou_division_code,
                household_note: p.household_note,
                email: p.email,
            })
            .collect(),
        marriage_certificate: b.marriage_certificate,
        paper_certificate_note: b.paper_certificate_note,
        agreement: AgreementInput {
            children: b.agreement.children,
            property: b.agreement.property,
            debts: b.agreement.debts,
        },
        agreement_complete: b.agreement_complete,
        both_parties_present: b.both_parties_present,
        appointment_reference: b.appointment_reference,
    };
    let v = web::block(move || {
        divorce::receive(&state.pool, &staff, &DivorceRules::of(&state), &input)
    })
    .await??;
    Ok(private(StatusCode::CREATED, v))
}

/// `GET /v1/registrar/divorces/{reference}`
pub async fn get(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let v = with_db(state, move |c, _| divorce::get(c, &staff, &reference)).await?;
    Ok(private(StatusCode::OK, v))
}

/// `POST /v1/registrar/divorces/{reference}/withdrawal` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalBody {
    pub party: i64,
}

/// `POST /v1/registrar/divorces/{reference}/withdrawal`
pub async fn withdraw(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    body: Json<WithdrawalBody>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let party = body.0.party;
    let v = with_db(state, move |c, st| {
        divorce::withdraw(c, &staff, &st.clock, &reference, party)
    })
    .await?;
    Ok(private(StatusCode::OK, v))
}

/// `POST /v1/registrar/divorces/{reference}/issue` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    pub both_parties_present: bool,
    #[serde(default)]
    pub household_notes: Option<[Option<String>; 2]>,
}

/// `POST /v1/registrar/divorces/{reference}/issue`
pub async fn issue(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    body: Json<IssueBody>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let input = IssueInput {
        both_parties_present: body.0.both_parties_present,
        household_notes: body.0.household_notes.unwrap_or_default(),
    };
    let v = web::block(move || {
        divorce::issue(
            &state.pool,
            &staff,
            &DivorceRules::of(&state),
            &reference,
            &input,
        )
    })
    .await??;
    Ok(private(StatusCode::CREATED, v))
}

/// `POST /v1/registrar/divorces/{reference}/refusal` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DivorceRefusalBody {
    pub reason_code: String,
    pub note: String,
}

/// `POST /v1/registrar/divorces/{reference}/refusal`
pub async fn refuse(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    body: Json<DivorceRefusalBody>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let b = body.0;
    let v = with_db(state, move |c, st| {
        divorce::refuse(c, &staff, &st.clock, &reference, &b.reason_code, &b.note)
    })
    .await?;
    Ok(private(StatusCode::CREATED, v))
}

/// `GET /v1/registrar/divorces/{reference}/refusal`: the written notice.
pub async fn refusal_notice(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let v = with_db(state, move |c, _| {
        divorce::refusal_notice(c, &staff, &reference)
    })
    .await?;
    Ok(private(StatusCode::OK, v))
}

/// `POST /v1/registrar/divorce-certificates/{number}/reissue` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DivorceReissueBody {
    pub party: i64,
    pub note: String,
}

/// `POST /v1/registrar/divorce-certificates/{number}/reissue`
pub async fn reissue(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    body: Json<DivorceReissueBody>,
) -> Result<HttpResponse, ApiError> {
    let number = path.into_inner();
    let b = body.0;
    let v = with_db(state, move |c, st| {
        divorce::reissue(c, &staff, &st.clock, &number, b.party, &b.note)
    })
    .await?;
    Ok(private(StatusCode::CREATED, v))
}
