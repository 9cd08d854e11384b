//! The supervisor's special dates on the week's page: a date closed, or opened with its own
//! hours (an extra opening), and their removal. Bad input (a malformed or past date, an
//! opening without hours, hours that overlap) is named beside its field, kept as typed.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use hunyin_app::schedules::{self, SpecialDateBody};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::schedule::{render, supervisor_only, Extra};
use super::{belongs_to_form, fail, form_errors, session, DeskError};
use crate::form::{self, Errors};
use crate::page::{see_other, Page};

/// The special date's form, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct DayForm {
    #[serde(default)]
    pub date: String,
    /// `closed` or `open`.
    #[serde(default)]
    pub kind: String,
    /// `HH:MM-HH:MM`, several separated by commas.
    #[serde(default)]
    pub periods: String,
}

impl DayForm {
    pub fn is_open(&self) -> bool {
        self.kind == "open"
    }
}

/// The form field of an API parameter.
fn field_of(name: &str) -> Option<String> {
    if name == "date" {
        Some("special-date".into())
    } else if name.starts_with("periods") {
        Some("special-periods".into())
    } else {
        None
    }
}

/// `POST /desk/schedule/days`: closes a date or opens it with its hours.
pub async fn set(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let f: DayForm = form::read(&req, &body)?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    supervisor_only(lang, &staff)?;
    let mut errors = Errors::default();
    if !matches!(f.kind.as_str(), "closed" | "open") {
        errors.push(
            "special-kind-closed",
            lang.t("请选择休息或加开", "Choose closed or an extra opening"),
        );
    }
    if errors.is_empty() {
        let b = SpecialDateBody {
            date: f.date.clone(),
            closed: !f.is_open(),
            periods: f
                .periods
                .split([',', '，', ' '])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        let today = hunyin_app::clock::today();
        let (s, listings) = (staff.clone(), state.clone());
        let answer = with_db(state.clone(), move |c, st| {
            let rule = &st.scheduling.default_rule;
            schedules::set_special_date(c, &s, rule, &s.office_id, &b, today)
        })
        .await;
        match answer {
            Ok(_) => {
                listings.listings.clear();
                return Ok(see_other("/desk/schedule?done=day-set"));
            }
            Err(e) if belongs_to_form(&e.problem) => {
                errors = form_errors(lang, &e.problem, "special-date", field_of);
            }
            Err(e) => return Err(fail(lang, &e.problem)),
        }
    }
    let extra = Extra { day: f, done: None };
    let status = StatusCode::BAD_REQUEST;
    render(state, page, staff, status, None, errors, extra).await
}

/// The removal's form: the date.
#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    pub date: String,
}

/// `POST /desk/schedule/days/remove`: the date follows the week again.
pub async fn remove(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let f: RemoveForm = form::read(&req, &body)?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    supervisor_only(lang, &staff)?;
    let listings = state.clone();
    with_db(state, move |c, _| {
        schedules::remove_special_date(c, &staff, &staff.office_id, &f.date)
    })
    .await
    .map_err(|e| fail(lang, &e.problem))?;
    listings.listings.clear();
    Ok(see_other("/desk/schedule?done=day-removed"))
}
