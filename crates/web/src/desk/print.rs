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

#[derive(Template)]
#[template(path = "desk/review_form.html")]
struct ReviewPage {
    c: Chrome,
    d: DeskChrome,
    a: hunyin_app::applications::ApplicationView,
    status: String,
    checks: Vec<super::application::CheckRow>,
    declared: [bool; 2],
    certificate: Option<String>,
    registrar: String,
}

impl ReviewPage {
    fn party_label(&self, i: &usize) -> &'static str {
        match (*i, self.c.is_zh()) {
            (0, true) => "第一方当事人",
            (0, false) => "First party",
            (_, true) => "第二方当事人",
            (_, false) => "Second party",
        }
    }

    fn declared_text(&self, i: &usize) -> &'static str {
        if self.declared.get(*i).copied().unwrap_or(false) {
            self.c
                .t("已签署，登记员监誓", "Signed, witnessed by the registrar")
        } else {
            self.c.t("未签署", "Not signed")
        }
    }

    fn doc_text(&self, description: &str, party: &Option<usize>) -> String {
        let text = self.c.lang.pick(description);
        match party {
            Some(p) => format!("{}：{text}", self.party_label(p)),
            None => text,
        }
    }
}

/// `GET /desk/applications/{reference}/review-form`: the 结婚登记审查处理表 filled in from the
/// application (an audited read), its checks, declarations and outcome.
pub async fn review_form(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let reference = reference(lang, &path)?;
    let d = DeskChrome::of(Some(&staff));
    let registrar = format!("{} ({})", staff.display_name, staff.username);
    let data = super::application::read(state, staff, reference, lang).await?;
    let checks = hunyin_app::checks::latest(&data.history)
        .into_iter()
        .flatten()
        .map(|c| super::application::row(lang, c))
        .collect();
    let certificate = data
        .certificates
        .iter()
        .rev()
        .find(|c| c.status == "valid")
        .map(|c| c.certificate_number.clone());
    let html = ReviewPage {
        c: page.chrome.clone(),
        d,
        status: super::words::status(lang, &data.a.status),
        a: data.a,
        checks,
        declared: data.declared,
        certificate,
        registrar,
    }
    .render();
    Ok(page.answer(StatusCode::OK, html))
}
