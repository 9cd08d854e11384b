//! The printables, on A4 through the browser's print (desk.css's print rules): the
//! certificate's inner page (结婚证内页) for the certificate printer, and the written notice of
//! a refusal (不予办理结婚登记通知单) to hand to the couple.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use hunyin_app::certificates::{self, CertificatePrint};
use hunyin_app::refusal::{self, RefusalNotice};
use hunyin_domain::id_number::Sex;
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::{fail_api, reference, session, DeskChrome, DeskError};
use crate::page::{Chrome, Page};

#[derive(Template)]
#[template(path = "desk/certificate.html")]
struct CertificatePage {
    c: Chrome,
    d: DeskChrome,
    p: CertificatePrint,
}

impl CertificatePage {
    fn sex(&self, s: &Sex) -> &'static str {
        match s {
            Sex::Male => self.c.t("男", "Male"),
            Sex::Female => self.c.t("女", "Female"),
        }
    }
}

/// `GET /desk/applications/{reference}/certificate`: the inner page (an audited read).
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
    let p = with_db(state, move |c, _| {
        certificates::printable(c, &staff, &reference)
    })
    .await
    .map_err(fail_api(lang))?;
    let html = CertificatePage {
        c: page.chrome.clone(),
        d,
        p,
    }
    .render();
    Ok(page.answer(StatusCode::OK, html))
}

#[derive(Template)]
#[template(path = "desk/refusal_notice.html")]
struct NoticePage {
    c: Chrome,
    d: DeskChrome,
    n: RefusalNotice,
    paragraphs: Vec<String>,
}

/// `GET /desk/applications/{reference}/refusal-notice`: the notice, as the API words it.
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
    let n = with_db(state, move |c, _| refusal::notice(c, &staff, &reference))
        .await
        .map_err(fail_api(lang))?;
    // The first line is the title; the rest are paragraphs (blank lines between them).
    let paragraphs = n
        .notice_text
        .split("\n\n")
        .skip(1)
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    let html = NoticePage {
        c: page.chrome.clone(),
        d,
        n,
        paragraphs,
    }
    .render();
    Ok(page.answer(StatusCode::OK, html))
}
