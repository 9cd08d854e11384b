//! Today's queue of the office (time, reference, masked names, status; filtered by status; a
//! refresh link, and with JavaScript its rows fetched again every 20 s from
//! `/desk/queue/rows`), and the walk-in form for both parties, which lands on the application.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use hunyin_app::applications::{self, QueueItem, WalkIn};
use hunyin_app::booking::Rules;
use hunyin_http::routes::eligibility::{parse_parties, PartyIn};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::{belongs_to_form, fail, fail_api, form_errors, session, words, DeskChrome, DeskError};
use crate::form::{self, field_id, Errors};
use crate::page::{see_other, Chrome, Page};

/// One row of the queue as shown.
pub struct Row {
    pub time: String,
    pub reference: String,
    pub names: Vec<String>,
    pub status: String,
}

#[derive(Template)]
#[template(path = "desk/queue.html")]
struct QueuePage {
    c: Chrome,
    d: DeskChrome,
    date: String,
    filter: Option<String>,
    filters: Vec<(String, String)>,
    rows: Vec<Row>,
}

/// The rows alone (the `rows` block of the queue's template), which the page's script fetches
/// to keep the queue fresh.
#[derive(Template)]
#[template(path = "desk/queue.html", block = "rows")]
struct QueueRows {
    c: Chrome,
    rows: Vec<Row>,
}

/// The query of the queue: a status to filter by (not personal data).
#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    pub status: Option<String>,
}

fn row(lang: crate::lang::Lang, item: QueueItem) -> Row {
    let time = match &item.slot {
        Some(s) => s.start.get(11..16).unwrap_or("").to_owned(),
        None => lang.t("现场", "Walk-in").to_owned(),
    };
    let names = item
        .parties
        .iter()
        .map(|p| format!("{} {}", words::masked_name(&p.name), p.id_number_masked))
        .collect();
    Row {
        time,
        names,
        status: words::status(lang, &item.status),
        reference: item.reference,
    }
}

/// Today's queue as shown: the page, its staff member and the rows that pass the filter.
struct Loaded {
    page: Page,
    d: DeskChrome,
    date: String,
    filter: Option<String>,
    rows: Vec<Row>,
}

/// Reads today's queue of the staff member's office (an audited read) and filters it.
async fn load(
    state: web::Data<WebState>,
    req: &HttpRequest,
    q: &QueueQuery,
) -> Result<Loaded, DeskError> {
    let staff = session::staff(req, &state).await?;
    let page = Page::new(req);
    let lang = page.chrome.lang;
    let filter = q
        .status
        .as_deref()
        .filter(|s| words::QUEUE_STATUSES.contains(s))
        .map(str::to_owned);
    let today = hunyin_app::clock::today();
    let d = DeskChrome::of(Some(&staff));
    let view = with_db(state, move |c, _| {
        applications::queue(c, &staff, &staff.office_id, today)
    })
    .await
    .map_err(fail_api(lang))?;
    let rows = view
        .applications
        .into_iter()
        .filter(|i| filter.as_deref().is_none_or(|f| i.status == f))
        .map(|i| row(lang, i))
        .collect();
    Ok(Loaded {
        page,
        d,
        date: view.date,
        filter,
        rows,
    })
}

/// `GET /desk/queue[?status=…]`: the office's applications of today (an audited read).
pub async fn show(
    state: web::Data<WebState>,
    req: HttpRequest,
    q: web::Query<QueueQuery>,
) -> Result<HttpResponse, DeskError> {
    let l = load(state, &req, &q).await?;
    let lang = l.page.chrome.lang;
    let filters = words::QUEUE_STATUSES
        .iter()
        .map(|s| (s.to_string(), words::status(lang, s)))
        .collect();
    let html = QueuePage {
        c: l.page.chrome.clone(),
        d: l.d,
        date: l.date,
        filter: l.filter,
        filters,
        rows: l.rows,
    }
    .render();
    Ok(l.page.answer(StatusCode::OK, html))
}

/// `GET /desk/queue/rows[?status=…]`: the rows of the queue alone, for the page's script
/// (never cached, like every page; without a session a 303 to sign-in, which the script
/// does not follow).
pub async fn rows(
    state: web::Data<WebState>,
    req: HttpRequest,
    q: web::Query<QueueQuery>,
) -> Result<HttpResponse, DeskError> {
    let l = load(state, &req, &q).await?;
    let html = QueueRows {
        c: l.page.chrome.clone(),
        rows: l.rows,
    }
    .render();
    Ok(l.page.answer(StatusCode::OK, html))
}

/// The walk-in form's fields, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct WalkInForm {
    #[serde(default)]
    pub name0: String,
    #[serde(default)]
    pub id0: String,
    #[serde(default)]
    pub hukou0: String,
    #[serde(default)]
    pub name1: String,
    #[serde(default)]
    pub id1: String,
    #[serde(default)]
    pub hukou1: String,
    #[serde(default)]
    pub email: String,
}

#[derive(Template)]
#[template(path = "desk/walk_in.html")]
struct WalkInPage {
    c: Chrome,
    d: DeskChrome,
    errors: Errors,
    f: WalkInForm,
}

impl WalkInPage {
    /// The typed value of field `id`.
    fn value(&self, id: &str) -> &str {
        let f = &self.f;
        match id {
            "parties-0-name" => &f.name0,
            "parties-0-id_number" => &f.id0,
            "parties-0-hukou_division_code" => &f.hukou0,
            "parties-1-name" => &f.name1,
            "parties-1-id_number" => &f.id1,
            "parties-1-hukou_division_code" => &f.hukou1,
            "contact-email" => &f.email,
            _ => "",
        }
    }
}

fn render_walk_in(
    page: Page,
    d: DeskChrome,
    status: StatusCode,
    errors: Errors,
    f: WalkInForm,
) -> HttpResponse {
    let html = WalkInPage {
        c: page.chrome.clone(),
        d,
        errors,
        f,
    }
    .render();
    page.answer(status, html)
}

/// `GET /desk/walk-in`
pub async fn walk_in_form(
    state: web::Data<WebState>,
    req: HttpRequest,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    staff
        .require_role(&applications::COUNTER)
        .map_err(|e| fail(page.chrome.lang, &e))?;
    Ok(render_walk_in(
        page,
        DeskChrome::of(Some(&staff)),
        StatusCode::OK,
        Errors::default(),
        WalkInForm::default(),
    ))
}

/// `POST /desk/walk-in`: the same rules as the API's walk-in; errors beside their fields with
/// everything typed kept; on success, the application's screen.
pub async fn walk_in(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let f: WalkInForm = form::read(&req, &body)?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let d = DeskChrome::of(Some(&staff));
    let today = hunyin_app::clock::today();
    let party = |name: &str, id: &str, hukou: &str| PartyIn {
        id_number: id.trim().to_owned(),
        name: name.to_owned(),
        hukou_division_code: hukou.trim().to_owned(),
        residence_permit: None,
    };
    let input = [
        party(&f.name0, &f.id0, &f.hukou0),
        party(&f.name1, &f.id1, &f.hukou1),
    ];
    let field_of = |name: &str| Some(field_id(name));
    let parties = match parse_parties(&input, today) {
        Ok(p) => p,
        Err(e) => {
            let errors = form_errors(lang, &e.problem, "parties-0-name", field_of);
            return Ok(render_walk_in(page, d, e.status, errors, f));
        }
    };
    let email = Some(f.email.trim().to_owned()).filter(|e| !e.is_empty());
    let w = WalkIn {
        office_id: staff.office_id.clone(),
        parties,
        email,
        phone: None,
    };
    let answer = with_db(state, move |c, st| {
        applications::walk_in(c, &staff, &Rules::of(st), &w, today)
    })
    .await;
    match answer {
        Ok(v) => Ok(see_other(&format!(
            "/desk/applications/{}?done=walk-in",
            v.reference
        ))),
        Err(e) if belongs_to_form(&e.problem) => {
            let errors = form_errors(lang, &e.problem, "parties-0-name", field_of);
            Ok(render_walk_in(page, d, e.status, errors, f))
        }
        Err(e) => Err(fail(lang, &e.problem)),
    }
}
