//! Divorce certificates (`L`, `BL`) on the desk's certificates page: the same lookup field,
//! the number's prefix decides. The registering office's counter staff read one (the audited
//! `divorce::certificate`), see its history and reissue it (补发: a `BL` number, the old one
//! superseded) at one party's request with a note.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use hunyin_app::auth::Staff;
use hunyin_app::divorce::{self, DivorceCertificateView};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::certificates::{purposes, CertForm};
use super::{belongs_to_form, fail, form_errors, words, DeskChrome, DeskError};
use crate::form::Errors;
use crate::lang::Lang;
use crate::page::{see_other, Chrome, Page};

/// True when `number` as typed is a divorce certificate's (`L…`, `BL…`).
pub fn is_divorce(number: &str) -> bool {
    let n = number.trim().to_ascii_uppercase();
    n.starts_with('L') || n.starts_with("BL")
}

#[derive(Template)]
#[template(path = "desk/divorce_lookup.html")]
struct DivorceCertPage {
    c: Chrome,
    d: DeskChrome,
    f: CertForm,
    errors: Errors,
    v: Option<DivorceCertificateView>,
    done: Option<String>,
    purposes: Vec<(String, String)>,
}

impl DivorceCertPage {
    fn status(&self, s: &str) -> String {
        let (zh, en) = match s {
            "valid" => ("有效", "Valid"),
            "superseded" => ("已补发（作废）", "Superseded by a reissue"),
            other => return other.to_owned(),
        };
        self.c.lang.t(zh, en).to_owned()
    }

    /// True when party `i` is the one chosen in the reissue form.
    fn chosen(&self, i: &usize) -> bool {
        self.f.party == i.to_string()
    }
}

fn render(
    page: Page,
    staff: &Staff,
    status: StatusCode,
    f: CertForm,
    errors: Errors,
    v: Option<DivorceCertificateView>,
    done: Option<String>,
) -> HttpResponse {
    let html = DivorceCertPage {
        c: page.chrome.clone(),
        d: DeskChrome::of(Some(staff)),
        f,
        errors,
        v,
        done,
        purposes: purposes(page.chrome.lang),
    }
    .render();
    page.answer(status, html)
}

async fn read(
    state: web::Data<WebState>,
    staff: Staff,
    number: String,
) -> Result<DivorceCertificateView, hunyin_http::ApiError> {
    with_db(state, move |c, _| divorce::certificate(c, &staff, &number)).await
}

/// A lookup from the form: the certificate, or the error beside the number (403 as a page).
pub async fn find(
    state: web::Data<WebState>,
    staff: Staff,
    page: Page,
    f: CertForm,
) -> Result<HttpResponse, DeskError> {
    let lang = page.chrome.lang;
    let number = f.number.trim().to_ascii_uppercase();
    match read(state, staff.clone(), number).await {
        Ok(v) => Ok(render(
            page,
            &staff,
            StatusCode::OK,
            f,
            Errors::default(),
            Some(v),
            None,
        )),
        Err(e) if belongs_to_form(&e.problem) || e.status.as_u16() == 404 => {
            let errors = form_errors(lang, &e.problem, "number", |_| Some("number".into()));
            Ok(render(page, &staff, e.status, f, errors, None, None))
        }
        Err(e) => Err(fail(lang, &e.problem)),
    }
}

/// `GET /desk/certificates/{L…|BL…}`: the certificate, after a reissue.
pub async fn show(
    state: web::Data<WebState>,
    staff: Staff,
    page: Page,
    number: String,
    done: Option<&str>,
) -> Result<HttpResponse, DeskError> {
    let lang = page.chrome.lang;
    let v = read(state, staff.clone(), number)
        .await
        .map_err(|e| fail(lang, &e.problem))?;
    let done = (done == Some("reissued")).then(|| {
        lang.t(
            "已补发，新证字号如下；原证号已作废。",
            "Reissued: the new number is below; the old one is superseded.",
        )
        .to_owned()
    });
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

/// `POST /desk/certificates/divorce-reissue`: a `BL` for the number in the form.
pub async fn reissue(
    state: web::Data<WebState>,
    staff: Staff,
    page: Page,
    f: CertForm,
) -> Result<HttpResponse, DeskError> {
    let lang = page.chrome.lang;
    let number = f.number.trim().to_ascii_uppercase();
    // Not a party: -1, which the use case refuses beside the note's own refusal.
    let party = match f.party.trim() {
        "0" => 0,
        "1" => 1,
        _ => -1,
    };
    let (s, n, note) = (staff.clone(), number.clone(), f.note.clone());
    let answer = with_db(state.clone(), move |c, st| {
        divorce::reissue(c, &s, &st.clock, &n, party, &note)
    })
    .await
    .map(|v| v.certificate_number);
    match answer {
        Ok(bl) => Ok(see_other(&format!("/desk/certificates/{bl}?done=reissued"))),
        Err(e) if belongs_to_form(&e.problem) => {
            let field_of = |name: &str| match name {
                "party" | "note" => Some(format!("reissue-{name}")),
                _ => Some("number".to_owned()),
            };
            let v = read(state, staff.clone(), number).await.ok();
            // Beside the note while the reissue form shows, else beside the number.
            let default = match &v {
                Some(v) if v.status == "valid" => "reissue-note",
                _ => "number",
            };
            let errors = reissue_errors(lang, &e.problem, default, field_of);
            Ok(render(page, &staff, e.status, f, errors, v, None))
        }
        Err(e) => Err(fail(lang, &e.problem)),
    }
}

/// The errors of a refused reissue: the party and the note (1-500 characters here) in words
/// of their own, anything else as [`form_errors`] has it.
fn reissue_errors(
    lang: Lang,
    e: &hunyin_app::AppError,
    default: &str,
    field_of: impl Fn(&str) -> Option<String>,
) -> Errors {
    if e.invalid_params.is_empty() {
        return form_errors(lang, e, default, field_of);
    }
    let mut errors = Errors::default();
    for p in &e.invalid_params {
        let id = field_of(&p.name).unwrap_or_else(|| default.to_owned());
        let message = match p.code.as_str() {
            "invalid_note" => lang
                .t(
                    "请填写补发说明（1-500个字）",
                    "Enter a note (1-500 characters)",
                )
                .to_owned(),
            "invalid_party" => lang
                .t("请选择申请补发的当事人", "Choose the party who asks")
                .to_owned(),
            code => words::invalid_param(lang, code, &p.reason),
        };
        errors.push(id, message);
    }
    errors
}
