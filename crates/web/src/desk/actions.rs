//! The application screen's forms: check-in, the household checks, a manual verification, each
//! party's declaration, registration (with the form's idempotency key) and refusal. Each posts
//! here; a success answers 303 back to the screen with a confirmation, a refused one the screen
//! again with the error beside its field and the typed values kept.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use hunyin_app::booking::Rules;
use hunyin_app::{applications, checks, declarations, refusal, registration, AppError};
use hunyin_http::problem::ApiError;
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::application::{read, render, Typed};
use super::{belongs_to_form, fail, form_errors, reference, session, DeskError};
use crate::form;
use crate::page::{see_other, Page, PageError};

/// A declaration's checkboxes (absent when not ticked).
#[derive(Debug, Deserialize)]
struct DeclarationForm {
    no_spouse: Option<String>,
    no_prohibited_kinship: Option<String>,
    voluntary: Option<String>,
}

/// The registration form.
#[derive(Debug, Deserialize)]
struct RegistrationForm {
    both_parties_present: Option<String>,
    #[serde(default)]
    idempotency_key: String,
}

/// What an action did: nothing to show but the confirmation.
enum Done {
    Ok,
}

fn ticked(v: &Option<String>) -> bool {
    v.as_deref() == Some("true")
}

/// `POST /desk/applications/{reference}/{action}`
pub async fn act(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let (raw, action) = path.into_inner();
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let reference = reference(lang, &raw)?;
    let unknown = || {
        DeskError::Page(PageError::new(
            StatusCode::NOT_FOUND,
            lang,
            "没有此操作。",
            "There is no such action.",
        ))
    };
    let typed: Typed = form::read(&req, &body)?;
    let (r, s) = (reference.clone(), staff.clone());
    // Each action: its answer, and the field its error (if any) is shown beside.
    let (answer, default_field): (Result<Done, ApiError>, &str) = match action.as_str() {
        "check-in" => {
            let today = hunyin_app::clock::today();
            let a = with_db(state.clone(), move |c, st| {
                applications::check_in(c, &st.policy, &s, &r, today).map(|_| Done::Ok)
            })
            .await;
            (a, "check-in")
        }
        "checks" => {
            let st = state.clone();
            let a = web::block(move || {
                checks::run(&st.pool, &s, st.verifier.as_ref(), &st.region_prefix, &r)
                    .map(|_| Done::Ok)
            })
            .await
            .map_err(|_| ApiError::from(AppError::internal("checks thread")))
            .and_then(|a| a.map_err(ApiError::from));
            (a, "checks")
        }
        "manual" => {
            let party = match typed.party.as_str() {
                "0" => 0,
                "1" => 1,
                _ => 2,
            };
            let m = checks::Manual {
                party,
                marital_status: typed.marital_status.clone(),
                note: typed.note.clone(),
            };
            let a = with_db(state.clone(), move |c, _| {
                checks::manual(c, &s, &r, &m).map(|_| Done::Ok)
            })
            .await;
            (a, "manual-note")
        }
        "override" => {
            let party = match typed.party.as_str() {
                "0" => 0,
                "1" => 1,
                _ => 2,
            };
            let o = hunyin_app::check_overrides::Override {
                party,
                reason: typed.reason.clone(),
                document_kind: typed.document_kind.clone(),
                document_reference: typed.document_reference.clone(),
            };
            let a = with_db(state.clone(), move |c, _| {
                hunyin_app::check_overrides::record(c, &s, &r, &o).map(|_| Done::Ok)
            })
            .await;
            (a, "override-reason")
        }
        "declaration-0" | "declaration-1" => {
            let f: DeclarationForm = form::read(&req, &body)?;
            let d = declarations::DeclarationIn {
                party: usize::from(action == "declaration-1"),
                no_spouse: ticked(&f.no_spouse),
                no_prohibited_kinship: ticked(&f.no_prohibited_kinship),
                voluntary: ticked(&f.voluntary),
            };
            let a = with_db(state.clone(), move |c, _| {
                declarations::declare(c, &s, &r, &d).map(|_| Done::Ok)
            })
            .await;
            let field = if action == "declaration-1" {
                "decl-1"
            } else {
                "decl-0"
            };
            (a, field)
        }
        "registration" => {
            let f: RegistrationForm = form::read(&req, &body)?;
            let present = ticked(&f.both_parties_present);
            let key = Some(f.idempotency_key.trim().to_owned())
                .filter(|k| !k.is_empty() && k.len() <= 100);
            let a = with_db(state.clone(), move |c, st| {
                let rules = Rules::of(st);
                registration::register(c, &s, &rules, &r, present, key.as_deref()).map(|_| Done::Ok)
            })
            .await;
            (a, "register-present")
        }
        "refusal" => {
            let (reason, note) = (typed.reason_code.clone(), typed.refusal_note.clone());
            let a = with_db(state.clone(), move |c, _| {
                refusal::refuse(c, &s, &r, &reason, &note).map(|_| Done::Ok)
            })
            .await;
            (a, "refusal-note")
        }
        _ => return Err(unknown()),
    };
    match answer {
        Ok(Done::Ok) => Ok(see_other(&format!(
            "/desk/applications/{reference}?done={action}#{}",
            super::application::anchor(&action)
        ))),
        Err(e) if belongs_to_form(&e.problem) => {
            let field_of = |name: &str| field_of(default_field, name);
            let errors = form_errors(lang, &e.problem, default_field, field_of);
            let data = read(state, staff.clone(), reference, lang).await?;
            Ok(render(page, &staff, e.status, data, None, errors, typed))
        }
        Err(e) => Err(fail(lang, &e.problem)),
    }
}

/// The field of an invalid parameter, in the form whose default field is `form_field`.
fn field_of(form_field: &str, name: &str) -> Option<String> {
    let prefix = form_field.split('-').next().unwrap_or(form_field);
    match (prefix, name) {
        ("manual", "party" | "marital_status" | "note") => Some(format!("manual-{name}")),
        ("refusal", "reason_code" | "note") => Some(format!("refusal-{name}")),
        ("override", "party" | "reason" | "document_kind" | "document_reference") => {
            Some(format!("override-{name}"))
        }
        _ => None,
    }
}
