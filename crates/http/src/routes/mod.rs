//! The route table: every operation the service answers, in one list that registers them and
//! that the contract test compares with `openapi.yaml`.

pub mod applications;
pub mod appointments;
pub mod certificates;
pub mod citizen;
pub mod citizen_appointments;
pub mod divorce;
pub mod divorce_counter;
pub mod eligibility;
pub mod health;
pub mod offices;
pub mod partner;
pub mod registrar;
pub mod schedules;
pub mod staff;
pub mod statistics;

use actix_web::http::header::CACHE_CONTROL;
use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, Route};
use hunyin_app::DbConn;

use crate::problem::ApiError;
use crate::state::WebState;
use hunyin_app::AppError;

/// One operation: method, path template (OpenAPI syntax) and the route that serves it.
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    make: fn() -> Route,
}

impl RouteSpec {
    fn new(method: Method, path: &'static str, make: fn() -> Route) -> RouteSpec {
        RouteSpec { method, path, make }
    }
}

/// Every operation of the service.
pub fn table() -> Vec<RouteSpec> {
    vec![
        RouteSpec::new(Method::GET, "/healthz", || web::get().to(health::healthz)),
        RouteSpec::new(Method::GET, "/readyz", || web::get().to(health::readyz)),
        RouteSpec::new(Method::GET, "/metrics", || web::get().to(health::metrics)),
        RouteSpec::new(Method::GET, "/v1/offices", || web::get().to(offices::list)),
        RouteSpec::new(Method::GET, "/v1/offices/{office_id}", || {
            web::get().to(offices::get)
        }),
        RouteSpec::new(Method::GET, "/v1/offices/{office_id}/slots", || {
            web::get().to(appointments::slots)
        }),
        RouteSpec::new(Method::GET, "/v1/divorce/periods", || {
            web::get().to(divorce::periods)
        }),
        RouteSpec::new(
            Method::POST,
            "/v1/divorce-applications/{reference}/issue-visit",
            || web::post().to(divorce::issue_visit),
        ),
        RouteSpec::new(Method::POST, "/v1/eligibility", || {
            web::post().to(eligibility::check)
        }),
        RouteSpec::new(Method::POST, "/v1/appointments", || {
            web::post().to(appointments::create)
        }),
        RouteSpec::new(Method::GET, "/v1/appointments/{reference}", || {
            web::get().to(appointments::get)
        }),
        RouteSpec::new(Method::PATCH, "/v1/appointments/{reference}", || {
            web::patch().to(appointments::reschedule)
        }),
        RouteSpec::new(Method::DELETE, "/v1/appointments/{reference}", || {
            web::delete().to(appointments::cancel)
        }),
        RouteSpec::new(Method::POST, "/v1/confirmations", || {
            web::post().to(appointments::confirm)
        }),
        RouteSpec::new(Method::POST, "/v1/confirmations/release", || {
            web::post().to(appointments::release)
        }),
        RouteSpec::new(Method::GET, "/v1/citizen/sign-in", || {
            web::get().to(citizen::sign_in)
        }),
        RouteSpec::new(Method::GET, "/v1/citizen/callback", || {
            web::get().to(citizen::callback)
        }),
        RouteSpec::new(Method::GET, "/v1/citizen/me", || web::get().to(citizen::me)),
        RouteSpec::new(Method::POST, "/v1/citizen/sign-out", || {
            web::post().to(citizen::sign_out)
        }),
        RouteSpec::new(Method::GET, "/v1/citizen/appointments", || {
            web::get().to(citizen_appointments::list)
        }),
        RouteSpec::new(Method::GET, "/v1/citizen/appointments/{reference}", || {
            web::get().to(citizen_appointments::get)
        }),
        RouteSpec::new(
            Method::PATCH,
            "/v1/citizen/appointments/{reference}",
            || web::patch().to(citizen_appointments::reschedule),
        ),
        RouteSpec::new(
            Method::DELETE,
            "/v1/citizen/appointments/{reference}",
            || web::delete().to(citizen_appointments::cancel),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/citizen/appointments/{reference}/confirmation",
            || web::post().to(citizen_appointments::confirm),
        ),
        RouteSpec::new(Method::POST, "/v1/registrar/sessions", || {
            web::post().to(registrar::sign_in)
        }),
        RouteSpec::new(Method::DELETE, "/v1/registrar/sessions/current", || {
            web::delete().to(registrar::sign_out)
        }),
        RouteSpec::new(Method::GET, "/v1/registrar/me", || {
            web::get().to(registrar::me)
        }),
        RouteSpec::new(
            Method::GET,
            "/v1/registrar/offices/{office_id}/queue",
            || web::get().to(applications::queue),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/offices/{office_id}/walk-ins",
            || web::post().to(applications::walk_in),
        ),
        RouteSpec::new(
            Method::GET,
            "/v1/registrar/applications/{reference}",
            || web::get().to(applications::read),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/applications/{reference}/check-in",
            || web::post().to(applications::check_in),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/applications/{reference}/household-checks",
            || web::post().to(applications::run_checks),
        ),
        RouteSpec::new(
            Method::GET,
            "/v1/registrar/applications/{reference}/household-checks",
            || web::get().to(applications::list_checks),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/applications/{reference}/manual-verifications",
            || web::post().to(applications::manual_verification),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/applications/{reference}/check-overrides",
            || web::post().to(applications::check_override),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/applications/{reference}/declarations",
            || web::post().to(applications::declare),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/applications/{reference}/registration",
            || web::post().to(applications::register),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/offices/{office_id}/divorces",
            || web::post().to(divorce_counter::receive),
        ),
        RouteSpec::new(Method::GET, "/v1/registrar/divorces/{reference}", || {
            web::get().to(divorce_counter::get)
        }),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/divorces/{reference}/withdrawal",
            || web::post().to(divorce_counter::withdraw),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/divorces/{reference}/issue",
            || web::post().to(divorce_counter::issue),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/divorces/{reference}/refusal",
            || web::post().to(divorce_counter::refuse),
        ),
        RouteSpec::new(
            Method::GET,
            "/v1/registrar/divorces/{reference}/refusal",
            || web::get().to(divorce_counter::refusal_notice),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/divorce-certificates/{number}/reissue",
            || web::post().to(divorce_counter::reissue),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/applications/{reference}/refusal",
            || web::post().to(applications::refuse),
        ),
        RouteSpec::new(
            Method::GET,
            "/v1/registrar/applications/{reference}/refusal",
            || web::get().to(applications::refusal_notice),
        ),
        RouteSpec::new(Method::GET, "/v1/registrar/certificates/{number}", || {
            web::get().to(certificates::lookup)
        }),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/certificates/{number}/reissue",
            || web::post().to(certificates::reissue),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/certificates/{number}/revocation",
            || web::post().to(certificates::revoke),
        ),
        RouteSpec::new(
            Method::GET,
            "/v1/registrar/offices/{office_id}/schedule",
            || web::get().to(schedules::get),
        ),
        RouteSpec::new(
            Method::PUT,
            "/v1/registrar/offices/{office_id}/schedule",
            || web::put().to(schedules::put),
        ),
        RouteSpec::new(
            Method::GET,
            "/v1/registrar/offices/{office_id}/staff",
            || web::get().to(staff::list),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/offices/{office_id}/staff",
            || web::post().to(staff::create),
        ),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/staff/{staff_id}/disable",
            || web::post().to(staff::disable),
        ),
        RouteSpec::new(Method::POST, "/v1/registrar/audit-events/search", || {
            web::post().to(certificates::audit_search)
        }),
        RouteSpec::new(Method::GET, "/v1/registrar/statistics", || {
            web::get().to(statistics::get)
        }),
        RouteSpec::new(Method::GET, "/v1/registrar/statistics/chart.svg", || {
            web::get().to(statistics::chart)
        }),
        RouteSpec::new(Method::GET, "/v1/registrar/partner-deliveries", || {
            web::get().to(partner::deliveries)
        }),
        RouteSpec::new(
            Method::POST,
            "/v1/registrar/partner-deliveries/{delivery_id}/retry",
            || web::post().to(partner::retry_delivery),
        ),
        RouteSpec::new(Method::POST, "/v1/partner/household-verifications", || {
            web::post().to(partner::household_verification)
        }),
        RouteSpec::new(Method::POST, "/v1/partner/notifications", || {
            web::post().to(partner::notification)
        }),
        RouteSpec::new(
            Method::GET,
            "/v1/partner/registrations/{certificate_number}",
            || web::get().to(partner::registration_status),
        ),
    ]
}

/// Registers the table: one resource per path, whose other methods get 405 with `Allow`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let routes = table();
    let mut paths: Vec<&'static str> = Vec::new();
    for r in &routes {
        if !paths.contains(&r.path) {
            paths.push(r.path);
        }
    }
    for path in paths {
        let mut resource = web::resource(path);
        let mut allowed: Vec<String> = Vec::new();
        for r in routes.iter().filter(|r| r.path == path) {
            resource = resource.route((r.make)());
            allowed.push(r.method.to_string());
        }
        let allow = allowed.join(", ");
        resource = resource.default_service(web::to(move |req: HttpRequest| {
            let e = ApiError::from(AppError::method_not_allowed(req.method().as_str(), &allow));
            async move { Err::<HttpResponse, _>(e) }
        }));
        cfg.service(resource);
    }
}

/// Runs a use case on a pooled connection off the async workers (diesel is blocking).
pub async fn with_db<T, F>(state: web::Data<WebState>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &WebState) -> Result<T, AppError> + Send + 'static,
{
    let answer = web::block(move || {
        let mut conn = state.conn()?;
        f(&mut conn, &state)
    })
    .await?;
    Ok(answer?)
}

/// A 200 JSON answer.
pub fn ok<T: serde::Serialize>(view: T) -> HttpResponse {
    HttpResponse::Ok().json(view)
}

/// A 201 JSON answer.
pub fn created<T: serde::Serialize>(view: T) -> HttpResponse {
    HttpResponse::Created().json(view)
}

/// A JSON answer carrying personal data or a secret: never stored by a cache.
pub fn private<T: serde::Serialize>(status: StatusCode, view: T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(view)
}

/// Answers a path no route has.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(AppError::route_not_found(req.path()).into())
}
