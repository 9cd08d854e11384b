//! `/divorce/issue-visit`: the couple books the issue visit (申请发给离婚证) of their received
//! divorce application. The proof is what the couple holds, the reference on the receipt and
//! both ID cards, posted in the form and carried on in hidden fields, never in a URL (the
//! use case answers one "no such application" for a wrong reference and a wrong person).
//! Then the cooling-off's end and the issue window as fixed at receipt, and the receiving
//! office's calendar with only the days of the window choosable; a slot outside it (a stale
//! or forged form) is refused by the use case and shown as a plain message.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{Datelike, NaiveDate};

use hunyin_app::divorce::{self, IssueVisitRequest, IssueWindowView};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::calendar::{self, month_of, page_of, Shown};
use super::parties::Input;
use super::{errors_of, message, Fields};
use crate::form::{self, Errors};
use crate::lang::Lang;
use crate::page::{Chrome, Page, PageError};

const ACTION: &str = "/divorce/issue-visit";
/// The proof's fields, carried from page to page in the posted forms.
const PROOF: [&str; 3] = ["reference", "id_numbers-0", "id_numbers-1"];

#[derive(Template)]
#[template(path = "couples/divorce_issue.html")]
struct ProofPage {
    c: Chrome,
    errors: Errors,
    reference: Input,
    ids: [Input; 2],
}

fn proof(page: Page, status: StatusCode, fields: &Fields, errors: Errors) -> HttpResponse {
    let input = |id: &str| Input::new(id.to_owned(), fields, &errors);
    let html = ProofPage {
        reference: input(PROOF[0]),
        ids: [input(PROOF[1]), input(PROOF[2])],
        c: page.chrome.clone(),
        errors,
    }
    .render();
    page.answer(status, html)
}

/// `GET /divorce/issue-visit`: the proof form.
pub async fn show(req: HttpRequest) -> HttpResponse {
    proof(
        Page::new(&req),
        StatusCode::OK,
        &Fields::default(),
        Errors::default(),
    )
}

/// A date in the page's language.
pub fn day(l: Lang, d: NaiveDate) -> String {
    match l {
        Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        Lang::En => d.format("%-d %B %Y").to_string(),
    }
}

/// The proof as typed, or the errors beside its fields.
fn read(l: Lang, fields: &Fields) -> Result<(String, [String; 2]), Errors> {
    let mut errors = Errors::default();
    let reference = fields.get(PROOF[0]).to_owned();
    if reference.is_empty() || reference.len() > 64 {
        errors.push(
            PROOF[0],
            l.t(
                "请填写离婚登记申请受理回执单上的受理编号。",
                "Enter the reference on the receipt of your divorce application.",
            ),
        );
    }
    let ids = [1, 2].map(|i| fields.get(PROOF[i]).to_ascii_uppercase());
    for (i, id) in ids.iter().enumerate() {
        let shape = id.len() == 18 && id.bytes().all(|c| c.is_ascii_digit() || c == b'X');
        if !shape {
            errors.push(PROOF[i + 1], message(l, "invalid_id_number", "", ""));
        }
    }
    match errors.is_empty() {
        true => Ok((reference, ids)),
        false => Err(errors),
    }
}

/// `POST /divorce/issue-visit`: the proof, then the window and its calendar (a month or a
/// day chosen), or with a `slot_id` the booking.
pub async fn post(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields = Fields::from_pairs(form::read(&req, &body)?);
    let page = Page::new(&req);
    let l = page.chrome.lang;
    let (reference, ids) = match read(l, &fields) {
        Ok(p) => p,
        Err(errors) => return Ok(proof(page, StatusCode::BAD_REQUEST, &fields, errors)),
    };
    // Each try at a reference and two ID numbers counts, as the API's booking does.
    hunyin_http::ratelimit::limit(&state, &req, "appointments")
        .await
        .map_err(|e| PageError::of(l, &e.problem))?;
    let (r, i) = (reference.clone(), ids.clone());
    let window = with_db(state.clone(), move |conn, _| {
        divorce::issue_window(conn, &r, &i)
    })
    .await;
    let w = match window {
        Ok(w) => w,
        Err(e) if e.status.is_client_error() => {
            let errors = errors_of(l, &e.problem, PROOF[0]);
            return Ok(proof(page, e.status, &fields, errors));
        }
        Err(e) => return Err(PageError::of(l, &e.problem)),
    };
    if w.status != "received" {
        let mut errors = Errors::default();
        errors.push(PROOF[0], closed(l, &w.status));
        return Ok(proof(page, StatusCode::CONFLICT, &fields, errors));
    }
    let Some(slot_id) = fields.opt("slot_id") else {
        return month(state, page, &fields, &w, Errors::default()).await;
    };
    let request = IssueVisitRequest {
        reference,
        slot_id,
        id_numbers: ids,
        phone: None,
    };
    let booked = with_db(state.clone(), move |conn, ctx| {
        let now = hunyin_domain::time::to_local(ctx.clock.now());
        divorce::book_issue_visit(conn, &hunyin_app::booking::Rules::of(ctx), &request, now)
    })
    .await;
    match booked {
        Ok(v) => {
            state.listings.clear();
            Ok(super::book::done_redirect(&req, &v))
        }
        Err(e) if e.status.is_client_error() => {
            let errors = errors_of(l, &e.problem, "day");
            month(state, page, &fields, &w, errors).await
        }
        Err(e) => Err(PageError::of(l, &e.problem)),
    }
}

/// Why an application that is no longer received has no issue visit to book.
fn closed(l: Lang, status: &str) -> String {
    let (zh, en) = match status {
        "issued" => ("该申请已发给离婚证。", "The divorce certificate was already issued."),
        "withdrawn" => ("该申请已撤回。", "The application was withdrawn."),
        "lapsed" => (
            "该申请已视为撤回：期满后30日内未申请发给离婚证。",
            "The application lapsed: nobody asked for the certificate within the 30 days after the cooling-off.",
        ),
        "refused" => ("该申请已不予登记。", "The registration was refused."),
        _ => ("该申请不能预约领证。", "This application has no visit to book."),
    };
    l.t(zh, en).to_owned()
}

/// The window and the receiving office's month, only the window's days choosable.
async fn month(
    state: web::Data<WebState>,
    page: Page,
    fields: &Fields,
    w: &IssueWindowView,
    errors: Errors,
) -> Result<HttpResponse, PageError> {
    let l = page.chrome.lang;
    let now = hunyin_domain::time::to_local(state.clock.now());
    let today = now.date();
    let asked = ["month", "day", "shown"]
        .iter()
        .any(|k| !fields.get(k).is_empty());
    let first = match asked {
        true => month_of(fields, today),
        false => {
            let from = w.issue_from.max(today);
            from.with_day(1).unwrap_or(from)
        }
    };
    let mut m = calendar::load_at(state, l, w.office_id.clone(), first, now).await?;
    for d in &mut m.days {
        let date = NaiveDate::parse_from_str(&d.date, "%Y-%m-%d").ok();
        if !date.is_some_and(|d| d >= w.issue_from && d <= w.issue_until) {
            d.bookable = false;
        }
    }
    let shown = Shown {
        carry: fields.carry(&PROOF.map(str::to_owned)),
        day_action: ACTION.into(),
        slot_action: ACTION.into(),
        slot_button: l.t("预约此时间", "Book this time").into(),
        heading: l
            .t("预约领取离婚证", "Book the divorce certificate visit")
            .into(),
    };
    let mut p = page_of(page.chrome.clone(), &m, fields.opt("day").as_deref(), shown);
    p.intro = vec![
        (l.t("受理编号", "Reference").into(), w.reference.clone()),
        (l.t("受理日期", "Received on").into(), day(l, w.received_on)),
        (
            l.t("冷静期届满", "Cooling-off ends").into(),
            day(l, w.cooling_off_ends),
        ),
        (
            l.t("申请发给离婚证的期间", "Certificate window").into(),
            format!(
                "{} {} {}",
                day(l, w.issue_from),
                l.t("至", "to"),
                day(l, w.issue_until)
            ),
        ),
    ];
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    p.errors = errors;
    Ok(page.answer(status, p.render()))
}
