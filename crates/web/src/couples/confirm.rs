//! `/confirm`: where the link mailed to each party lands. The secret rides in the link's
//! fragment, which no browser sends to a server: the page's script copies it into the form,
//! and without a script the person pastes it. It is only ever posted, never put in a URL.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use hunyin_app::booking::{self, ConfirmationView, Rules};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::parties::Input;
use super::{errors_of, Fields};
use crate::form::{self, Errors};
use crate::page::{Chrome, Page, PageError};

#[derive(Template)]
#[template(path = "couples/confirm.html")]
struct ConfirmPage {
    c: Chrome,
    errors: Errors,
    token: Input,
}

#[derive(Template)]
#[template(path = "couples/confirmed.html")]
struct ConfirmedPage {
    c: Chrome,
    v: ConfirmationView,
    released: bool,
}

fn form_page(page: Page, status: StatusCode, fields: &Fields, errors: Errors) -> HttpResponse {
    let html = ConfirmPage {
        token: Input::new("token".into(), fields, &errors),
        c: page.chrome.clone(),
        errors,
    }
    .render();
    page.answer(status, html)
}

/// `GET /confirm`.
pub async fn show(req: HttpRequest) -> HttpResponse {
    form_page(
        Page::new(&req),
        StatusCode::OK,
        &Fields::default(),
        Errors::default(),
    )
}

/// `POST /confirm`: confirms (or, "not me", releases) with the posted secret.
pub async fn post(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields = Fields::from_pairs(form::read(&req, &body)?);
    let page = Page::new(&req);
    let l = page.chrome.lang;
    hunyin_http::ratelimit::limit(&state, &req, "confirmations")
        .await
        .map_err(|e| PageError::of(l, &e.problem))?;
    let token = fields.get("token").to_ascii_lowercase();
    let released = fields.get("action") == "release";
    let st = state.clone();
    let answer = with_db(state, move |conn, st| {
        let rules = Rules::of(st);
        let now = hunyin_app::clock::now();
        if released {
            booking::release(conn, &rules, &token, now)
        } else {
            booking::confirm(conn, &rules, &token, now)
        }
    })
    .await;
    match answer {
        Ok(v) => {
            st.listings.clear();
            let html = ConfirmedPage {
                c: page.chrome.clone(),
                v,
                released,
            }
            .render();
            Ok(page.answer(StatusCode::OK, html))
        }
        Err(e) if e.status.is_client_error() => {
            let errors = errors_of(l, &e.problem, "token");
            Ok(form_page(page, e.status, &fields, errors))
        }
        Err(e) => Err(PageError::of(l, &e.problem)),
    }
}
