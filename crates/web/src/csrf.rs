//! Protection of every form against cross-site requests: a random token per browser in a
//! `SameSite=Strict`, HttpOnly cookie, repeated in a hidden field of each form; a POST whose
//! field does not equal the cookie, or that the browser says comes from another site
//! (`Sec-Fetch-Site`, `Origin`), is refused before anything is read or written.

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::cookies;

/// The cookie holding the browser's token.
pub const COOKIE: &str = "hunyin_csrf";
/// The hidden field of every form.
pub const FIELD: &str = "csrf";

/// The browser's token, if it sent one.
pub fn token_of(req: &HttpRequest) -> Option<String> {
    cookies::read(req, COOKIE).filter(|t| t.len() >= 32)
}

/// Why a form was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No token cookie, or the field differs from it.
    Token,
    /// The browser says the form was posted from another site.
    CrossSite,
}

/// Checks a posted form: same site, and `submitted` equal to the cookie.
pub fn check(req: &HttpRequest, submitted: Option<&str>) -> Result<(), Refused> {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return Err(Refused::CrossSite);
        }
    }
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = req.connection_info().host().to_owned();
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
        // Our pages send `Referrer-Policy: no-referrer`, under which a browser posts a form
        // with `Origin: null` (Fetch, "serialize a request origin"): then only the browser's
        // own word that the post is same-origin lets it through.
        let null_same_origin = origin == "null" && fetch_site == Some("same-origin");
        if !null_same_origin && (origin == "null" || origin_host != host) {
            return Err(Refused::CrossSite);
        }
    }
    let cookie = token_of(req).ok_or(Refused::Token)?;
    let submitted = submitted.ok_or(Refused::Token)?;
    if constant_time_eq(cookie.as_bytes(), submitted.as_bytes()) {
        Ok(())
    } else {
        Err(Refused::Token)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    const T: &str = "0123456789abcdef0123456789abcdef";

    fn with_cookie() -> TestRequest {
        TestRequest::post().insert_header((header::COOKIE, format!("{COOKIE}={T}")))
    }

    #[test]
    fn the_field_must_equal_the_cookie() {
        assert_eq!(check(&with_cookie().to_http_request(), Some(T)), Ok(()));
        let other = "0123456789abcdef0123456789abcdee";
        assert_eq!(
            check(&with_cookie().to_http_request(), Some(other)),
            Err(Refused::Token)
        );
        assert_eq!(
            check(&with_cookie().to_http_request(), None),
            Err(Refused::Token)
        );
        assert_eq!(
            check(&TestRequest::post().to_http_request(), Some(T)),
            Err(Refused::Token)
        );
    }

    #[test]
    fn another_site_is_refused_even_with_the_token() {
        let req = with_cookie()
            .insert_header(("sec-fetch-site", "cross-site"))
            .to_http_request();
        assert_eq!(check(&req, Some(T)), Err(Refused::CrossSite));
        let req = with_cookie()
            .insert_header((header::HOST, "gov.example"))
            .insert_header((header::ORIGIN, "https://evil.example"))
            .to_http_request();
        assert_eq!(check(&req, Some(T)), Err(Refused::CrossSite));
        let req = with_cookie()
            .insert_header((header::HOST, "gov.example"))
            .insert_header((header::ORIGIN, "https://gov.example"))
            .insert_header(("sec-fetch-site", "same-origin"))
            .to_http_request();
        assert_eq!(check(&req, Some(T)), Ok(()));
    }

    #[test]
    fn a_null_origin_passes_only_when_the_browser_says_same_origin() {
        // What Chromium sends for a form posted from a no-referrer page of this site.
        let req = with_cookie()
            .insert_header((header::ORIGIN, "null"))
            .insert_header(("sec-fetch-site", "same-origin"))
            .to_http_request();
        assert_eq!(check(&req, Some(T)), Ok(()));
        let req = with_cookie()
            .insert_header((header::ORIGIN, "null"))
            .to_http_request();
        assert_eq!(check(&req, Some(T)), Err(Refused::CrossSite));
        let req = with_cookie()
            .insert_header((header::ORIGIN, "null"))
            .insert_header(("sec-fetch-site", "cross-site"))
            .to_http_request();
        assert_eq!(check(&req, Some(T)), Err(Refused::CrossSite));
    }
}
