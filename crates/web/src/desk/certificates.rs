//! Certificates at the desk: lookup by number (in scope, or with a stated purpose and a note:
//! posted, so the note never goes in a URL), each number's history (the number it supersedes,
//! the one that superseded it, a revocation), reissue (补领: a `BJ` number, the old one
//! superseded) and, for supervisors, revocation (撤销) with its basis and document. Every read
//! is the API's audited lookup.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use hunyin_app::applications::COUNTER;
use hunyin_app::auth::Staff;
use hunyin_app::certificates::{self, CertificateView, LookupPurpose, REVOCATION_BASES};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::{belongs_to_form, fail, form_errors, session, words, DeskChrome, DeskError};
use super::{divorce_certificates, DoneQuery};
use crate::form::{self, Errors};
use crate::page::{see_other, Chrome, Page};

/// Every form of the page, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CertForm {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub document_reference: String,
    /// The party who asks for a divorce certificate's reissue (`0`, `1`).
    #[serde(default)]
    pub party: String,
}

#[derive(Template)]
#[template(path = "desk/certificates.html")]
struct CertPage {
    c: Chrome,
    d: DeskChrome,
    f: CertForm,
    errors: Errors,
    v: Option<CertificateView>,
    done: Option<String>,
    purposes: Vec<(String, String)>,
    bases: Vec<(String, String)>,
}

impl CertPage {
    fn status(&self, s: &str) -> String {
        let l = self.c.lang;
        let (zh, en) = match s {
            "valid" => ("有效", "Valid"),
            "superseded" => ("已补领（作废）", "Superseded by a reissue"),
            "revoked" => ("已撤销", "Revoked"),
            "dissolved" => ("已离婚", "Dissolved by divorce"),
            other => return other.to_owned(),
        };
        l.t(zh, en).to_owned()
    }
}

/// The purposes a reader may state, as (code, label).
pub fn purposes(l: crate::lang::Lang) -> Vec<(String, String)> {
    [
        (
            "divorce_application",
            "办理离婚登记",
            "A divorce application",
        ),
        ("reissue", "补领结婚证", "A reissue"),
        (
            "court_request",
            "法院等机关查询",
            "A court's or authority's request",
        ),
    ]
    .iter()
    .map(|(code, zh, en)| (code.to_string(), l.t(zh, en).to_owned()))
    .collect()
}

fn render(
    page: Page,
    staff: &Staff,
    status: StatusCode,
    f: CertForm,
    errors: Errors,
    v: Option<CertificateView>,
    done: Option<String>,
) -> HttpResponse {
    let l = page.chrome.lang;
    let purposes = purposes(l);
    let bases = REVOCATION_BASES
        .iter()
        .map(|b| (b.to_string(), words::revocation_basis(l, b)))
        .collect();
    let html = CertPage {
        c: page.chrome.clone(),
        d: DeskChrome::of(Some(staff)),
        f,
        errors,
        v,
        done,
        purposes,
        bases,
    }
    .render();
    page.answer(status, html)
}

/// A number as typed, or a 404 page when it cannot be one (it goes into a path).
fn number_of(raw: &str) -> Option<String> {
    let n = raw.trim().to_ascii_uppercase();
    let ok = (10..=32).contains(&n.len())
        && n.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    ok.then_some(n)
}

async fn lookup(
    state: web::Data<WebState>,
    staff: Staff,
    number: String,
    stated: LookupPurpose,
) -> Result<CertificateView, hunyin_http::ApiError> {
    with_db(state, move |c, _| {
        certificates::lookup(c, &staff, &number, &stated)
    })
    .await
}

/// `GET /desk/certificates`: the lookup form.
pub async fn form(state: web::Data<WebState>, req: HttpRequest) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    staff
        .require_role(&COUNTER)
        .map_err(|e| fail(page.chrome.lang, &e))?;
    let f = CertForm::default();
    Ok(render(
        page,
        &staff,
        StatusCode::OK,
        f,
        Errors::default(),
        None,
        None,
    ))
}

/// `GET /desk/certificates/{number}`: one certificate of the office's scope, after a change.
pub async fn show(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let number = number_of(&path).unwrap_or_default();
    if divorce_certificates::is_divorce(&number) {
        return divorce_certificates::show(state, staff, page, number, q.done.as_deref()).await;
    }
    let v = lookup(state, staff.clone(), number, LookupPurpose::default())
        .await
        .map_err(|e| fail(lang, &e.problem))?;
    let done = match q.done.as_deref() {
        Some("reissued") => Some(lang.t(
            "已补领，新证字号如下；原证号已作废。",
            "Reissued: the new number is below; the old one is superseded.",
        )),
        Some("revoked") => Some(lang.t("已撤销该婚姻登记。", "The registration is revoked.")),
        _ => None,
    }
    .map(str::to_owned);
    let f = CertForm {
        number: v.certificate_number.clone(),
        ..CertForm::default()
    };
    Ok(render(
        page,
        &staff,
        StatusCode::OK,
        f,
        Errors::default(),
        Some(v),
        done,
    ))
}

/// `POST /desk/certificates`: a lookup, with a purpose when out of scope.
pub async fn find(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let f: CertForm = form::read(&req, &body)?;
    let page = Page::new(&req);
    if divorce_certificates::is_divorce(&f.number) {
        return divorce_certificates::find(state, staff, page, f).await;
    }
    let lang = page.chrome.lang;
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let stated = LookupPurpose {
        purpose: opt(&f.purpose),
        note: opt(&f.note),
    };
    let number = f.number.trim().to_ascii_uppercase();
    match lookup(state, staff.clone(), number, stated).await {
        Ok(v) => Ok(render(
            page,
            &staff,
            StatusCode::OK,
            f,
            Errors::default(),
            Some(v),
            None,
        )),
        Err(e)
            if belongs_to_form(&e.problem)
                || e.status.as_u16() == 404
                || e.problem.code == "certificate_out_of_scope" =>
        {
            let field_of = |name: &str| match name {
                "purpose" | "note" => Some(name.to_owned()),
                _ => Some("number".to_owned()),
            };
            let default = if e.problem.code == "certificate_out_of_scope" {
                "purpose"
            } else {
                "number"
            };
            let errors = form_errors(lang, &e.problem, default, field_of);
            Ok(render(page, &staff, e.status, f, errors, None, None))
        }
        Err(e) => Err(fail(lang, &e.problem)),
    }
}

/// `POST /desk/certificates/{action}`: `reissue` or `revocation` of the number in the form.
pub async fn change(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let f: CertForm = form::read(&req, &body)?;
    let page = Page::new(&req);
    if path.as_str() == "divorce-reissue" {
        return divorce_certificates::reissue(state, staff, page, f).await;
    }
    let lang = page.chrome.lang;
    let Some(number) = number_of(&f.number) else {
        let mut errors = Errors::default();
        errors.push(
            "number",
            lang.t("请输入结婚证字号", "Enter the certificate number"),
        );
        return Ok(render(
            page,
            &staff,
            StatusCode::BAD_REQUEST,
            f,
            errors,
            None,
            None,
        ));
    };
    let action = path.into_inner();
    let (s, n, typed) = (staff.clone(), number.clone(), f.clone());
    let answer = match action.as_str() {
        "reissue" => {
            with_db(state.clone(), move |c, st| {
                certificates::reissue(c, &s, &st.partners.directory, &n, &typed.note)
            })
            .await
        }
        "revocation" => {
            with_db(state.clone(), move |c, st| {
                let (basis, doc) = (typed.basis.trim(), typed.document_reference.trim());
                certificates::revoke(c, &s, &st.partners.directory, &n, basis, doc)
            })
            .await
        }
        _ => return Err(fail(lang, &hunyin_app::AppError::not_found("The action"))),
    };
    match answer {
        Ok(v) => {
            let done = if action == "reissue" {
                "reissued"
            } else {
                "revoked"
            };
            Ok(see_other(&format!(
                "/desk/certificates/{}?done={done}",
                v.certificate_number
            )))
        }
        Err(e) if belongs_to_form(&e.problem) => {
            let prefix = if action == "reissue" {
                "reissue"
            } else {
                "revoke"
            };
            let default = format!(
                "{prefix}-{}",
                if action == "reissue" {
                    "note"
                } else {
                    "document_reference"
                }
            );
            let field_of = |name: &str| Some(format!("{prefix}-{name}"));
            let errors = form_errors(lang, &e.problem, &default, field_of);
            let v = lookup(state, staff.clone(), number, LookupPurpose::default())
                .await
                .ok();
            Ok(render(page, &staff, e.status, f, errors, v, None))
        }
        Err(e) => Err(fail(lang, &e.problem)),
    }
}
