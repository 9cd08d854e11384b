//! The office's failed partner deliveries (notifications to partner regions set aside after their
//! retries), for supervisors (and auditors, who only read): each with its error, and a retry
//! that puts it back in the queue (audited).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use hunyin_app::auth::Role;
use hunyin_app::partner_outbound::{self, DeliveryView};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::DoneQuery;
use super::{fail, fail_api, session, DeskChrome, DeskError};
use crate::form;
use crate::lang::Lang;
use crate::page::{see_other, Chrome, Page};

#[derive(Template)]
#[template(path = "desk/deliveries.html")]
struct DeliveriesPage {
    c: Chrome,
    d: DeskChrome,
    deliveries: Vec<DeliveryView>,
    done: bool,
}

/// `GET /desk/deliveries`: the notifications not delivered (failed ones first to act on).
pub async fn show(
    state: web::Data<WebState>,
    req: HttpRequest,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    staff
        .require_role(&[Role::Supervisor, Role::Auditor])
        .map_err(|e| fail(lang, &e))?;
    let d = DeskChrome::of(Some(&staff));
    let v = with_db(state, move |c, _| {
        partner_outbound::deliveries(c, &staff, false)
    })
    .await
    .map_err(fail_api(lang))?;
    let html = DeliveriesPage {
        c: page.chrome.clone(),
        d,
        deliveries: v.deliveries,
        done: q.done.as_deref() == Some("retried"),
    }
    .render();
    Ok(page.answer(StatusCode::OK, html))
}

/// An empty form (its token only).
#[derive(Debug, Deserialize)]
pub struct Empty {}

/// `POST /desk/deliveries/{id}/retry` (supervisors).
pub async fn retry(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let _: Empty = form::read(&req, &body)?;
    let lang = Lang::of(&req);
    let id = path.into_inner();
    with_db(state, move |c, _| partner_outbound::retry(c, &staff, id))
        .await
        .map_err(fail_api(lang))?;
    Ok(see_other("/desk/deliveries?done=retried"))
}
