//! The divorce counter's 受理 form (issue 18): both parties (prefilled from the application
//! visit when the queue opens one, typed for a walk-in), the marriage certificate number, the
//! agreement's matters as given and the registrar's confirmation that it is complete and that
//! both are present. It calls the receive use case and lands on the divorce application's
//! screen ([`super::divorce_screen`]); a refused receipt shows the form again with the errors
//! beside their fields and everything typed kept. An issue visit opens its application.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use hunyin_app::applications;
use hunyin_app::divorce::{self, AgreementInput, DivorceRules, PartyInput, ReceiveInput};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::DeskError;
use super::{belongs_to_form, fail, fail_api, form_errors, reference, session, DeskChrome};
use crate::form::{self, field_id, Errors};
use crate::page::{see_other, Chrome, Page};

/// The 受理 form's fields, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ReceiveForm {
    #[serde(default)]
    pub visit: String,
    #[serde(default)]
    pub name0: String,
    #[serde(default)]
    pub id0: String,
    #[serde(default)]
    pub hukou0: String,
    #[serde(default)]
    pub email0: String,
    #[serde(default)]
    pub name1: String,
    #[serde(default)]
    pub id1: String,
    #[serde(default)]
    pub hukou1: String,
    #[serde(default)]
    pub email1: String,
    #[serde(default)]
    pub marriage_certificate: String,
    #[serde(default)]
    pub paper_note: String,
    #[serde(default)]
    pub children: String,
    #[serde(default)]
    pub property: String,
    #[serde(default)]
    pub debts: String,
    pub agreement_complete: Option<String>,
    pub both_present: Option<String>,
}

#[derive(Template)]
#[template(path = "desk/divorce_receive.html")]
struct ReceivePage {
    c: Chrome,
    d: DeskChrome,
    errors: Errors,
    f: ReceiveForm,
}

impl ReceivePage {
    /// The typed value of field `id`.
    fn value(&self, id: &str) -> &str {
        let f = &self.f;
        match id {
            "parties-0-name" => &f.name0,
            "parties-0-id_number" => &f.id0,
            "parties-0-hukou_division_code" => &f.hukou0,
            "parties-0-email" => &f.email0,
            "parties-1-name" => &f.name1,
            "parties-1-id_number" => &f.id1,
            "parties-1-hukou_division_code" => &f.hukou1,
            "parties-1-email" => &f.email1,
            "marriage_certificate" => &f.marriage_certificate,
            "paper_certificate_note" => &f.paper_note,
            _ => "",
        }
    }

    fn ticked(&self, v: &Option<String>) -> bool {
        v.as_deref() == Some("true")
    }
}

fn render(
    page: Page,
    d: DeskChrome,
    status: StatusCode,
    errors: Errors,
    f: ReceiveForm,
) -> HttpResponse {
    let html = ReceivePage {
        c: page.chrome.clone(),
        d,
        errors,
        f,
    }
    .render();
    page.answer(status, html)
}

/// The query of the form: the application visit it receives, if any (a reference).
#[derive(Debug, Deserialize)]
pub struct VisitQuery {
    pub visit: Option<String>,
}

/// `GET /desk/divorces/new[?visit=REF]`: the form, prefilled from the visit's booking (an
/// audited read of the booked parties).
pub async fn form(
    state: web::Data<WebState>,
    req: HttpRequest,
    q: web::Query<VisitQuery>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    staff
        .require_role(&applications::COUNTER)
        .map_err(|e| fail(lang, &e))?;
    let d = DeskChrome::of(Some(&staff));
    let mut f = ReceiveForm::default();
    if let Some(raw) = q.visit.as_deref() {
        let visit = reference(lang, raw)?;
        let a = with_db(state, move |c, st| {
            applications::read(c, &st.policy, &staff, &visit)
        })
        .await
        .map_err(fail_api(lang))?;
        f.visit = a.reference;
        if let [p0, p1] = a.parties.as_slice() {
            (f.name0, f.id0, f.hukou0) = (
                p0.name.clone(),
                p0.id_number.clone(),
                p0.hukou_division_code.clone(),
            );
            (f.name1, f.id1, f.hukou1) = (
                p1.name.clone(),
                p1.id_number.clone(),
                p1.hukou_division_code.clone(),
            );
        }
    }
    Ok(render(page, d, StatusCode::OK, Errors::default(), f))
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// `POST /desk/divorces`: receives; on success, the application's screen.
pub async fn receive(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let f: ReceiveForm = form::read(&req, &body)?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let d = DeskChrome::of(Some(&staff));
    let party = |name: &str, id: &str, hukou: &str, email: &str| PartyInput {
        id_number: id.trim().to_owned(),
        name: name.to_owned(),
        hukou_division_code: hukou.trim().to_owned(),
        household_note: None,
        email: some(email),
    };
    let input = ReceiveInput {
        office_id: staff.office_id.clone(),
        parties: vec![
            party(&f.name0, &f.id0, &f.hukou0, &f.email0),
            party(&f.name1, &f.id1, &f.hukou1, &f.email1),
        ],
        marriage_certificate: f.marriage_certificate.trim().to_owned(),
        paper_certificate_note: some(&f.paper_note),
        agreement: AgreementInput {
            children: f.children.clone(),
            property: f.property.clone(),
            debts: f.debts.clone(),
        },
        agreement_complete: f.agreement_complete.as_deref() == Some("true"),
        both_parties_present: f.both_present.as_deref() == Some("true"),
        appointment_reference: some(&f.visit),
    };
    let st = state.clone();
    let answer =
        web::block(move || divorce::receive(&st.pool, &staff, &DivorceRules::of(&st), &input))
            .await
            .map_err(|_| fail(lang, &hunyin_app::AppError::internal("receive thread")))?;
    match answer.map_err(hunyin_http::problem::ApiError::from) {
        Ok(v) => Ok(see_other(&format!(
            "/desk/divorces/{}?done=received",
            v.reference
        ))),
        Err(e) if belongs_to_form(&e.problem) => {
            let errors = form_errors(lang, &e.problem, "confirm", |name| Some(field_id(name)));
            Ok(render(page, d, e.status, errors, f))
        }
        Err(e) => Err(fail(lang, &e.problem)),
    }
}

/// `GET /desk/divorce-visits/{visit}`: an issue visit opens its application's screen.
pub async fn issue_visit(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let lang = Page::new(&req).chrome.lang;
    let visit = reference(lang, &path)?;
    let r = with_db(state, move |c, _| {
        divorce::of_issue_visit(c, &staff, &visit)
    })
    .await
    .map_err(fail_api(lang))?;
    Ok(see_other(&format!("/desk/divorces/{r}")))
}
