//! `/divorce/periods`: the calculator of a divorce by agreement's dates for a day of receipt
//! (民法典 第1077条, 第201条, 第203条 over the holiday calendar), the page of
//! `GET /v1/divorce/periods`. A date is not personal data; the form posts it anyway, as every
//! form of the pages does (with its token).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use hunyin_app::divorce;
use hunyin_http::WebState;

use super::divorce_issue::day;
use super::parties::Input;
use super::{errors_of, message, Fields};
use crate::form::{self, Errors};
use crate::page::{Chrome, Page, PageError};

const FIELD: &str = "received_on";

#[derive(Template)]
#[template(path = "couples/divorce_periods.html")]
struct PeriodsPage {
    c: Chrome,
    errors: Errors,
    received_on: Input,
    rows: Vec<(String, String)>,
}

fn render(
    page: Page,
    status: StatusCode,
    fields: &Fields,
    errors: Errors,
    rows: Vec<(String, String)>,
) -> HttpResponse {
    let html = PeriodsPage {
        received_on: Input::new(FIELD.to_owned(), fields, &errors),
        c: page.chrome.clone(),
        errors,
        rows,
    }
    .render();
    page.answer(status, html)
}

/// `GET /divorce/periods`: the form, today's date in it.
pub async fn show(state: web::Data<WebState>, req: HttpRequest) -> HttpResponse {
    let mut fields = Fields::default();
    let today = state.clock.today().to_string();
    fields.set(FIELD, Some(&today));
    render(
        Page::new(&req),
        StatusCode::OK,
        &fields,
        Errors::default(),
        Vec::new(),
    )
}

/// `POST /divorce/periods`: the four dates, or the form with its error beside the date.
pub async fn post(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields = Fields::from_pairs(form::read(&req, &body)?);
    let page = Page::new(&req);
    let l = page.chrome.lang;
    let Some(received_on) = hunyin_app::clock::parse_date(fields.get(FIELD)) else {
        let mut errors = Errors::default();
        errors.push(FIELD, message(l, "invalid_date", "", ""));
        return Ok(render(
            page,
            StatusCode::BAD_REQUEST,
            &fields,
            errors,
            vec![],
        ));
    };
    match divorce::periods(&state.scheduling.calendar, received_on) {
        Ok(v) => {
            let rows = vec![
                (l.t("受理日期", "Received on").into(), day(l, v.received_on)),
                (
                    l.t(
                        "冷静期届满（可撤回至当日）",
                        "Cooling-off ends (withdrawal until then)",
                    )
                    .into(),
                    day(l, v.cooling_off_ends),
                ),
                (
                    l.t("可申请发给离婚证自", "Certificate from").into(),
                    day(l, v.issue_from),
                ),
                (
                    l.t("申请发给离婚证截止", "Certificate until").into(),
                    day(l, v.issue_until),
                ),
            ];
            Ok(render(
                page,
                StatusCode::OK,
                &fields,
                Errors::default(),
                rows,
            ))
        }
        // Before the Civil Code, or a year whose holidays are not published: told beside it.
        Err(e) => {
            let errors = errors_of(l, &e, FIELD);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(render(page, status, &fields, errors, vec![]))
        }
    }
}
