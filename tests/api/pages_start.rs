//! The start page in a real browser (both languages, JavaScript on and off, axe-core), and
//! what every page owes: its security headers, nothing from another host, its weight.

use crate::support::{browser, spawn_app};

/// The `src` and `href` values of a page.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_owned());
            }
        }
    }
    out
}

#[tokio::test]
async fn the_start_page_carries_the_page_headers_and_loads_only_from_this_site() {
    let app = spawn_app().await;
    let resp = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let h = resp.headers().clone();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["cache-control"], "no-store");
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("hunyin_csrf=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let html = resp.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    let mut weight = html.len();
    for link in links(&html) {
        assert!(
            link.starts_with('/') && !link.starts_with("//") || link.starts_with('#'),
            "a link or source off this site: {link}"
        );
        if link.starts_with("/assets/") {
            let asset = app.client.get(app.url(&link)).send().await.unwrap();
            assert_eq!(asset.status(), 200, "{link}");
            let cache = asset.headers()["cache-control"]
                .to_str()
                .unwrap()
                .to_owned();
            assert!(
                cache.contains("immutable") && cache.contains("max-age=31536000"),
                "{cache}"
            );
            weight += asset.bytes().await.unwrap().len();
        }
    }
    assert!(
        weight < 100 * 1024,
        "the start page weighs {weight} bytes with its assets"
    );
    // An asset name that is not the current one is not served.
    let stale = app
        .client
        .get(app.url("/assets/site.0000000000.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 404);
}

#[tokio::test]
async fn accept_language_chooses_english_on_a_first_visit_and_the_switch_keeps_the_choice() {
    let app = spawn_app().await;
    let en = app
        .client
        .get(app.url("/"))
        .header("accept-language", "en-GB,en;q=0.9,zh;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Registration offices"));
    let switch = app
        .client
        .get(app.url("/language/zh?back=//evil.example/"))
        .send()
        .await
        .unwrap();
    assert_eq!(switch.status(), 303);
    assert_eq!(
        switch.headers()["location"],
        "/",
        "the switch never leaves this site"
    );
    assert!(switch.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("hunyin_lang=zh"));
    let zh = app
        .client
        .get(app.url("/"))
        .header("accept-language", "en")
        .header("cookie", "hunyin_lang=zh")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.contains("<html lang=\"zh-CN\">") && zh.contains("婚姻登记处"));
}

#[tokio::test]
async fn the_start_page_in_a_browser_in_both_languages_with_and_without_javascript() {
    if !browser::available() {
        return;
    }
    let app = spawn_app().await;
    for javascript in [true, false] {
        let (mut b, _one) = browser::start("start", javascript).await;
        b.goto(&app.url("/")).await;
        b.expect_text("结婚登记、离婚登记网上预约").await;
        assert_eq!(
            b.page_script_ran().await,
            javascript,
            "scripts on: {javascript}"
        );
        b.expect_text("南京市玄武区民政局婚姻登记处").await;
        b.axe("start-zh").await;
        b.click("nav a[hreflang=en]").await;
        b.expect_text("Book a marriage or divorce registration")
            .await;
        b.axe("start-en").await;
        assert_eq!(b.cookie("hunyin_lang").await.as_deref(), Some("en"));
        b.close().await;
    }
}
