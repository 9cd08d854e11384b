//! The citizen's real-name sign-in from the pages (oidc identity mode), sign-out, and 我的预约
//! (`/my`): the signed-in person's appointments, cancelled (after a confirmation step) and
//! confirmed as the second party, without a manage token. The reference travels in posted
//! forms, never in a URL.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use hunyin_app::booking::Rules;
use hunyin_app::citizen::{self, appointments as mine, Citizen, CitizenView};
use hunyin_http::citizen::{return_path, session_of, set_cookie, SESSION_COOKIE};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::appointment::status_words;
use super::{when, Fields};
use crate::cookies::{self, SameSite};
use crate::form;
use crate::lang::{local_path, Lang};
use crate::page::{headers, see_other, Chrome, Page, PageError};

/// The person signed in on `req`, if any.
pub async fn who(req: &HttpRequest, l: Lang) -> Result<Option<Citizen>, PageError> {
    session_of(req).await.map_err(|e| PageError::of(l, &e))
}

/// `POST /sign-in`: starts the provider's sign-in; its callback comes back to the page the
/// form was on (`back`, a local path; `/` otherwise).
pub async fn sign_in(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields = Fields::from_pairs(form::read(&req, &body)?);
    let l = Lang::of(&req);
    if state.identity.confirms_by_contact() {
        return Ok(see_other("/"));
    }
    let given = fields.opt("back");
    let back = return_path(local_path(given.as_deref()))
        .unwrap_or("/")
        .to_owned();
    hunyin_http::routes::citizen::start_sign_in(state, &req, Some(&back), StatusCode::SEE_OTHER)
        .await
        .map_err(|e| PageError::of(l, &e.problem))
}

#[derive(Template)]
#[template(path = "couples/sign_in_failed.html")]
struct FailedPage {
    c: Chrome,
    unavailable: bool,
}

/// `GET /sign-in/failed` and `/sign-in/unavailable`: where the callback of a page's sign-in
/// that did not succeed sends the browser (refused or cancelled; the provider or this service
/// could not answer), with the sign-in to try again.
pub async fn failed(req: HttpRequest) -> HttpResponse {
    let page = Page::new(&req);
    let unavailable = req.path().ends_with("/unavailable");
    let status = match unavailable {
        true => StatusCode::SERVICE_UNAVAILABLE,
        false => StatusCode::BAD_REQUEST,
    };
    let html = FailedPage {
        c: page.chrome.clone(),
        unavailable,
    }
    .render();
    page.answer(status, html)
}

/// `POST /sign-out`: ends our session (the cookie is removed) and goes on to the provider's
/// end-session page when it has one (on a shared phone the next person must not be signed in
/// at the provider as this one), else to the start page.
pub async fn sign_out(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let _: Vec<(String, String)> = form::read(&req, &body)?;
    let l = Lang::of(&req);
    let mut to = "/".to_owned();
    if let Some(who) = who(&req, l).await? {
        let st = state.clone();
        let out = web::block(move || citizen::sign_out(&st, &who))
            .await
            .map_err(|_| PageError::of(l, &hunyin_app::AppError::internal("sign-out")))?
            .map_err(|e| PageError::of(l, &e))?;
        if let Some(url) = out.end_session_url {
            to = url;
        }
    }
    let secure = state.oidc.config.cookie_secure;
    let mut resp = HttpResponse::SeeOther();
    headers(&mut resp);
    Ok(resp
        .insert_header((header::LOCATION, to))
        .append_header((
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", "/", 0, secure),
        ))
        .finish())
}

/// One appointment as 我的预约 lists it.
struct Item {
    reference: String,
    office: String,
    when: String,
    status: String,
    parties: Vec<(String, String)>,
    as_second: bool,
    awaiting_me: bool,
    cancellable: bool,
    /// Booked: it may move to another slot.
    movable: bool,
}

#[derive(Template)]
#[template(path = "couples/my.html")]
struct MyPage {
    c: Chrome,
    who: Option<CitizenView>,
    items: Vec<Item>,
    notice: String,
    /// The notice tells of a refusal.
    refused: bool,
}

/// What a change on 我的预约 did, carried to the page after its redirect (`done-<reference>`).
const DONE: &str = "hunyin_my_done";

#[derive(Template)]
#[template(path = "couples/my_cancel.html")]
struct CancelPage {
    c: Chrome,
    item: Item,
}

fn item(l: Lang, v: mine::MyAppointmentView) -> Item {
    let a = v.appointment;
    Item {
        when: a
            .slot
            .as_ref()
            .map(|s| when(l, &s.start, &s.end))
            .unwrap_or_default(),
        status: status_words(l, &a.status),
        cancellable: matches!(a.status.as_str(), "pending_confirmation" | "booked"),
        movable: a.status == "booked",
        parties: a
            .parties
            .iter()
            .map(|p| (p.name.clone(), p.id_number_masked.clone()))
            .collect(),
        as_second: v.my_party == 1,
        awaiting_me: v.awaiting_my_confirmation,
        office: a.office.name,
        reference: a.reference,
    }
}

pub(super) async fn my_page(
    state: web::Data<WebState>,
    req: &HttpRequest,
    status: StatusCode,
    notice: String,
) -> Result<HttpResponse, PageError> {
    let refused = status != StatusCode::OK;
    let page = Page::new(req);
    let l = page.chrome.lang;
    let Some(who) = who(req, l).await? else {
        let html = MyPage {
            c: page.chrome.clone(),
            who: None,
            items: Vec::new(),
            notice,
            refused,
        }
        .render();
        return Ok(page.answer(status, html));
    };
    let view = who.view();
    let list = with_db(state, move |c, st| mine::list(c, &Rules::of(st), &who))
        .await
        .map_err(|e| PageError::of(l, &e.problem))?;
    let html = MyPage {
        c: page.chrome.clone(),
        who: Some(view),
        items: list.appointments.into_iter().map(|v| item(l, v)).collect(),
        notice,
        refused,
    }
    .render();
    Ok(page.answer(status, html))
}

/// `GET /my`: the signed-in person's appointments; a sign-in button otherwise.
pub async fn show(state: web::Data<WebState>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let l = Lang::of(&req);
    let done = cookies::read(&req, DONE);
    let notice = match done.as_deref().and_then(|d| d.split_once('_')) {
        Some(("cancelled", r)) => format!("{} {r}", l.t("已取消预约", "Cancelled the booking")),
        Some(("confirmed", r)) => format!("{} {r}", l.t("已确认预约", "Confirmed the booking")),
        Some(("rescheduled", r)) => format!(
            "{} {r}",
            l.t(
                "预约已改期，新的确认邮件已发送",
                "Moved the booking; a new confirmation is on its way"
            )
        ),
        _ => String::new(),
    };
    let mut resp = my_page(state, &req, StatusCode::OK, notice).await?;
    if done.is_some() {
        // Told once: a reload shows the list only.
        let clear = cookies::set_at(DONE, "", "/my", 0, SameSite::Strict, secure(&req));
        if let Ok(h) = header::HeaderValue::from_str(&clear) {
            resp.headers_mut().append(header::SET_COOKIE, h);
        }
    }
    Ok(resp)
}

fn secure(req: &HttpRequest) -> bool {
    crate::cookies::secure(req)
}

/// Post/Redirect/Get after a change: 我的预约 again, telling what was done (a reload posts
/// nothing again).
pub(super) fn done(req: &HttpRequest, what: &str, reference: &str) -> HttpResponse {
    let mut resp = see_other("/my");
    let value = format!("{what}_{reference}");
    let cookie = cookies::set_at(DONE, &value, "/my", 60, SameSite::Strict, secure(req));
    if let Ok(h) = header::HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, h);
    }
    resp
}

/// The signed-in person and the posted reference, or the page to answer instead.
pub(super) async fn posted(
    req: &HttpRequest,
    body: &[u8],
) -> Result<Result<(Citizen, Fields), HttpResponse>, PageError> {
    let fields = Fields::from_pairs(form::read(req, body)?);
    let l = Lang::of(req);
    match who(req, l).await? {
        Some(w) => Ok(Ok((w, fields))),
        None => Ok(Err(see_other("/my"))),
    }
}

/// `POST /my/cancel`: without `confirm=yes` the confirmation step; with it the cancellation,
/// then 我的预约 again with what happened.
pub async fn cancel(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (who, fields) = match posted(&req, &body).await? {
        Ok(x) => x,
        Err(resp) => return Ok(resp),
    };
    let page = Page::new(&req);
    let l = page.chrome.lang;
    let reference = fields.get("reference").to_owned();
    if fields.get("confirm") != "yes" {
        let v = with_db(state, move |c, st| {
            mine::view(c, &Rules::of(st), &who, &reference)
        })
        .await
        .map_err(|e| PageError::of(l, &e.problem))?;
        let html = CancelPage {
            c: page.chrome.clone(),
            item: item(l, v),
        }
        .render();
        return Ok(page.answer(StatusCode::OK, html));
    }
    let r = reference.clone();
    let done = with_db(state.clone(), move |c, s| {
        mine::cancel(c, &Rules::of(s), &who, &r)
    })
    .await;
    changed(state, &req, done, "cancelled", &reference, true).await
}

/// The answer to a change of 我的预约: back to the list telling what was done (and the
/// listings' seats forgotten when `seats` moved); a refusal told at the top of the list.
pub(super) async fn changed<T>(
    state: web::Data<WebState>,
    req: &HttpRequest,
    result: Result<T, hunyin_http::ApiError>,
    what: &str,
    reference: &str,
    seats: bool,
) -> Result<HttpResponse, PageError> {
    let l = Lang::of(req);
    match result {
        Ok(_) => {
            if seats {
                state.listings.clear();
            }
            Ok(done(req, what, reference))
        }
        Err(e) if e.status.is_client_error() => {
            let notice = l.t(&e.problem.detail_zh, &e.problem.detail).to_owned();
            my_page(state, req, e.status, notice).await
        }
        Err(e) => Err(PageError::of(l, &e.problem)),
    }
}

/// `POST /my/confirm`: the second party, signed in, confirms the booking naming them.
pub async fn confirm(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (who, fields) = match posted(&req, &body).await? {
        Ok(x) => x,
        Err(resp) => return Ok(resp),
    };
    let l = Lang::of(&req);
    hunyin_http::ratelimit::limit(&state, &req, "confirmations")
        .await
        .map_err(|e| PageError::of(l, &e.problem))?;
    let reference = fields.get("reference").to_owned();
    let r = reference.clone();
    let done = with_db(state.clone(), move |c, s| {
        mine::confirm(c, &Rules::of(s), &who, &r, hunyin_app::clock::now())
    })
    .await;
    changed(state, &req, done, "confirmed", &reference, false).await
}
