//! A real browser for the page tests: Debian's Chromium, headless, driven over WebDriver by
//! `chromedriver` (started here, one per test) through `fantoccini`, in a phone's viewport with
//! WeChat's user agent. `axe-core` (npm, tests/browser) runs in every page a walk checks. Each
//! step saves a screenshot and the page source under `target/browser/<walk>/`, so a failing
//! walk leaves what the browser showed last.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use super::proxy::free_port;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// WeChat's in-app browser on Android.
const WECHAT_UA: &str = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64";

fn axe_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules/axe-core/axe.min.js")
}

/// Whether the browser tests can run here (Chromium, its driver, and `npm ci` in
/// tests/browser). When they cannot, the test skips, unless REQUIRE_BROWSER_TEST is set (as
/// `.ci/run` does), which fails it.
pub fn available() -> bool {
    let ok =
        Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file() && axe_path().is_file();
    if !ok {
        assert!(
            std::env::var("REQUIRE_BROWSER_TEST").is_err(),
            "REQUIRE_BROWSER_TEST is set but the browser cannot run (apt-get install chromium chromium-driver; npm ci --prefix tests/browser)"
        );
        eprintln!("skipped: no browser (apt-get install chromium chromium-driver; npm ci --prefix tests/browser)");
    }
    ok
}

/// One walk's browser.
pub struct Browser {
    pub client: Client,
    driver: Child,
    dir: PathBuf,
    step: u32,
    pub javascript: bool,
}

/// Only one browser at a time: two cores cannot run several Chromiums and the server well.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Starts chromedriver and a headless Chromium for the walk `name`, with JavaScript on or off.
/// Holds the one-browser lock until the returned guard is dropped.
pub async fn start(
    name: &str,
    javascript: bool,
) -> (Browser, tokio::sync::MutexGuard<'static, ()>) {
    let guard = ONE_AT_A_TIME.lock().await;
    let port = free_port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(format!("{url}/status")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let prefs = json!({ "intl.accept_languages": "zh-CN,zh" });
    let agent = format!("--user-agent={WECHAT_UA}");
    let mut args = vec![
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--lang=zh-CN",
        agent.as_str(),
    ];
    if !javascript {
        // The page's own scripts off (WebDriver's commands still run): the chrome preference
        // for this makes chromedriver wait for navigations that never signal.
        args.push("--blink-settings=scriptEnabled=false");
    }
    let caps = json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": args,
            "prefs": prefs
        }
    });
    let caps = match caps {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    let client = ClientBuilder::native()
        .capabilities(caps)
        .connect(&url)
        .await
        .expect("webdriver session");
    // A phone's viewport. (chromedriver's `mobileEmulation` would do it too, but with scripts
    // off its taps never finish; a headless window is at least 500 px wide.)
    let session = client
        .session_id()
        .await
        .ok()
        .flatten()
        .expect("session id");
    let metrics = json!({
        "cmd": "Emulation.setDeviceMetricsOverride",
        "params": { "width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true }
    });
    reqwest::Client::new()
        .post(format!("{url}/session/{session}/goog/cdp/execute"))
        .json(&metrics)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .expect("phone viewport");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/browser")
        .join(format!("{name}-{}", if javascript { "js" } else { "nojs" }));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    (
        Browser {
            client,
            driver,
            dir,
            step: 0,
            javascript,
        },
        guard,
    )
}

impl Browser {
    /// Opens `url`.
    pub async fn goto(&mut self, url: &str) {
        self.client.goto(url).await.expect("navigates");
    }

    /// Saves a screenshot and the page source of this step (`NN-label.png`, `.html`).
    pub async fn snap(&mut self, label: &str) -> PathBuf {
        self.step += 1;
        let base = self.dir.join(format!("{:02}-{label}", self.step));
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(base.with_extension("png"), png);
        }
        if let Ok(src) = self.client.source().await {
            let _ = std::fs::write(base.with_extension("html"), src);
        }
        base.with_extension("png")
    }

    /// Fails the walk: saves what the browser shows, then panics with `why`.
    pub async fn fail(&mut self, why: &str) -> ! {
        let shot = self.snap("failed").await;
        panic!("{why} (screenshot and source: {})", shot.display());
    }

    /// The page's visible text.
    pub async fn text(&mut self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Fails unless the page shows `needle`.
    pub async fn expect_text(&mut self, needle: &str) {
        let text = self.text().await;
        if !text.contains(needle) {
            self.fail(&format!("the page does not show {needle:?}"))
                .await;
        }
    }

    /// Types `value` into the field with id `id` (cleared first).
    pub async fn fill(&mut self, id: &str, value: &str) {
        let found = self.client.find(Locator::Id(id)).await;
        let Ok(el) = found else {
            self.fail(&format!("no field #{id}")).await;
        };
        let _ = el.clear().await;
        el.send_keys(value).await.expect("types");
    }

    /// Chooses the option with value `value` of the select with id `id`.
    pub async fn select(&mut self, id: &str, value: &str) {
        let css = format!("#{id} option[value='{value}']");
        match self.client.find(Locator::Css(&css)).await {
            Ok(el) => el.click().await.expect("chooses"),
            Err(_) => self.fail(&format!("no option {value:?} in #{id}")).await,
        }
    }

    /// Clicks the element `css` (a button or link) and waits for the next page.
    pub async fn click(&mut self, css: &str) {
        match self.client.find(Locator::Css(css)).await {
            Ok(el) => el.click().await.expect("clicks"),
            Err(_) => self.fail(&format!("nothing to click at {css}")).await,
        }
        let _ = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("body"))
            .await;
    }

    /// Runs axe-core (WCAG 2.0/2.1 A and AA, and best practices) on the page and fails on any
    /// violation, naming each. Runs only with JavaScript on (axe is a script).
    pub async fn axe(&mut self, label: &str) {
        self.snap(label).await;
        if !self.javascript {
            return;
        }
        let axe = std::fs::read_to_string(axe_path()).expect("axe-core");
        let script = format!(
            "{axe}\n;return axe.run(document, {{ runOnly: {{ type: 'tag', values: \
             ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }} }}).then(r => \
             r.violations.map(v => ({{ id: v.id, impact: v.impact, help: v.help, \
             nodes: v.nodes.map(n => n.target.join(' ') + ' ' + n.failureSummary) }})));"
        );
        let found = self.client.execute(&script, vec![]).await;
        let violations = match found {
            Ok(v) => v,
            Err(e) => self.fail(&format!("axe-core did not run: {e}")).await,
        };
        if violations.as_array().is_some_and(|a| !a.is_empty()) {
            let pretty = serde_json::to_string_pretty(&violations).unwrap_or_default();
            self.fail(&format!("axe-core violations on {label}:\n{pretty}"))
                .await;
        }
    }

    /// Whether the page's own script ran (site.js marks `<html>` with the class `js`).
    pub async fn page_script_ran(&mut self) -> bool {
        let found = self
            .client
            .execute(
                "return document.documentElement.classList.contains('js');",
                vec![],
            )
            .await;
        found.ok().and_then(|v| v.as_bool()).unwrap_or(false)
    }

    /// The value of `name`'s cookie in the browser, if set.
    pub async fn cookie(&mut self, name: &str) -> Option<String> {
        self.client
            .get_named_cookie(name)
            .await
            .ok()
            .map(|c| c.value().to_owned())
    }

    /// Ends the session and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
