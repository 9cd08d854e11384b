//! Signing in at the desk: the staff accounts and throttling of `app::auth`, the session's token
//! in a cookie (`hunyin_desk`: HttpOnly, SameSite=Strict, Path=/desk, Secure over https) that
//! lives as long as the session row (`staff.session_hours`, absolute). Every desk page asks
//! [`staff`] for the session's holder; a revoked or expired session, or a disabled account, is
//! refused by the session lookup itself, so the next page goes to sign-in at once.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use hunyin_app::auth::{self, Staff};
use hunyin_app::{tokens, AppError, ErrorKind};
use hunyin_http::middleware::RequestId;
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::{fail, fail_api, form_errors, DeskChrome, DeskError};
use crate::cookies;
use crate::form::{self, Errors};
use crate::lang::Lang;
use crate::page::{headers, Chrome, Page};

/// The cookie holding the desk session's token.
pub const COOKIE: &str = "hunyin_desk";

/// The signed-in staff member of a desk request, or [`DeskError::SignIn`].
pub async fn staff(req: &HttpRequest, state: &web::Data<WebState>) -> Result<Staff, DeskError> {
    staff_of(req, state, true).await
}

/// As [`staff`] for a request the page makes by itself (the queue's refresh every 20 s): it
/// does not count as a use, so an unattended screen still ends at `staff.idle_minutes`.
pub async fn staff_unattended(
    req: &HttpRequest,
    state: &web::Data<WebState>,
) -> Result<Staff, DeskError> {
    staff_of(req, state, false).await
}

async fn staff_of(
    req: &HttpRequest,
    state: &web::Data<WebState>,
    used: bool,
) -> Result<Staff, DeskError> {
    let token = cookies::read(req, COOKIE).ok_or(DeskError::SignIn)?;
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let token_hash = tokens::hash(&token);
    let lang = Lang::of(req);
    with_db(state.clone(), move |c, st| {
        let (idle, now) = (st.staff.idle_minutes, hunyin_app::clock::now());
        if used {
            auth::by_session(c, token_hash, request_id, now, idle)
        } else {
            auth::by_session_unattended(c, token_hash, request_id, now, idle)
        }
    })
    .await
    .map_err(fail_api(lang))
}

/// The first page of a staff member: the queue at the counter, the trail for auditors.
pub fn start_of(staff: &Staff) -> &'static str {
    if staff.role == hunyin_app::auth::Role::Auditor {
        "/desk/audit"
    } else {
        "/desk/queue"
    }
}

/// The `Set-Cookie` of the desk session (`max_age` 0 ends it).
fn session_cookie(value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; Path=/desk; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}")
}

#[derive(Template)]
#[template(path = "desk/sign_in.html")]
struct SignInPage {
    c: Chrome,
    d: DeskChrome,
    errors: Errors,
    username: String,
    signed_out: bool,
}

fn render(
    page: Page,
    status: StatusCode,
    errors: Errors,
    username: String,
    signed_out: bool,
) -> HttpResponse {
    let html = SignInPage {
        c: page.chrome.clone(),
        d: DeskChrome::of(None),
        errors,
        username,
        signed_out,
    }
    .render();
    page.answer(status, html)
}

/// The query of the sign-in page.
#[derive(Debug, Deserialize)]
pub struct SignInQuery {
    pub done: Option<String>,
}

/// `GET /desk/sign-in`
pub async fn form(req: HttpRequest, q: web::Query<SignInQuery>) -> HttpResponse {
    let signed_out = q.done.as_deref() == Some("signed-out");
    render(
        Page::new(&req),
        StatusCode::OK,
        Errors::default(),
        String::new(),
        signed_out,
    )
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
}

/// `POST /desk/sign-in`: throttled like the API's sign-in (per username on every instance, and
/// per client address); a wrong username or password is one message, beside the password.
pub async fn sign_in(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let f: SignInForm = form::read(&req, &body)?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let field_of = |name: &str| Some(name.to_owned());
    let refused = |page: Page, e: &AppError, username: String| {
        let status = hunyin_http::problem::status_of(e.kind);
        let errors = match e.kind {
            ErrorKind::Unauthenticated => {
                let mut errors = Errors::default();
                errors.push(
                    "password",
                    lang.t("用户名或密码错误", "The username or the password is wrong"),
                );
                errors
            }
            _ => form_errors(lang, e, "username", field_of),
        };
        render(page, status, errors, username, false)
    };
    if let Err(e) = hunyin_http::ratelimit::limit(&state, &req, "sign_in").await {
        return Ok(refused(page, &e.problem, f.username));
    }
    if let Err(e) = auth::check_credentials(&f.username, &f.password) {
        return Ok(refused(page, &e, f.username));
    }
    let secure = crate::cookies::secure(&req);
    let hours = i64::from(state.staff.session_hours);
    let (username, password) = (f.username.clone(), f.password);
    let st = state.clone();
    let answer = web::block(move || auth::sign_in(&st, &username, &password))
        .await
        .map_err(|_| fail(lang, &AppError::internal("sign-in thread")))?;
    match answer {
        Ok(session) => {
            let mut resp = HttpResponse::SeeOther();
            headers(&mut resp);
            Ok(resp
                .insert_header((header::LOCATION, start_of(&session.staff)))
                .insert_header((
                    header::SET_COOKIE,
                    session_cookie(&session.token, hours * 3600, secure),
                ))
                .finish())
        }
        Err(e) if e.kind == ErrorKind::Internal => Err(fail(lang, &e)),
        Err(e) => Ok(refused(page, &e, f.username)),
    }
}

/// An empty form (its token only).
#[derive(Debug, Deserialize)]
pub struct Empty {}

/// `POST /desk/sign-out`: ends the session in the database, then the cookie.
pub async fn sign_out(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let _: Empty = form::read(&req, &body)?;
    let lang = Lang::of(&req);
    let secure = crate::cookies::secure(&req);
    if let Ok(staff) = staff(&req, &state).await {
        with_db(state, move |c, _| auth::sign_out(c, &staff))
            .await
            .map_err(fail_api(lang))?;
    }
    let mut resp = HttpResponse::SeeOther();
    headers(&mut resp);
    Ok(resp
        .insert_header((header::LOCATION, "/desk/sign-in?done=signed-out"))
        .insert_header((header::SET_COOKIE, session_cookie("", 0, secure)))
        .finish())
}
