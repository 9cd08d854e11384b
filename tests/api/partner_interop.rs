//! Interoperability with an independent RFC 9421 implementation, Python's
//! http-message-signatures: each side verifies what the other signed.

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};

use crate::support::id_number;
use crate::support::lib::keys;
use crate::support::partner::{
    call_as, send, verification_body, Jiangsu, ALL_OPS, HENAN, JIANGSU, UNREACHABLE,
};
use crate::support::python::{has_python_modules, run_python};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/interop/httpsig_interop.py"
);

/// Reads one raw HTTP request off a socket: method, path, header fields, body.
async fn capture_one(
    listener: tokio::net::TcpListener,
) -> (String, String, Vec<(String, String)>, Vec<u8>) {
    use tokio::io::AsyncReadExt;
    let (mut s, _) = listener.accept().await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).await.unwrap();
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8(buf[..end].to_vec()).unwrap();
            let mut lines = head.split("\r\n");
            let mut first = lines.next().unwrap().split(' ');
            let (method, path) = (
                first.next().unwrap().to_owned(),
                first.next().unwrap().to_owned(),
            );
            let headers: Vec<(String, String)> = lines
                .map(|l| {
                    let (n, v) = l.split_once(':').unwrap();
                    (n.trim().to_ascii_lowercase(), v.trim().to_owned())
                })
                .collect();
            let len: usize = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .map(|(_, v)| v.parse().unwrap())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk).await.unwrap();
                buf.extend_from_slice(&chunk[..n]);
            }
            return (method, path, headers, buf[end + 4..end + 4 + len].to_vec());
        }
        assert!(n > 0, "connection closed before the request ended");
    }
}

fn base64_of(key: &SigningKey) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(key.as_bytes())
}

#[tokio::test]
async fn signatures_interoperate_with_pythons_http_message_signatures() {
    if !has_python_modules(
        "http_message_signatures, cryptography",
        "http-message-signatures",
        "REQUIRE_INTEROP_TEST",
    ) {
        return;
    }
    // A 江苏 server that knows 河南; the test holds both keys.
    let js = Jiangsu::knowing_henan(UNREACHABLE, &ALL_OPS);

    // 1. Python verifies a request exactly as our client puts it on the wire.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let captured = tokio::spawn(capture_one(listener));
    let partners = JIANGSU.partners(&js.key, vec![HENAN.peer(&base, &js.henan, &ALL_OPS)]);
    let body = verification_body(&id_number("410105", "19960101", false));
    let _ = call_as(
        partners,
        HENAN.name,
        "POST",
        "/v1/partner/household-verifications".into(),
        Some(body),
    )
    .await;
    let (method, path, headers, raw_body) = captured.await.unwrap();
    let verdict = run_python(
        SCRIPT,
        &json!({
            "mode": "verify",
            "method": method,
            "url": format!("{base}{path}"),
            "headers": headers,
            "body": String::from_utf8(raw_body).unwrap(),
            "public_key": keys::public_to_text(&js.key.key.verifying_key()),
            "key_id": JIANGSU.key_id,
        }),
    );
    assert_eq!(verdict["ok"], true, "{verdict}");
    let covered = verdict["covered"].to_string();
    for c in ["@method", "@target-uri", "content-digest", "content-type"] {
        assert!(covered.contains(c), "{c} not covered: {covered}");
    }

    // 2. Python signs a partner request; our server verifies it and answers.
    let app = &js.app;
    let path = "/v1/partner/household-verifications";
    let body = verification_body(&id_number("320508", "19960101", false)).to_string();
    let signed = run_python(
        SCRIPT,
        &json!({
            "mode": "sign",
            "method": "POST",
            "url": app.url(path),
            "body": body,
            "content_type": "application/json",
            "private_key": base64_of(&js.henan),
            "key_id": HENAN.key_id,
            "nonce": uuid::Uuid::new_v4().to_string(),
        }),
    );
    let headers: Vec<(String, String)> = signed["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    let resp = send(app, "POST", path, &headers, body.as_bytes()).await;
    assert_eq!(resp.status(), 200);
    // Our answer is bound to Python's signature label.
    let input = resp.headers()["signature-input"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(input.contains(r#""signature";req;key="py1""#), "{input}");
    assert_eq!(resp.json::<Value>().await.unwrap()["found"], false);
}
