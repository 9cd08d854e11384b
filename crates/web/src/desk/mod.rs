//! The registrar's desk under `/desk/`: sign-in, the day's queue, walk-ins, the application in
//! the order of the procedure, printables, and the supervisor's staff page (issue 17). Every
//! page but sign-in needs a desk session ([`session`]); without one it answers 303 to
//! `/desk/sign-in`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, ResponseError};

use hunyin_app::auth::{Role, Staff};
use hunyin_app::{AppError, ErrorKind};
use hunyin_http::problem::ApiError;

use crate::form::Errors;
use crate::lang::Lang;
use crate::page::{see_other, PageError};

mod actions;
mod application;
mod auditor;
mod certificates;
mod deliveries;
mod divorce;
mod divorce_certificates;
mod divorce_print;
mod divorce_screen;
mod print;
mod queue;
mod schedule;
mod schedule_days;
pub mod session;
mod staff;
mod walk_in;
mod words;

/// The query of a desk page reached after a change: which confirmation to show.
#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

/// Registers the desk's pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/desk", web::get().to(home))
        .route("/desk/sign-in", web::get().to(session::form))
        .route("/desk/sign-in", web::post().to(session::sign_in))
        .route("/desk/sign-out", web::post().to(session::sign_out))
        .route("/desk/queue", web::get().to(queue::show))
        .route("/desk/queue/rows", web::get().to(queue::rows))
        .route("/desk/walk-in", web::get().to(walk_in::form))
        .route("/desk/walk-in", web::post().to(walk_in::take))
        .route(
            "/desk/applications/{reference}",
            web::get().to(application::show),
        )
        .route(
            "/desk/applications/{reference}/certificate",
            web::get().to(print::certificate),
        )
        .route(
            "/desk/applications/{reference}/review-form",
            web::get().to(print::review_form),
        )
        .route(
            "/desk/applications/{reference}/refusal-notice",
            web::get().to(print::refusal_notice),
        )
        .route(
            "/desk/applications/{reference}/{action}",
            web::post().to(actions::act),
        )
        .route("/desk/divorces/new", web::get().to(divorce::form))
        .route("/desk/divorces", web::post().to(divorce::receive))
        .route(
            "/desk/divorce-visits/{visit}",
            web::get().to(divorce::issue_visit),
        )
        .route(
            "/desk/divorces/{reference}",
            web::get().to(divorce_screen::show),
        )
        .route(
            "/desk/divorces/{reference}/certificate",
            web::get().to(divorce_print::certificate),
        )
        .route(
            "/desk/divorces/{reference}/refusal-notice",
            web::get().to(divorce_print::refusal_notice),
        )
        .route(
            "/desk/divorces/{reference}/{document}",
            web::get().to(divorce_print::document),
        )
        .route(
            "/desk/divorces/{reference}/{action}",
            web::post().to(divorce_screen::act),
        )
        .route("/desk/certificates", web::get().to(certificates::form))
        .route("/desk/certificates", web::post().to(certificates::find))
        .route(
            "/desk/certificates/{number}",
            web::get().to(certificates::show),
        )
        .route(
            "/desk/certificates/{action}",
            web::post().to(certificates::change),
        )
        .route("/desk/deliveries", web::get().to(deliveries::show))
        .route(
            "/desk/deliveries/{id}/retry",
            web::post().to(deliveries::retry),
        )
        .route("/desk/audit", web::get().to(auditor::audit_form))
        .route("/desk/audit", web::post().to(auditor::audit_search))
        .route("/desk/statistics", web::get().to(auditor::dashboard))
        .route("/desk/statistics.csv", web::get().to(auditor::csv))
        .route("/desk/statistics/chart.svg", web::get().to(auditor::chart))
        .route("/desk/schedule", web::get().to(schedule::show))
        .route("/desk/schedule", web::post().to(schedule::save))
        .route("/desk/schedule/days", web::post().to(schedule_days::set))
        .route(
            "/desk/schedule/days/remove",
            web::post().to(schedule_days::remove),
        )
        .route("/desk/staff", web::get().to(staff::show))
        .route("/desk/staff", web::post().to(staff::create))
        .route("/desk/staff/password", web::post().to(staff::reset))
        .route("/desk/staff/{id}/{change}", web::post().to(staff::change));
}

/// `GET /desk`: the signed-in staff member's first page.
async fn home(
    state: web::Data<hunyin_http::WebState>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    Ok(see_other(session::start_of(&staff)))
}

/// What every desk page shows around its content: its stylesheet and who is signed in.
#[derive(Debug, Clone)]
pub struct DeskChrome {
    pub css: String,
    /// The desk's script (the queue's refresh).
    pub js: String,
    pub who: Option<String>,
    pub supervisor: bool,
    /// Reads the trail and the statistics (auditors and supervisors).
    pub auditor: bool,
    /// Works the counter (registrars and supervisors).
    pub counter: bool,
}

impl DeskChrome {
    pub fn of(staff: Option<&Staff>) -> DeskChrome {
        DeskChrome {
            css: crate::assets::url("desk.css"),
            js: crate::assets::url("desk.js"),
            who: staff.map(|s| format!("{} ({})", s.display_name, s.username)),
            supervisor: staff.is_some_and(|s| s.role == Role::Supervisor),
            auditor: staff.is_some_and(|s| matches!(s.role, Role::Auditor | Role::Supervisor)),
            counter: staff.is_some_and(|s| matches!(s.role, Role::Registrar | Role::Supervisor)),
        }
    }
}

/// Why a desk page was not answered: no session (to the sign-in page), or a page error.
#[derive(Debug)]
pub enum DeskError {
    SignIn,
    Page(PageError),
}

impl From<PageError> for DeskError {
    fn from(e: PageError) -> Self {
        DeskError::Page(e)
    }
}

impl std::fmt::Display for DeskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeskError::SignIn => f.write_str("303 sign in"),
            DeskError::Page(p) => p.fmt(f),
        }
    }
}

impl ResponseError for DeskError {
    fn status_code(&self) -> StatusCode {
        match self {
            DeskError::SignIn => StatusCode::SEE_OTHER,
            DeskError::Page(p) => p.status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            DeskError::SignIn => see_other("/desk/sign-in"),
            DeskError::Page(p) => error_page(p),
        }
    }
}

#[derive(askama::Template)]
#[template(path = "desk/error.html")]
struct ErrorPage {
    c: crate::page::Chrome,
    desk_css: String,
    message: String,
}

/// A desk page that could not be answered: its message, and the way back to the desk.
fn error_page(e: &PageError) -> HttpResponse {
    use askama::Template;
    let c = crate::page::Chrome {
        lang: e.lang,
        csrf: String::new(),
        path: "/desk".into(),
        css: crate::assets::url("site.css"),
        js: crate::assets::url("site.js"),
        account: crate::page::Account::None,
    };
    let page = ErrorPage {
        message: e.lang.t(&e.zh, &e.en).to_owned(),
        desk_css: crate::assets::url("desk.css"),
        c,
    };
    match page.render() {
        Ok(html) => {
            let mut resp = HttpResponse::build(e.status);
            crate::page::headers(&mut resp);
            resp.content_type("text/html; charset=utf-8").body(html)
        }
        Err(_) => e.error_response(),
    }
}

/// A use case's error on a desk page: a session that ended goes to sign-in, anything else is
/// its page (403 for another office or role, 404, …).
pub fn fail(lang: Lang, e: &AppError) -> DeskError {
    if e.kind == ErrorKind::Unauthenticated {
        DeskError::SignIn
    } else {
        DeskError::Page(PageError::of(lang, e))
    }
}

/// [`fail`] for the error of `with_db`.
pub fn fail_api(lang: Lang) -> impl Fn(ApiError) -> DeskError {
    move |e| fail(lang, &e.problem)
}

/// Whether a use case's error is answered beside a form's fields (bad input, a conflict of
/// state) rather than as a page of its own.
pub fn belongs_to_form(e: &AppError) -> bool {
    matches!(
        e.kind,
        ErrorKind::Invalid
            | ErrorKind::Conflict
            | ErrorKind::Unprocessable
            | ErrorKind::RateLimited
    )
}

/// The errors of a use case for a form: each invalid parameter beside its field (the API's
/// name through `field_of`), anything else beside `default_field`.
pub fn form_errors(
    lang: Lang,
    e: &AppError,
    default_field: &str,
    field_of: impl Fn(&str) -> Option<String>,
) -> Errors {
    let mut errors = Errors::default();
    for p in &e.invalid_params {
        let id = field_of(&p.name).unwrap_or_else(|| default_field.to_owned());
        errors.push(id, words::invalid_param(lang, &p.code, &p.reason));
    }
    if errors.is_empty() {
        errors.push(default_field, lang.t(&e.detail_zh, &e.detail).to_owned());
    }
    errors
}

/// A reference from a path, or 404: letters, digits and `-`, as the service makes them.
pub fn reference(lang: Lang, raw: &str) -> Result<String, DeskError> {
    let ok = (3..=32).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(PageError::new(
            StatusCode::NOT_FOUND,
            lang,
            "没有此编号的申请。",
            "No application has this reference.",
        )
        .into())
    }
}
