//! Couples' routes: slots of an office, and booking / viewing / rescheduling / cancelling an
//! appointment. The manage token travels in the `X-Manage-Token` header, never in the URL.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::Deserialize;
use validator::ValidateEmail;

use hunyin_app::booking::{self, BookingRequest, Rules, VisitKind};
use hunyin_app::{AppError, DbConn, InvalidParam};
use hunyin_domain::policy::Service;

use crate::citizen::SignedInCitizen;
use crate::extract::{date_param, Json};
use crate::problem::ApiError;
use crate::routes::eligibility::{parse_parties, PartyIn};
use crate::routes::private;
use crate::state::WebState;

/// Header carrying the manage token.
pub const MANAGE_TOKEN: &str = "x-manage-token";

/// Runs a booking use case on a pooled connection, off the async workers.
async fn with_booking<T, F>(state: web::Data<WebState>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &Rules<'_>) -> Result<T, AppError> + Send + 'static,
{
    crate::routes::with_db(state, move |conn, st| f(conn, &Rules::of(st))).await
}

/// Now by the instance's clock (a test may move it), Asia/Shanghai.
pub(crate) fn clock_local(clock: &hunyin_app::clock::Clock) -> chrono::NaiveDateTime {
    hunyin_domain::time::to_local(clock.now())
}

pub(crate) fn now_local() -> chrono::NaiveDateTime {
    chrono::Utc::now()
        .with_timezone(&hunyin_app::clock::shanghai())
        .naive_local()
}

/// Query of the slot listing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// `GET /v1/offices/{office_id}/slots?from=YYYY-MM-DD&to=YYYY-MM-DD`
pub async fn slots(
    state: web::Data<WebState>,
    path: web::Path<String>,
    query: web::Query<SlotQuery>,
) -> Result<HttpResponse, ApiError> {
    let office_id = path.into_inner();
    let today = hunyin_app::clock::today();
    let from = date_param("from", query.from.as_deref(), today)?;
    let max = state.scheduling.max_range_days;
    let to = date_param(
        "to",
        query.to.as_deref(),
        from + chrono::Duration::days(i64::from(max) - 1),
    )?;
    if to < from {
        return Err(ApiError::invalid(vec![InvalidParam::new(
            "to",
            "invalid_range",
            "to is before from",
        )]));
    }
    if (to - from).num_days() >= i64::from(max) {
        return Err(ApiError::invalid(vec![InvalidParam::new(
            "to",
            "range_too_long",
            format!("at most {max} days from `from`"),
        )]));
    }
    let range = format!("{from}/{to}");
    if let Some(body) = state.listings.get(&office_id, &range) {
        return Ok(HttpResponse::Ok()
            .content_type("application/json")
            .body(body));
    }
    let id = office_id.clone();
    let st = state.clone();
    let listing = with_booking(state, move |conn, rules| {
        booking::listing(conn, rules, &id, from, to, now_local())
    })
    .await?;
    let body = web::Bytes::from(serde_json::to_vec(&listing).map_err(AppError::internal)?);
    st.listings.put(&office_id, &range, body.clone());
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

/// How the parties are reached: each party's own email (in party order; each receives their
/// own confirmation link in contact mode) and an optional phone.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub emails: Vec<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// `POST /v1/appointments` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingBody {
    pub office_id: String,
    pub slot_id: String,
    pub parties: Vec<PartyIn>,
    pub contact: Contact,
    /// `marriage` (the default) or `divorce` (the application visit of a divorce).
    #[serde(default)]
    pub service: Option<String>,
}

pub fn parse_contact(c: &Contact, errors: &mut Vec<InvalidParam>) -> Option<[String; 2]> {
    let mut ok = true;
    if c.emails.len() != 2 {
        errors.push(InvalidParam::new(
            "contact.emails",
            "not_two_emails",
            "one email per party, in party order",
        ));
        ok = false;
    }
    for (i, e) in c.emails.iter().enumerate().take(2) {
        if e.len() > 254 || !e.trim().validate_email() {
            errors.push(InvalidParam::new(
                format!("contact.emails[{i}]"),
                "invalid_email",
                "an email address",
            ));
            ok = false;
        }
    }
    if ok && booking::normal_email(&c.emails[0]) == booking::normal_email(&c.emails[1]) {
        errors.push(InvalidParam::new(
            "contact.emails[1]",
            "same_contact",
            "each party gives their own contact",
        ));
        ok = false;
    }
    if let Some(p) = &c.phone {
        let ok = (5..=20).contains(&p.len())
            && p.bytes().all(|b| b.is_ascii_digit() || b"+- ".contains(&b));
        if !ok {
            errors.push(InvalidParam::new(
                "contact.phone",
                "invalid_phone",
                "5-20 characters of digits, +, - and spaces",
            ));
        }
    }
    ok.then(|| [c.emails[0].trim().to_owned(), c.emails[1].trim().to_owned()])
}

/// `POST /v1/appointments`. In oidc mode the citizen session cookie is required (401 first)
/// and the first party is the signed-in person.
pub async fn create(
    state: web::Data<WebState>,
    http: HttpRequest,
    body: Json<BookingBody>,
) -> Result<HttpResponse, ApiError> {
    let signed_in = if state.identity.signs_in() {
        Some(SignedInCitizen::extract(&http).await?.0)
    } else {
        None
    };
    crate::ratelimit::limit(&state, &http, "appointments").await?;
    let b = body.0;
    let today = hunyin_app::clock::today();
    let service = crate::routes::eligibility::parse_service(b.service.as_deref())?;
    let mut errors = Vec::new();
    let emails = parse_contact(&b.contact, &mut errors);
    let (parties, emails) = match (parse_parties(&b.parties, today), emails) {
        (Ok(p), Some(e)) if errors.is_empty() => (p, e),
        (Ok(_), _) => return Err(ApiError::invalid(errors)),
        (Err(mut e), _) => {
            e.invalid_params.extend(errors);
            return Err(e);
        }
    };
    let req = BookingRequest {
        office_id: b.office_id,
        slot_id: b.slot_id,
        parties,
        emails,
        phone: b.contact.phone.map(|p| p.trim().to_owned()),
        signed_in,
    };
    let (st, office) = (state.clone(), req.office_id.clone());
    let st_clock = state.clock.clone();
    let view = with_booking(state, move |conn, rules| match service {
        Service::Marriage => booking::book(conn, rules, &req, now_local()),
        // A divorce's visits are judged by the instance's clock, as its counter is.
        Service::Divorce => booking::book_visit(
            conn,
            rules,
            &req,
            VisitKind::Divorce,
            clock_local(&st_clock),
        ),
    })
    .await?;
    st.listings.invalidate(&office);
    let location = format!("/v1/appointments/{}", view.reference);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(view))
}

fn token(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(MANAGE_TOKEN)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
}

/// `GET /v1/appointments/{reference}`
pub async fn get(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let token = token(&req);
    let view = with_booking(state, move |conn, rules| {
        booking::view(conn, rules, &reference, token.as_deref())
    })
    .await?;
    Ok(private(StatusCode::OK, view))
}

/// `PATCH` body: the new slot (and office, when it changes).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RescheduleBody {
    #[serde(default)]
    pub office_id: Option<String>,
    pub slot_id: String,
}

/// `PATCH /v1/appointments/{reference}`
pub async fn reschedule(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: Json<RescheduleBody>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let token = token(&req);
    let b = body.0;
    let st = state.clone();
    let view = with_booking(state, move |conn, rules| {
        booking::reschedule(
            conn,
            rules,
            &reference,
            token.as_deref(),
            b.office_id.as_deref(),
            &b.slot_id,
            now_local(),
        )
    })
    .await?;
    // Seats moved between two slots, possibly two offices.
    st.listings.clear();
    Ok(private(StatusCode::OK, view))
}

/// `DELETE /v1/appointments/{reference}`
pub async fn cancel(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let token = token(&req);
    let st = state.clone();
    let view = with_booking(state, move |conn, rules| {
        booking::cancel(conn, rules, &reference, token.as_deref())
    })
    .await?;
    st.listings.clear();
    Ok(private(StatusCode::OK, view))
}

/// `POST /v1/confirmations` body: the secret of a confirmation link (its fragment).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBody {
    pub token: String,
}

/// `POST /v1/confirmations`: a party confirms a hold with the secret of their own link.
pub async fn confirm(
    state: web::Data<WebState>,
    http: HttpRequest,
    body: Json<ConfirmBody>,
) -> Result<HttpResponse, ApiError> {
    crate::ratelimit::limit(&state, &http, "confirmations").await?;
    let token = body.0.token.trim().to_owned();
    let st = state.clone();
    let view = with_booking(state, move |conn, rules| {
        booking::confirm(conn, rules, &token, hunyin_app::clock::now())
    })
    .await?;
    // A booked confirmation may have released another booking's seat.
    st.listings.clear();
    Ok(private(StatusCode::OK, view))
}

/// `POST /v1/confirmations/release`: a party lets the hold or booking go with their own link.
pub async fn release(
    state: web::Data<WebState>,
    http: HttpRequest,
    body: Json<ConfirmBody>,
) -> Result<HttpResponse, ApiError> {
    crate::ratelimit::limit(&state, &http, "confirmations").await?;
    let token = body.0.token.trim().to_owned();
    let st = state.clone();
    let view = with_booking(state, move |conn, rules| {
        booking::release(conn, rules, &token, hunyin_app::clock::now())
    })
    .await?;
    st.listings.clear();
    Ok(private(StatusCode::OK, view))
}
