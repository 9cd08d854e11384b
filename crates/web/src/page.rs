//! Rendering a page: what every template shares ([`Chrome`]: language, the form token, the
//! assets), and the headers every page carries. A page is never cached (it may carry personal
//! data), sends no `Referer` to anyone, runs only this site's scripts and styles, and cannot be
//! framed.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, ResponseError};

use crate::cookies::{self, SameSite};
use crate::lang::Lang;
use crate::{assets, csrf};

/// The policy of every page: nothing from another host, no inline script or style.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What the layout of every page needs.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: Lang,
    /// The browser's form token, for the hidden field of each form.
    pub csrf: String,
    /// This page's path (never a query: a query might carry what the user typed).
    pub path: String,
    pub css: String,
    pub js: String,
    /// The citizen's sign-in button in the header (oidc identity mode, couples' pages only):
    /// `SignIn` without a session cookie, `SignOut` with one.
    pub account: Account,
}

/// What the header offers about the citizen's real-name sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    /// Nothing (contact identity mode, the desk, the error page).
    None,
    SignIn,
    SignOut,
}

impl Account {
    /// The header's offer for `req`: only the presence of the session cookie is looked at
    /// (a page needing the person looks the session up).
    fn of(req: &HttpRequest) -> Account {
        let oidc = req
            .app_data::<actix_web::web::Data<hunyin_http::WebState>>()
            .is_some_and(|s| !s.identity.confirms_by_contact());
        if !oidc || req.path().starts_with("/desk") {
            Account::None
        } else if hunyin_http::citizen::cookie(req, hunyin_http::citizen::SESSION_COOKIE).is_some()
        {
            Account::SignOut
        } else {
            Account::SignIn
        }
    }
}

impl Chrome {
    /// The text in the page's language.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }

    /// True when the page is in Chinese.
    pub fn is_zh(&self) -> bool {
        self.lang == Lang::Zh
    }

    /// The header shows the sign-in button.
    pub fn offers_sign_in(&self) -> bool {
        self.account == Account::SignIn
    }

    /// The header shows 我的预约 and the sign-out button.
    pub fn offers_sign_out(&self) -> bool {
        self.account == Account::SignOut
    }

    /// The language switch's link, back to this page.
    pub fn switch_href(&self) -> String {
        let back: String = self
            .path
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        format!("/language/{}?back={back}", self.lang.other().key())
    }
}

/// A page being answered: its chrome and whether the browser needs a form token cookie.
pub struct Page {
    pub chrome: Chrome,
    new_token: bool,
    secure: bool,
    /// The identity provider's origin in oidc mode: the sign-in and sign-out forms redirect
    /// there, which `form-action` must allow.
    provider: Option<String>,
}

/// `scheme://host[:port]` of `url`, if it is a plain http(s) URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    let ok = matches!(scheme, "http" | "https")
        && !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    ok.then(|| format!("{scheme}://{host}"))
}

impl Page {
    /// The page for `req`: its language, its form token (a new one when the browser has none).
    pub fn new(req: &HttpRequest) -> Page {
        let (token, new_token) = match csrf::token_of(req) {
            Some(t) => (t, false),
            None => (hunyin_app::tokens::secret(), true),
        };
        Page {
            chrome: Chrome {
                lang: Lang::of(req),
                csrf: token,
                path: req.path().to_owned(),
                css: assets::url("site.css"),
                js: assets::url("site.js"),
                account: Account::of(req),
            },
            new_token,
            secure: cookies::secure(req),
            provider: req
                .app_data::<actix_web::web::Data<hunyin_http::WebState>>()
                .filter(|s| !s.identity.confirms_by_contact())
                .and_then(|s| origin_of(&s.oidc.config.issuer)),
        }
    }

    /// The rendered template as the answer, with the page headers.
    pub fn answer(self, status: StatusCode, html: Result<String, askama::Error>) -> HttpResponse {
        let html = match html {
            Ok(h) => h,
            Err(e) => {
                tracing::error!(error = %e, "page template failed");
                return plain(StatusCode::INTERNAL_SERVER_ERROR, self.chrome.lang);
            }
        };
        let mut resp = HttpResponse::build(status);
        headers(&mut resp);
        if let Some(origin) = &self.provider {
            let csp = CSP.replace(
                "form-action 'self'",
                &format!("form-action 'self' {origin}"),
            );
            resp.insert_header((header::CONTENT_SECURITY_POLICY, csp));
        }
        if self.new_token {
            resp.insert_header((
                header::SET_COOKIE,
                cookies::set(
                    csrf::COOKIE,
                    &self.chrome.csrf,
                    12 * 3600,
                    SameSite::Strict,
                    self.secure,
                ),
            ));
        }
        resp.content_type("text/html; charset=utf-8").body(html)
    }
}

/// The headers of every page.
pub fn headers(resp: &mut HttpResponseBuilder) {
    resp.insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        ));
}

/// 303 to `to` (a path of this site), the answer to a form that worked.
pub fn see_other(to: &str) -> HttpResponse {
    let mut resp = HttpResponse::SeeOther();
    headers(&mut resp);
    resp.insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

/// A page that could not be answered: a status and a plain message in both languages.
#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    pub lang: Lang,
    pub zh: String,
    pub en: String,
}

impl PageError {
    pub fn new(
        status: StatusCode,
        lang: Lang,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        PageError {
            status,
            lang,
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// A use case's error, told in words (its code stays in the log, not on the page).
    pub fn of(lang: Lang, e: &hunyin_app::AppError) -> Self {
        let status = hunyin_http::problem::status_of(e.kind);
        if status.is_server_error() {
            tracing::warn!(code = e.code, "page answered with a server error");
        }
        if e.code == "forbidden_office" {
            // The API names both offices; a page does not tell which office holds a reference.
            return PageError::new(
                status,
                lang,
                "此事项属于其他登记处，您的账号无权查看或办理。",
                "This belongs to another office: your account may not see or act on it.",
            );
        }
        PageError::new(status, lang, e.detail_zh.clone(), e.detail.clone())
    }

    /// A form whose token did not match (expired, or posted from another site).
    pub fn csrf(lang: Lang) -> Self {
        PageError::new(
            StatusCode::FORBIDDEN,
            lang,
            "表单已过期或来源不明。请返回上一页，刷新后重新提交。",
            "This form has expired or did not come from this site. Go back, reload the page and send it again.",
        )
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.en)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut resp = HttpResponse::build(self.status);
        headers(&mut resp);
        resp.content_type("text/html; charset=utf-8")
            .body(crate::start::error_page(self))
    }
}

/// A last-resort answer when even the template failed.
fn plain(status: StatusCode, lang: Lang) -> HttpResponse {
    let mut resp = HttpResponse::build(status);
    headers(&mut resp);
    resp.content_type("text/plain; charset=utf-8").body(
        lang.t(
            "服务暂时无法使用，请稍后再试。",
            "The service cannot answer right now; please try again later.",
        )
        .to_owned(),
    )
}
