//! Today's queue of the office (time, reference, masked names, status; filtered by status; a
//! refresh link, and with JavaScript its rows fetched again every 20 s from
//! `/desk/queue/rows`). The walk-in form is [`super::walk_in`].

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use hunyin_app::applications::{self, QueueItem};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::{fail_api, session, words, DeskChrome, DeskError};
use crate::page::{Chrome, Page};

/// One row of the queue as shown.
pub struct Row {
    pub time: String,
    pub reference: String,
    pub names: Vec<String>,
    pub status: String,
    /// Where the row opens: a divorce's application visit the 受理 form, its issue visit the
    /// application, anything else the marriage screen.
    pub href: String,
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
        href: match item.service.as_str() {
            // Once received, an application visit opens the application it became.
            "divorce" if item.status == "booked" => {
                format!("/desk/divorces/new?visit={}", item.reference)
            }
            "divorce" => format!("/desk/divorce-visits/{}", item.reference),
            "divorce_issue" => format!("/desk/divorce-visits/{}", item.reference),
            _ => format!("/desk/applications/{}", item.reference),
        },
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
    refresh: bool,
) -> Result<Loaded, DeskError> {
    let staff = if refresh {
        session::staff_unattended(req, &state).await?
    } else {
        session::staff(req, &state).await?
    };
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
    let l = load(state, &req, &q, false).await?;
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
    let l = load(state, &req, &q, true).await?;
    let html = QueueRows {
        c: l.page.chrome.clone(),
        rows: l.rows,
    }
    .render();
    Ok(l.page.answer(StatusCode::OK, html))
}
