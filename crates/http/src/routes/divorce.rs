//! `GET /v1/divorce/periods?received_on=YYYY-MM-DD`: the cooling-off and the issue window of a
//! divorce application received on a date (民法典 第1077条, 第201条, 第203条 over the holiday
//! calendar). Public and read-only: it computes from the date alone and touches no database.
//! And the couple's booking of the issue visit of a received application.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use hunyin_app::{divorce, InvalidParam};

use super::ok;
use crate::problem::ApiError;
use crate::state::WebState;

/// Query of the calculator.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodsQuery {
    pub received_on: Option<String>,
}

/// `GET /v1/divorce/periods`
pub async fn periods(
    state: web::Data<WebState>,
    query: web::Query<PeriodsQuery>,
) -> Result<HttpResponse, ApiError> {
    let Some(raw) = query.received_on.as_deref() else {
        return Err(ApiError::invalid(vec![InvalidParam::new(
            "received_on",
            "missing_field",
            "the day the office received the application, YYYY-MM-DD",
        )]));
    };
    let received_on = hunyin_app::clock::parse_date(raw).ok_or_else(|| {
        ApiError::invalid(vec![InvalidParam::new(
            "received_on",
            "invalid_date",
            "a date YYYY-MM-DD",
        )])
    })?;
    let view = divorce::periods(&state.scheduling.calendar, received_on)?;
    Ok(ok(view))
}

/// `POST /v1/divorce-applications/{reference}/issue-visit` body: the slot, and both parties'
/// ID numbers (the proof, with the receipt's reference).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueVisitBody {
    pub slot_id: String,
    pub id_numbers: Vec<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// `POST /v1/divorce-applications/{reference}/issue-visit`: the couple books the issue visit
/// of their received application.
pub async fn issue_visit(
    state: web::Data<WebState>,
    http: actix_web::HttpRequest,
    path: web::Path<String>,
    body: crate::extract::Json<IssueVisitBody>,
) -> Result<HttpResponse, ApiError> {
    crate::ratelimit::limit(&state, &http, "appointments").await?;
    let b = body.0;
    let mut bad = Vec::new();
    let shape = |s: &String| {
        let s = s.trim();
        s.len() == 18
            && s.bytes()
                .all(|c| c.is_ascii_digit() || c == b'X' || c == b'x')
    };
    if b.id_numbers.len() != 2 {
        bad.push(InvalidParam::new(
            "id_numbers",
            "not_two_id_numbers",
            "both parties' ID numbers",
        ));
    }
    for (i, id) in b.id_numbers.iter().enumerate().take(2) {
        if !shape(id) {
            bad.push(InvalidParam::new(
                format!("id_numbers[{i}]"),
                "invalid_id_number",
                "an 18-character GB 11643 citizen ID number",
            ));
        }
    }
    if let Some(p) = &b.phone {
        let ok = (5..=20).contains(&p.len())
            && p.bytes().all(|c| c.is_ascii_digit() || b"+- ".contains(&c));
        if !ok {
            bad.push(InvalidParam::new(
                "phone",
                "invalid_phone",
                "5-20 characters of digits, +, - and spaces",
            ));
        }
    }
    if !bad.is_empty() {
        return Err(ApiError::invalid(bad));
    }
    let req = divorce::IssueVisitRequest {
        reference: path.into_inner(),
        slot_id: b.slot_id,
        id_numbers: [b.id_numbers[0].clone(), b.id_numbers[1].clone()],
        phone: b.phone.map(|p| p.trim().to_owned()),
    };
    let st = state.clone();
    let view = super::with_db(state, move |conn, ctx| {
        let now = super::appointments::clock_local(&ctx.clock);
        divorce::book_issue_visit(conn, &hunyin_app::booking::Rules::of(ctx), &req, now)
    })
    .await?;
    st.listings.clear();
    let location = format!("/v1/appointments/{}", view.reference);
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(view))
}
