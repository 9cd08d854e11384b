//! Reading and writing the pages' own cookies.

use actix_web::HttpRequest;

/// The value of cookie `name`, if it is a short token of letters, digits, `-` and `_`.
pub fn read(req: &HttpRequest, name: &str) -> Option<String> {
    hunyin_http::citizen::cookie_value(req, name).filter(|v| {
        !v.is_empty()
            && v.len() <= 128
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// Whether the cookies of the answer to `req` are marked `Secure`: always when
/// `server.cookie_secure` is set, else when the request came over https.
pub fn secure(req: &HttpRequest) -> bool {
    match req.app_data::<actix_web::web::Data<hunyin_http::WebState>>() {
        Some(state) => state.secure_cookies(req),
        None => req.connection_info().scheme() == "https",
    }
}

/// How a cookie may travel.
#[derive(Debug, Clone, Copy)]
pub enum SameSite {
    Strict,
    Lax,
}

/// A `Set-Cookie` value for the whole site: HttpOnly, `Secure` when `secure`.
pub fn set(
    name: &str,
    value: &str,
    max_age_secs: i64,
    same_site: SameSite,
    secure: bool,
) -> String {
    set_at(name, value, "/", max_age_secs, same_site, secure)
}

/// A `Set-Cookie` value sent back only to `path`: HttpOnly, `Secure` when `secure`.
pub fn set_at(
    name: &str,
    value: &str,
    path: &str,
    max_age_secs: i64,
    same_site: SameSite,
    secure: bool,
) -> String {
    let site = match same_site {
        SameSite::Strict => "Strict",
        SameSite::Lax => "Lax",
    };
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{name}={value}; Path={path}; Max-Age={max_age_secs}; HttpOnly; SameSite={site}{secure}"
    )
}
