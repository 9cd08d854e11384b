//! The pages' CSS and JavaScript, embedded in the binary. Each is served under a name that
//! carries a hash of its content, so it can be cached for a year (`immutable`): a new build
//! with a changed file gives it a new name.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};

/// One embedded file.
struct Asset {
    /// `site.css`
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "site.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/site.css"),
    },
    Asset {
        name: "desk.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/desk.css"),
    },
    Asset {
        name: "desk.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/desk.js"),
    },
    Asset {
        name: "site.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/site.js"),
    },
];

/// The served name of each asset, `site.0123abcd.css`, computed once.
fn served() -> &'static [(String, &'static Asset)] {
    static NAMES: OnceLock<Vec<(String, &'static Asset)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let digest = Sha256::digest(a.body);
                let hash: String = digest[..5].iter().map(|b| format!("{b:02x}")).collect();
                let (stem, ext) = a.name.rsplit_once('.').unwrap_or((a.name, ""));
                (format!("{stem}.{hash}.{ext}"), a)
            })
            .collect()
    })
}

/// The URL of asset `name` (`site.css`), with its hash.
pub fn url(name: &str) -> String {
    served()
        .iter()
        .find(|(_, a)| a.name == name)
        .map(|(served, _)| format!("/assets/{served}"))
        .unwrap_or_else(|| format!("/assets/{name}"))
}

/// `GET /assets/{name}`: the asset, cached for a year; 404 for any other name.
pub async fn serve(name: web::Path<String>) -> HttpResponse {
    match served().iter().find(|(served, _)| *served == *name) {
        Some((_, a)) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, a.content_type))
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(a.body),
        None => HttpResponse::NotFound()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .content_type("text/plain; charset=utf-8")
            .body("not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_asset_is_served_under_a_hashed_name() {
        let css = url("site.css");
        assert!(
            css.starts_with("/assets/site.") && css.ends_with(".css"),
            "{css}"
        );
        assert_eq!(css.len(), "/assets/site..css".len() + 10);
        assert_ne!(url("site.css"), url("site.js"));
    }
}
