//! The divorce printables, on A4 through the browser's print (desk.css's print rules): the
//! 离婚登记申请受理回执单 with its dates while received, the 撤回离婚登记申请确认单 once
//! withdrawn, the 离婚证 inner page for the certificate printer, and the 不予办理离婚登记通知单.
//! Each reads through the divorce use cases (audited reads), as the API words them.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use hunyin_app::divorce::{self, DivorceDesk};
use hunyin_domain::id_number::Sex;
use hunyin_domain::time::to_local;
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::{divorce_screen, fail_api, reference, session, DeskChrome, DeskError};
use crate::page::{Chrome, Page, PageError};

#[derive(Template)]
#[template(path = "desk/divorce_document.html")]
struct DocumentPage {
    c: Chrome,
    d: DeskChrome,
    reference: String,
    title: String,
    paragraphs: Vec<String>,
    basis: Option<String>,
}

/// The paragraphs of a document's text: the first line is its title; blank lines between.
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .skip(1)
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

fn not_now(lang: crate::lang::Lang) -> DeskError {
    PageError::new(
        StatusCode::NOT_FOUND,
        lang,
        "此申请目前没有这份文书。",
        "This application has no such document now.",
    )
    .into()
}

/// `GET /desk/divorces/{reference}/{receipt|withdrawal}`: the document of its current state.
pub async fn document(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let (raw, which) = path.into_inner();
    let reference = reference(lang, &raw)?;
    let want = match which.as_str() {
        "receipt" => "离婚登记申请受理回执单",
        "withdrawal" => "撤回离婚登记申请确认单",
        _ => return Err(not_now(lang)),
    };
    let d = DeskChrome::of(Some(&staff));
    let x = divorce_screen::read(state, staff, reference, lang).await?;
    let doc = x
        .view
        .document
        .filter(|doc| doc.title == want)
        .ok_or_else(|| not_now(lang))?;
    let html = DocumentPage {
        c: page.chrome.clone(),
        d,
        reference: x.view.reference,
        title: doc.title.to_owned(),
        paragraphs: paragraphs(&doc.text),
        basis: None,
    }
    .render();
    Ok(page.answer(StatusCode::OK, html))
}

/// `GET /desk/divorces/{reference}/refusal-notice`
pub async fn refusal_notice(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let reference = reference(lang, &path)?;
    let d = DeskChrome::of(Some(&staff));
    let n = with_db(state, move |c, _| {
        divorce::refusal_notice(c, &staff, &reference)
    })
    .await
    .map_err(fail_api(lang))?;
    let html = DocumentPage {
        c: page.chrome.clone(),
        d,
        title: "不予办理离婚登记通知单".to_owned(),
        paragraphs: paragraphs(&n.notice_text),
        basis: Some(n.basis.to_owned()),
        reference: n.reference,
    }
    .render();
    Ok(page.answer(StatusCode::OK, html))
}

#[derive(Template)]
#[template(path = "desk/divorce_certificate.html")]
struct CertificatePage {
    c: Chrome,
    d: DeskChrome,
    x: DivorceDesk,
    number: String,
    registered_on: String,
}

impl CertificatePage {
    fn sex(&self, s: &Sex) -> &'static str {
        match s {
            Sex::Male => self.c.t("男", "Male"),
            Sex::Female => self.c.t("女", "Female"),
        }
    }
}

/// `GET /desk/divorces/{reference}/certificate`: the 离婚证 inner page of an issued divorce.
pub async fn certificate(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let reference = reference(lang, &path)?;
    let d = DeskChrome::of(Some(&staff));
    let x = divorce_screen::read(state, staff, reference, lang).await?;
    let Some(number) = x.view.certificate_number.clone() else {
        return Err(not_now(lang));
    };
    let registered_on = x
        .view
        .closed_at
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| to_local(t.naive_utc()).date().to_string())
        .unwrap_or_default();
    let html = CertificatePage {
        c: page.chrome.clone(),
        d,
        x,
        number,
        registered_on,
    }
    .render();
    Ok(page.answer(StatusCode::OK, html))
}
