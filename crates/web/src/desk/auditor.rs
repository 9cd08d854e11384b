//! The auditor's pages (supervisors may use them too): the office's audit trail searched by
//! person (the ID number posted, never in a URL), actor and dates, a page at a time; and the
//! statistics as a dashboard: the figures, the chart of registrations per day, the CSV.

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use hunyin_app::audit::{self, AuditEventView, AuditQuery};
use hunyin_app::auth::{Role, Staff};
use hunyin_app::statistics::{self, Report, Request};
use hunyin_app::AppError;
use hunyin_domain::time::to_local;
use hunyin_http::routes::with_db;
use hunyin_http::statistics_render;
use hunyin_http::WebState;

use super::{belongs_to_form, fail, fail_api, form_errors, session, DeskChrome, DeskError};
use crate::form::{self, Errors};
use crate::lang::Lang;
use crate::page::{Chrome, Page};

/// Events on one page of the trail.
const PAGE: i64 = 20;

fn trail_roles(lang: Lang, staff: &Staff) -> Result<(), DeskError> {
    staff
        .require_role(&[Role::Auditor, Role::Supervisor])
        .map_err(|e| fail(lang, &e))
}

/// The search form's fields, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub actor_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub before_id: String,
}

/// One event as shown.
pub struct EventRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub details: String,
}

#[derive(Template)]
#[template(path = "desk/audit.html")]
struct AuditPage {
    c: Chrome,
    d: DeskChrome,
    f: SearchForm,
    errors: Errors,
    searched: bool,
    rows: Vec<EventRow>,
    /// The id to page on from, when there may be more.
    next: Option<i64>,
}

fn row(e: &AuditEventView) -> EventRow {
    let at = chrono::DateTime::parse_from_rfc3339(&e.occurred_at)
        .map(|t| {
            to_local(t.naive_utc())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| e.occurred_at.clone());
    EventRow {
        at,
        actor: format!(
            "{} {}",
            e.actor_kind,
            e.actor_id.clone().unwrap_or_default()
        ),
        action: e.action.clone(),
        subject: match (&e.subject_kind, &e.subject_id) {
            (Some(k), Some(id)) => format!("{k} {id}"),
            _ => String::new(),
        },
        details: if e.details.is_null() {
            String::new()
        } else {
            e.details.to_string()
        },
    }
}

fn audit_page(page: Page, d: DeskChrome, status: StatusCode, p: AuditPage0) -> HttpResponse {
    let html = AuditPage {
        c: page.chrome.clone(),
        d,
        f: p.f,
        errors: p.errors,
        searched: p.searched,
        rows: p.rows,
        next: p.next,
    }
    .render();
    page.answer(status, html)
}

/// What an audit page shows besides its chrome.
struct AuditPage0 {
    f: SearchForm,
    errors: Errors,
    searched: bool,
    rows: Vec<EventRow>,
    next: Option<i64>,
}

/// `GET /desk/audit`: the search form.
pub async fn audit_form(
    state: web::Data<WebState>,
    req: HttpRequest,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    trail_roles(page.chrome.lang, &staff)?;
    let blank = AuditPage0 {
        f: SearchForm::default(),
        errors: Errors::default(),
        searched: false,
        rows: Vec::new(),
        next: None,
    };
    Ok(audit_page(
        page,
        DeskChrome::of(Some(&staff)),
        StatusCode::OK,
        blank,
    ))
}

/// `POST /desk/audit`: one page of the search (itself an audit event).
pub async fn audit_search(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let f: SearchForm = form::read(&req, &body)?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    trail_roles(lang, &staff)?;
    let d = DeskChrome::of(Some(&staff));
    let text = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let mut errors = Errors::default();
    let number = |id: &str, v: &str, errors: &mut Errors| match text(v) {
        None => None,
        Some(n) => n.parse::<i64>().ok().or_else(|| {
            errors.push(id, lang.t("请输入数字", "Enter a number"));
            None
        }),
    };
    let q = AuditQuery {
        id_number: text(&f.id_number),
        actor_id: number("actor_id", &f.actor_id, &mut errors),
        from: text(&f.from),
        to: text(&f.to),
        limit: Some(PAGE + 1),
        before_id: number("before_id", &f.before_id, &mut errors),
    };
    let answer = if errors.is_empty() {
        with_db(state, move |c, _| audit::search(c, &staff, &q)).await
    } else {
        Err(AppError::invalid(Vec::new()).into())
    };
    let (status, errors, rows, next) = match answer {
        Ok(v) => {
            let more = v.events.len() as i64 > PAGE;
            let shown: Vec<&AuditEventView> = v.events.iter().take(PAGE as usize).collect();
            let next = more.then(|| shown.last().map(|e| e.id)).flatten();
            (
                StatusCode::OK,
                errors,
                shown.into_iter().map(row).collect(),
                next,
            )
        }
        Err(e) if !errors.is_empty() => (e.status, errors, Vec::new(), None),
        Err(e) if belongs_to_form(&e.problem) => {
            let field_of = |name: &str| Some(name.to_owned());
            let errors = form_errors(lang, &e.problem, "id_number", field_of);
            (e.status, errors, Vec::new(), None)
        }
        Err(e) => return Err(fail(lang, &e.problem)),
    };
    let shown = AuditPage0 {
        f: SearchForm {
            before_id: String::new(),
            ..f
        },
        searched: errors.is_empty(),
        errors,
        rows,
        next,
    };
    Ok(audit_page(page, d, status, shown))
}

/// The query of the statistics pages: dates (not personal).
#[derive(Debug, Default, Deserialize)]
pub struct RangeQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

async fn report(
    state: web::Data<WebState>,
    staff: Staff,
    lang: Lang,
    r: Request,
) -> Result<Report, DeskError> {
    with_db(state, move |c, st| {
        statistics::compute(
            c,
            Some(&staff),
            &st.region_prefix,
            &st.partners.directory.regions(),
            r,
        )
    })
    .await
    .map_err(fail_api(lang))
}

#[derive(Template)]
#[template(path = "desk/statistics.html")]
struct StatisticsPage {
    c: Chrome,
    d: DeskChrome,
    from: String,
    to: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    query: String,
    errors: Errors,
}

/// `GET /desk/statistics[?from=…&to=…]`: the figures by office, the chart and the CSV link.
pub async fn dashboard(
    state: web::Data<WebState>,
    req: HttpRequest,
    q: web::Query<RangeQuery>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    trail_roles(lang, &staff)?;
    let d = DeskChrome::of(Some(&staff));
    let (from, to) = (
        q.from.clone().unwrap_or_default(),
        q.to.clone().unwrap_or_default(),
    );
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let parsed = Request::parse(opt(&from).as_deref(), opt(&to).as_deref(), Some("office"));
    let (status, header, rows, errors, from, to) = match parsed {
        Ok(r) => {
            let report = report(state, staff, lang, r).await?;
            let (header, rows) = statistics_render::table(&report);
            (
                StatusCode::OK,
                header,
                rows,
                Errors::default(),
                r.from.to_string(),
                r.to.to_string(),
            )
        }
        Err(e) => {
            let errors = form_errors(lang, &e, "from", |n| Some(n.to_owned()));
            (
                StatusCode::BAD_REQUEST,
                Vec::new(),
                Vec::new(),
                errors,
                from,
                to,
            )
        }
    };
    let query = format!("from={from}&to={to}");
    let html = StatisticsPage {
        c: page.chrome.clone(),
        d,
        from,
        to,
        header,
        rows,
        query,
        errors,
    }
    .render();
    Ok(page.answer(status, html))
}

/// `GET /desk/statistics/chart.svg`: registrations per day of the range.
pub async fn chart(
    state: web::Data<WebState>,
    req: HttpRequest,
    q: web::Query<RangeQuery>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let lang = Lang::of(&req);
    trail_roles(lang, &staff)?;
    let r = Request::parse(q.from.as_deref(), q.to.as_deref(), Some("day"))
        .map_err(|e| fail(lang, &e))?;
    let report = report(state, staff, lang, r).await?;
    let svg = statistics_render::chart_svg(r, &report).map_err(|e| fail(lang, &e))?;
    let mut resp = HttpResponse::Ok();
    crate::page::headers(&mut resp);
    Ok(resp
        .insert_header((CONTENT_TYPE, "image/svg+xml"))
        .body(svg))
}

/// `GET /desk/statistics.csv`: the figures by office as CSV (UTF-8 with a BOM).
pub async fn csv(
    state: web::Data<WebState>,
    req: HttpRequest,
    q: web::Query<RangeQuery>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let lang = Lang::of(&req);
    trail_roles(lang, &staff)?;
    let r = Request::parse(q.from.as_deref(), q.to.as_deref(), Some("office"))
        .map_err(|e| fail(lang, &e))?;
    let report = report(state, staff, lang, r).await?;
    let body = statistics_render::csv(&report).map_err(|e| fail(lang, &e))?;
    let file = format!(
        "attachment; filename=\"statistics-{}-{}.csv\"",
        r.from, r.to
    );
    let mut resp = HttpResponse::Ok();
    crate::page::headers(&mut resp);
    Ok(resp
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((CONTENT_DISPOSITION, file))
        .body(body))
}
