//! The language of a page: Chinese first, English on a switch. The choice is a cookie; on a
//! first visit, the browser's `Accept-Language` decides.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::cookies::{self, SameSite};

/// The cookie that keeps the choice.
pub const COOKIE: &str = "hunyin_lang";

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The language of `req`: its cookie, else the first of zh and en in `Accept-Language`
    /// by quality, else Chinese.
    pub fn of(req: &HttpRequest) -> Lang {
        match cookies::read(req, COOKIE).as_deref() {
            Some("en") => return Lang::En,
            Some("zh") => return Lang::Zh,
            _ => {}
        }
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(from_accept_language)
            .unwrap_or(Lang::Zh)
    }

    /// The `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The cookie value and the path segment of the switch.
    pub fn key(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The other language (the switch offers it).
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The text in this language.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// This language's half of a catalogue text written `中文 / English`.
    pub fn pick(self, both: &str) -> String {
        match both.split_once(" / ") {
            Some((zh, en)) => self.t(zh, en).trim().to_owned(),
            None => both.to_owned(),
        }
    }
}

/// The best of zh and en in an `Accept-Language` value (Chinese when neither is named).
fn from_accept_language(value: &str) -> Lang {
    let mut best: Option<(f32, Lang)> = None;
    for item in value.split(',') {
        let mut parts = item.trim().split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let lang = if tag == "zh" || tag.starts_with("zh-") {
            Lang::Zh
        } else if tag == "en" || tag.starts_with("en-") {
            Lang::En
        } else {
            continue;
        };
        if best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l).unwrap_or(Lang::Zh)
}

/// Where the switch sends the browser back to: a path of this site.
#[derive(Debug, Deserialize)]
pub struct Back {
    pub back: Option<String>,
}

/// A path of this site (no scheme, no host, no `//`), else `/`.
pub fn local_path(back: Option<&str>) -> &str {
    match back {
        // Printable ASCII only: a browser drops tabs and newlines from a Location, so `/\t/x`
        // would become `//x`, another host.
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && p.len() < 200
                && p.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            p
        }
        _ => "/",
    }
}

/// `GET /language/{zh|en}?back=/path`: keeps the choice for a year and goes back.
pub async fn switch(
    req: actix_web::HttpRequest,
    code: web::Path<String>,
    back: web::Query<Back>,
) -> HttpResponse {
    let lang = match code.as_str() {
        "en" => Lang::En,
        _ => Lang::Zh,
    };
    let to = local_path(back.back.as_deref()).to_owned();
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((
            header::SET_COOKIE,
            cookies::set(
                COOKIE,
                lang.key(),
                365 * 24 * 3600,
                SameSite::Lax,
                cookies::secure(&req),
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_takes_the_best_of_zh_and_en() {
        assert_eq!(from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"), Lang::En);
        assert_eq!(from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(from_accept_language("fr-FR,en;q=0.5"), Lang::En);
        assert_eq!(from_accept_language("fr-FR"), Lang::Zh);
        assert_eq!(from_accept_language("en;q=0.3, zh;q=0.7"), Lang::Zh);
    }

    #[test]
    fn the_switch_goes_back_only_to_this_site() {
        assert_eq!(local_path(Some("/eligibility")), "/eligibility");
        assert_eq!(local_path(Some("//evil.example/")), "/");
        assert_eq!(local_path(Some("https://evil.example/")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(Some("/\t/evil.example")), "/");
        assert_eq!(local_path(Some("/\n/evil.example")), "/");
        assert_eq!(local_path(Some("/ /x")), "/");
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn a_catalogue_text_gives_each_language_its_half() {
        assert_eq!(Lang::Zh.pick("户口簿 / household register"), "户口簿");
        assert_eq!(
            Lang::En.pick("户口簿 / household register"),
            "household register"
        );
    }
}
