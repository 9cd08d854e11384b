//! The partner protocol from a test's side: regions and their keys, an instance that knows a
//! partner, partner requests forged by hand so that each part can be spoiled, and signed calls
//! made with an instance's own client.

use std::time::Duration;

use ed25519_dalek::SigningKey;
use reqwest::Response;
use serde_json::{json, Value};

use super::app::{spawn_app_with, test_settings, TestApp};
use super::lib::httpsig::{self, Message, RequestParts, SignSpec};
use super::lib::{client, keys, Partners, PeerSettings, Settings};

/// Every operation of the protocol.
pub const ALL_OPS: [&str; 3] = [
    "household_verification",
    "notification",
    "registration_status",
];

/// A partner address where nothing listens.
pub const UNREACHABLE: &str = "http://127.0.0.1:9";

/// A private key in a file, removed with the value.
pub struct KeyFile {
    pub path: std::path::PathBuf,
    pub key: SigningKey,
}

impl KeyFile {
    pub fn new() -> KeyFile {
        let key = keys::generate().unwrap();
        let path =
            std::env::temp_dir().join(format!("hunyin-key-{}.pem", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, keys::private_to_pem(&key)).unwrap();
        KeyFile { path, key }
    }
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A region as the protocol knows it: its directory name, division prefix and key id.
pub struct Region {
    pub name: &'static str,
    pub prefix: &'static str,
    pub key_id: &'static str,
}

pub const JIANGSU: Region = Region {
    name: "jiangsu",
    prefix: "32",
    key_id: "jiangsu-test",
};

pub const HENAN: Region = Region {
    name: "henan",
    prefix: "41",
    key_id: "henan-test",
};

impl Region {
    /// This region as an entry of another's directory: at `base_url`, signing with `key`,
    /// allowed `ops`.
    pub fn peer(&self, base_url: &str, key: &SigningKey, ops: &[&str]) -> PeerSettings {
        PeerSettings {
            name: self.name.into(),
            prefixes: vec![self.prefix.into()],
            base_url: base_url.into(),
            key_id: self.key_id.into(),
            public_key: keys::public_to_text(&key.verifying_key()),
            operations: ops.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Makes `s` this region's instance, signing with `key`, with `peers` in its directory;
    /// quick time-outs and retries. It listens on a free port of its own, so that its
    /// `partner.public_url` can say where partners reach it.
    pub fn configure(&self, s: &mut Settings, key: &KeyFile, peers: Vec<PeerSettings>) {
        if s.server.port == 0 {
            s.server.port = super::proxy::free_port();
        }
        s.partner.public_url = format!("http://127.0.0.1:{}", s.server.port);
        s.instance.region_prefix = self.prefix.into();
        s.partner.key_id = self.key_id.into();
        s.partner.private_key_file = key.path.display().to_string();
        s.partner.peers = peers;
        s.partner.timeout_ms = 3000;
        s.partner.retry_backoff_ms = 50;
        s.outbox.retry_base_secs = 1;
    }

    /// The partner client of this region's instance, as `configure` would set it up.
    pub fn partners(&self, key: &KeyFile, peers: Vec<PeerSettings>) -> Partners {
        let mut s = test_settings("sqlite://unused");
        self.configure(&mut s, key, peers);
        super::lib::partners(&s.partner, &s.instance).unwrap()
    }
}

/// A 江苏 instance on the suite's engine with 河南 in its directory; the test holds 河南's
/// private key and so can sign as 河南.
pub struct Jiangsu {
    pub app: TestApp,
    /// 江苏's own key.
    pub key: KeyFile,
    /// 河南's key.
    pub henan: SigningKey,
}

impl Jiangsu {
    /// 河南 at `henan_url`, allowed `ops`.
    pub fn knowing_henan(henan_url: &str, ops: &[&str]) -> Jiangsu {
        Jiangsu::knowing_henan_with(henan_url, ops, |_| {})
    }

    /// The same, after `customize`.
    pub fn knowing_henan_with(
        henan_url: &str,
        ops: &[&str],
        customize: impl FnOnce(&mut Settings),
    ) -> Jiangsu {
        let key = KeyFile::new();
        let henan = keys::generate().unwrap();
        let app = spawn_app_with(|s| {
            JIANGSU.configure(s, &key, vec![HENAN.peer(henan_url, &henan, ops)]);
            customize(s);
        });
        Jiangsu { app, key, henan }
    }

    /// A request from 河南, well signed.
    pub fn forge(&self, path: &str, body: Option<Value>) -> Forged {
        Forged::new(&self.henan, path, body)
    }
}

/// Builds a partner request by hand, so that each part can be spoiled.
pub struct Forged {
    pub method: &'static str,
    pub path: String,
    pub body: Vec<u8>,
    pub key: SigningKey,
    pub key_id: String,
    pub created: i64,
    pub expires: i64,
    pub nonce: String,
}

impl Forged {
    /// A `POST` of `body`, or a `GET` without one, signed as 河南 with `key`, valid for a minute.
    pub fn new(key: &SigningKey, path: &str, body: Option<Value>) -> Forged {
        let now = chrono::Utc::now().timestamp();
        Forged {
            method: if body.is_some() { "POST" } else { "GET" },
            path: path.into(),
            body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
            key: key.clone(),
            key_id: HENAN.key_id.into(),
            created: now,
            expires: now + 60,
            nonce: uuid::Uuid::new_v4().to_string(),
        }
    }

    /// The request's header fields as sent to `app`, signature included.
    pub fn headers(&self, app: &TestApp) -> Vec<(String, String)> {
        let mut req = RequestParts {
            method: self.method.into(),
            target_uri: app.url(&self.path),
            headers: vec![("content-digest".into(), httpsig::content_digest(&self.body))],
        };
        let mut components = vec!["@method", "@target-uri", "content-digest"];
        if !self.body.is_empty() {
            req.headers
                .push(("content-type".into(), "application/json".into()));
            components.push("content-type");
        }
        let spec = SignSpec {
            label: "sig1",
            components: httpsig::components(&components),
            created: self.created,
            expires: self.expires,
            keyid: &self.key_id,
            nonce: &self.nonce,
        };
        let (input, sig) = httpsig::sign(Message::Request(&req), &self.key, &spec).unwrap();
        req.headers.push(("signature-input".into(), input));
        req.headers.push(("signature".into(), sig));
        req.headers
    }

    /// Sends the request to `app` as it is.
    pub async fn send(&self, app: &TestApp) -> Response {
        send(app, self.method, &self.path, &self.headers(app), &self.body).await
    }
}

/// Sends a request made of exactly these parts.
pub async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Response {
    let mut rb = app.client.request(method.parse().unwrap(), app.url(path));
    for (n, v) in headers {
        rb = rb.header(n, v);
    }
    rb.body(body.to_vec()).send().await.unwrap()
}

/// The body of a household verification request about `id`.
pub fn verification_body(id: &str) -> Value {
    json!({
        "id_number": id,
        "name": "李娜",
        "purpose": "marriage_registration",
        "case": {"office_id": "zz-jinshui", "application_reference": "AP-TEST01", "registrar_id": 7},
    })
}

/// A signed call to the peer named `peer` with an instance's own client, on a blocking thread.
pub async fn call_as(
    partners: Partners,
    peer: &str,
    method: &'static str,
    path: String,
    body: Option<Value>,
) -> Result<(u16, Value), client::CallError> {
    let peer = peer.to_owned();
    tokio::task::spawn_blocking(move || {
        let agent = agent();
        let p = partners.directory.by_name(&peer).unwrap().clone();
        let bytes = body.map(|b| b.to_string().into_bytes());
        client::call(&partners, &agent, &p, method, &path, bytes.as_deref())
            .map(|(s, b)| (s, serde_json::from_slice(&b).unwrap()))
    })
    .await
    .unwrap()
}

/// The HTTP agent of an instance's partner client, with the tests' time-outs.
pub fn agent() -> ureq::Agent {
    client::agent(Duration::from_secs(2), Duration::from_secs(5))
}
