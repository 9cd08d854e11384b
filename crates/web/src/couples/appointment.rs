//! `/appointment`: a couple's own appointment, opened with its reference and manage token
//! (the manage link carries them in its fragment; only posted forms carry them on). View,
//! reschedule on the office's calendar, cancel after a confirmation step, the calendar file.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use hunyin_app::booking::{self, AppointmentView, Rules};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::calendar::{self, month_of, page_of, Shown};
use super::parties::Input;
use super::{errors_of, now_local, when, Fields};
use crate::form::{self, Errors};
use crate::lang::Lang;
use crate::page::{Chrome, Page, PageError};

#[derive(Template)]
#[template(path = "couples/open.html")]
struct OpenPage {
    c: Chrome,
    errors: Errors,
    reference: Input,
    token: Input,
}

#[derive(Template)]
#[template(path = "couples/appointment.html")]
struct ViewPage {
    c: Chrome,
    v: AppointmentView,
    when: String,
    status: String,
    documents: Vec<String>,
    token: String,
    notice: Option<String>,
    confirming_cancel: bool,
}

fn open_page(page: Page, status: StatusCode, fields: &Fields, errors: Errors) -> HttpResponse {
    let html = OpenPage {
        reference: Input::new("reference".into(), fields, &errors),
        token: Input::new("token".into(), fields, &errors),
        c: page.chrome.clone(),
        errors,
    }
    .render();
    page.answer(status, html)
}

pub(super) fn status_words(l: Lang, s: &str) -> String {
    l.t(
        match s {
            "pending_confirmation" => "等待双方确认",
            "booked" => "已预约",
            "cancelled" => "已取消",
            "lapsed" => "未按时确认，已失效",
            "superseded" => "已被双方的新预约取代",
            _ => s,
        },
        match s {
            "pending_confirmation" => "waiting for both of you to confirm",
            "booked" => "booked",
            "cancelled" => "cancelled",
            "lapsed" => "lapsed: not confirmed in time",
            "superseded" => "replaced by a newer booking of yours",
            _ => s,
        },
    )
    .to_owned()
}

fn view_page(
    page: Page,
    v: AppointmentView,
    token: String,
    notice: Option<String>,
    confirming_cancel: bool,
) -> HttpResponse {
    let l = page.chrome.lang;
    let html = ViewPage {
        when: v
            .slot
            .as_ref()
            .map(|s| when(l, &s.start, &s.end))
            .unwrap_or_default(),
        status: status_words(l, &v.status),
        documents: super::documents(l, &v.documents),
        c: page.chrome.clone(),
        v,
        token,
        notice,
        confirming_cancel,
    }
    .render();
    page.answer(StatusCode::OK, html)
}

/// The reference and token of a posted form.
fn keys(fields: &Fields) -> (String, String) {
    (
        fields.get("reference").to_ascii_uppercase(),
        fields.get("token").to_owned(),
    )
}

async fn load(
    state: web::Data<WebState>,
    reference: String,
    token: String,
) -> Result<AppointmentView, hunyin_http::problem::ApiError> {
    with_db(state, move |conn, st| {
        booking::view(conn, &Rules::of(st), &reference, Some(&token))
    })
    .await
}

/// `GET /appointment`: the form for the reference and manage token.
pub async fn show(req: HttpRequest) -> HttpResponse {
    open_page(
        Page::new(&req),
        StatusCode::OK,
        &Fields::default(),
        Errors::default(),
    )
}

/// The form again with `e` beside the token (a wrong reference or token is one 404).
fn refused(
    page: Page,
    fields: &Fields,
    e: &hunyin_http::problem::ApiError,
) -> Result<HttpResponse, PageError> {
    let l = page.chrome.lang;
    if !e.status.is_client_error() {
        return Err(PageError::of(l, &e.problem));
    }
    let mut errors = errors_of(l, &e.problem, "token");
    if e.status == StatusCode::NOT_FOUND {
        errors = Errors::default();
        errors.push(
            "token",
            l.t(
                "预约号或管理码不正确。请核对预约时页面上显示的预约号和管理码。",
                "The reference or manage code is not right. Check them against the page you saw when booking.",
            ),
        );
    }
    Ok(open_page(page, e.status, fields, errors))
}

/// `POST /appointment`: the appointment.
pub async fn post(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields = Fields::from_pairs(form::read(&req, &body)?);
    let page = Page::new(&req);
    let (reference, token) = keys(&fields);
    match load(state, reference, token.clone()).await {
        Ok(v) => Ok(view_page(page, v, token, None, false)),
        Err(e) => refused(page, &fields, &e),
    }
}

/// `POST /appointment/reschedule`: the office's calendar to choose a new slot; with a
/// `slot_id`, the move itself.
pub async fn reschedule(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields = Fields::from_pairs(form::read(&req, &body)?);
    let page = Page::new(&req);
    let l = page.chrome.lang;
    let (reference, token) = keys(&fields);
    let v = match load(state.clone(), reference.clone(), token.clone()).await {
        Ok(v) => v,
        Err(e) => return refused(page, &fields, &e),
    };
    if let Some(slot_id) = fields.opt("slot_id") {
        let (r, t) = (reference.clone(), token.clone());
        let st = state.clone();
        let moved = with_db(state.clone(), move |conn, st| {
            booking::reschedule(
                conn,
                &Rules::of(st),
                &r,
                Some(&t),
                None,
                &slot_id,
                now_local(),
            )
        })
        .await;
        match moved {
            Ok(v) => {
                st.listings.clear();
                let notice = l.t(
                    "预约已改期，新的确认邮件已发送。",
                    "The appointment has moved; a new confirmation is on its way.",
                );
                return Ok(view_page(page, v, token, Some(notice.to_owned()), false));
            }
            Err(e) if e.status.is_client_error() => {
                let text = l.t(&e.problem.detail_zh, &e.problem.detail).to_owned();
                return Ok(view_page(page, v, token, Some(text), false));
            }
            Err(e) => return Err(PageError::of(l, &e.problem)),
        }
    }
    let first = month_of(&fields, hunyin_app::clock::today());
    let m = calendar::load(state, l, v.office.id.clone(), first).await?;
    let shown = Shown {
        carry: vec![("reference".into(), reference), ("token".into(), token)],
        day_action: "/appointment/reschedule".into(),
        slot_action: "/appointment/reschedule".into(),
        slot_button: l.t("改到此时间", "Move to this time").into(),
        heading: l.t("选择新的预约时间", "Choose a new time").into(),
    };
    let html = page_of(page.chrome.clone(), &m, fields.opt("day").as_deref(), shown).render();
    Ok(page.answer(StatusCode::OK, html))
}

/// `POST /appointment/cancel`: first the question, then (`confirm=yes`) the cancellation.
pub async fn cancel(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields = Fields::from_pairs(form::read(&req, &body)?);
    let page = Page::new(&req);
    let l = page.chrome.lang;
    let (reference, token) = keys(&fields);
    if fields.get("confirm") != "yes" {
        return match load(state, reference, token.clone()).await {
            Ok(v) => Ok(view_page(page, v, token, None, true)),
            Err(e) => refused(page, &fields, &e),
        };
    }
    let st = state.clone();
    let t = token.clone();
    let cancelled = with_db(state, move |conn, st| {
        booking::cancel(conn, &Rules::of(st), &reference, Some(&t))
    })
    .await;
    match cancelled {
        Ok(v) => {
            st.listings.clear();
            let notice = l.t(
                "预约已取消，名额已释放。",
                "The appointment is cancelled and its seat released.",
            );
            Ok(view_page(page, v, token, Some(notice.to_owned()), false))
        }
        Err(e) => refused(page, &fields, &e),
    }
}

/// `POST /appointment/ics`: the appointment's calendar file.
pub async fn ics(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields = Fields::from_pairs(form::read(&req, &body)?);
    let page = Page::new(&req);

    let (reference, token) = keys(&fields);
    let f = with_db(state, move |conn, st| {
        booking::ics(conn, &Rules::of(st), &reference, Some(&token))
    })
    .await;
    match f {
        Ok(f) => {
            let mut resp = HttpResponse::Ok();
            crate::page::headers(&mut resp);
            Ok(resp
                .insert_header((header::CONTENT_TYPE, "text/calendar; charset=utf-8"))
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", f.filename),
                ))
                .body(f.body))
        }
        Err(e) => refused(page, &fields, &e),
    }
}
