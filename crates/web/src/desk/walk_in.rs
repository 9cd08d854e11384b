//! The walk-in form for both parties (name, ID number, hukou, and for a party whose hukou is
//! elsewhere the residence permit: its issuing division and validity), under the booking's
//! rules; it lands on the application.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use hunyin_app::applications::{self, WalkIn};
use hunyin_app::booking::Rules;
use hunyin_http::routes::applications::walk_in_contact;
use hunyin_http::routes::eligibility::{parse_parties, PartyIn, PermitIn};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::{belongs_to_form, fail, form_errors, session, DeskChrome, DeskError};
use crate::form::{self, field_id, Errors};
use crate::page::{see_other, Chrome, Page};

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
    pub permit_division0: String,
    #[serde(default)]
    pub permit_until0: String,
    #[serde(default)]
    pub name1: String,
    #[serde(default)]
    pub id1: String,
    #[serde(default)]
    pub hukou1: String,
    #[serde(default)]
    pub permit_division1: String,
    #[serde(default)]
    pub permit_until1: String,
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
            "parties-0-residence_permit-division_code" => &f.permit_division0,
            "parties-0-residence_permit-valid_until" => &f.permit_until0,
            "parties-1-name" => &f.name1,
            "parties-1-id_number" => &f.id1,
            "parties-1-hukou_division_code" => &f.hukou1,
            "parties-1-residence_permit-division_code" => &f.permit_division1,
            "parties-1-residence_permit-valid_until" => &f.permit_until1,
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

/// A party as the API takes it: the permit only when one of its fields is filled in (then
/// both are checked, so a forgotten validity is named beside its field).
fn party_in(name: &str, id: &str, hukou: &str, division: &str, until: &str) -> PartyIn {
    let (division, until) = (division.trim(), until.trim());
    PartyIn {
        id_number: id.trim().to_owned(),
        name: name.to_owned(),
        hukou_division_code: hukou.trim().to_owned(),
        residence_permit: (!division.is_empty() || !until.is_empty()).then(|| PermitIn {
            division_code: division.to_owned(),
            valid_until: until.to_owned(),
        }),
    }
}

/// `GET /desk/walk-in`
pub async fn form(state: web::Data<WebState>, req: HttpRequest) -> Result<HttpResponse, DeskError> {
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
pub async fn take(
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
    let input = [
        party_in(
            &f.name0,
            &f.id0,
            &f.hukou0,
            &f.permit_division0,
            &f.permit_until0,
        ),
        party_in(
            &f.name1,
            &f.id1,
            &f.hukou1,
            &f.permit_division1,
            &f.permit_until1,
        ),
    ];
    let field_of = |name: &str| Some(field_id(name));
    let parties = match parse_parties(&input, today) {
        Ok(p) => p,
        Err(e) => {
            let errors = form_errors(lang, &e.problem, "parties-0-name", field_of);
            return Ok(render_walk_in(page, d, e.status, errors, f));
        }
    };
    let email = match walk_in_contact(Some(&f.email), None) {
        Ok((email, _)) => email,
        Err(e) => {
            let errors = form_errors(lang, &e.problem, "contact-email", field_of);
            return Ok(render_walk_in(page, d, e.status, errors, f));
        }
    };
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
