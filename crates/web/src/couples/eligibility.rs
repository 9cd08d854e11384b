//! `/eligibility`: the service (结婚 or 离婚), both parties and the date; the answer in words:
//! eligible or not, each problem with its rule, the offices that may register them, the
//! documents of that service on that date.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use hunyin_app::eligibility::{self, EligibilityView};
use hunyin_domain::eligibility::BasisKind;
use hunyin_domain::policy::Service;
use hunyin_domain::DivisionCode;
use hunyin_http::routes::eligibility::parse_parties;
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::parties::{self, Input, PartyInputs};
use super::{errors_of, Fields};
use crate::form::{self, Errors};
use crate::lang::Lang;
use crate::page::{Chrome, Page, PageError};

#[derive(Template)]
#[template(path = "couples/eligibility.html")]
struct EligibilityPage {
    c: Chrome,
    errors: Errors,
    parties: Vec<PartyInputs>,
    date: Input,
    answer: Option<Answer>,
    carry: Vec<(String, String)>,
    /// The service asked about: a divorce (离婚) or, by default, a marriage (结婚).
    divorce: bool,
}

/// The answer in words.
struct Answer {
    eligible: bool,
    problems: Vec<(String, String)>,
    bases: Vec<String>,
    offices: Vec<(String, String)>,
    documents: Vec<String>,
}

fn party_name(l: Lang, i: usize) -> &'static str {
    if i == 0 {
        l.t("第一方", "The first party")
    } else {
        l.t("第二方", "The second party")
    }
}

fn place(code: &str) -> String {
    DivisionCode::parse(code)
        .map(|d| format!("{} ({code})", d.name()))
        .unwrap_or_else(|_| code.to_owned())
}

impl Answer {
    fn of(l: Lang, v: &EligibilityView) -> Answer {
        Answer {
            eligible: v.eligible,
            problems: v
                .problems
                .iter()
                .map(|p| (l.t(&p.message_zh, &p.message).to_owned(), p.rule.clone()))
                .collect(),
            bases: v
                .bases
                .iter()
                .map(|b| {
                    let how = match b.basis {
                        BasisKind::Hukou => l.t("户口在", " has hukou in "),
                        BasisKind::ResidencePermit => {
                            l.t("的居住证签发地在", " holds a residence permit of ")
                        }
                    };
                    format!("{}{how}{}", party_name(l, b.party), place(&b.division_code))
                })
                .collect(),
            offices: v
                .offices
                .iter()
                .map(|o| (o.id.clone(), o.name.clone()))
                .collect(),
            documents: super::documents(l, &v.documents),
        }
    }
}

fn render(
    page: Page,
    status: StatusCode,
    fields: &Fields,
    errors: Errors,
    answer: Option<Answer>,
) -> HttpResponse {
    let lang = page.chrome.lang;
    let mut date = Input::new("date".into(), fields, &errors);
    if date.value.is_empty() {
        date.value = hunyin_app::clock::today().to_string();
    }
    let html = EligibilityPage {
        parties: parties::inputs(lang, fields, &errors),
        carry: fields.carry(&parties::carried()),
        c: page.chrome.clone(),
        divorce: super::service_of(fields) == Service::Divorce,
        errors,
        date,
        answer,
    }
    .render();
    page.answer(status, html)
}

/// `GET /eligibility?service=divorce`: the query names the service only (never a person).
#[derive(Debug, serde::Deserialize)]
pub struct ServiceQuery {
    #[serde(default)]
    service: Option<String>,
}

/// `GET /eligibility`.
pub async fn show(req: HttpRequest, query: web::Query<ServiceQuery>) -> HttpResponse {
    let mut fields = Fields::default();
    fields.set("service", query.service.as_deref());
    render(
        Page::new(&req),
        StatusCode::OK,
        &fields,
        Errors::default(),
        None,
    )
}

/// `POST /eligibility`: the answer, or the form again with its errors (or the next choices of
/// a place picker).
pub async fn post(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields = Fields::from_pairs(form::read(&req, &body)?);
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    if fields.get("action") == "pick" {
        return Ok(render(
            page,
            StatusCode::OK,
            &fields,
            Errors::default(),
            None,
        ));
    }
    hunyin_http::ratelimit::limit(&state, &req, "eligibility")
        .await
        .map_err(|e| PageError::of(lang, &e.problem))?;
    let today = hunyin_app::clock::today();
    let date = hunyin_http::extract::date_param("date", fields.opt("date").as_deref(), today);
    let parsed = parse_parties(&parties::read(&fields), today);
    let (date, parties) = match (date, parsed) {
        (Ok(d), Ok(p)) => (d, p),
        (d, p) => {
            let mut errors = Errors::default();
            for e in [d.err(), p.err()].into_iter().flatten() {
                errors.0.extend(errors_of(lang, &e.problem, "date").0);
            }
            return Ok(render(page, StatusCode::BAD_REQUEST, &fields, errors, None));
        }
    };
    let service = super::service_of(&fields);
    let view = with_db(state, move |conn, st| {
        eligibility::check(conn, &st.policy, &parties, date, service, None)
    })
    .await;
    match view {
        Ok(v) => {
            let answer = Answer::of(lang, &v);
            Ok(render(
                page,
                StatusCode::OK,
                &fields,
                Errors::default(),
                Some(answer),
            ))
        }
        Err(e) if e.status.is_client_error() => {
            let errors = errors_of(lang, &e.problem, "date");
            Ok(render(page, StatusCode::BAD_REQUEST, &fields, errors, None))
        }
        Err(e) => Err(PageError::of(lang, &e.problem)),
    }
}
