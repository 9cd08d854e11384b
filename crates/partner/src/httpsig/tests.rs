//! Tests of `httpsig`.

use super::*;

/// RFC 9421 Appendix B.1.4 (`test-key-ed25519`), PKCS#8 and SPKI PEM.
const RFC_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n";
const RFC_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n-----END PUBLIC KEY-----\n";

/// The test request of RFC 9421 Appendix B.2.
fn rfc_request() -> RequestParts {
    RequestParts {
        method: "POST".into(),
        target_uri: "https://example.com/foo?param=Value&Pet=dog".into(),
        headers: vec![
            ("host".into(), "example.com".into()),
            ("date".into(), "Tue, 20 Apr 2021 02:07:55 GMT".into()),
            ("content-type".into(), "application/json".into()),
            ("content-digest".into(), "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:".into()),
            ("content-length".into(), "18".into()),
            ("signature-input".into(), r#"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#.into()),
            ("signature".into(), "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:".into()),
        ],
    }
}

#[test]
fn rfc9421_b26_ed25519_signature_verifies() {
    let req = rfc_request();
    let got = read(&req.headers).unwrap();
    assert_eq!(got.label, "sig-b26");
    assert_eq!(got.keyid.as_deref(), Some("test-key-ed25519"));
    let base = signature_base(Message::Request(&req), &got.components, &got.params).unwrap();
    assert_eq!(
        base,
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\
         \"@authority\": example.com\n\"content-type\": application/json\n\
         \"content-length\": 18\n\"@signature-params\": (\"date\" \"@method\" \"@path\" \
         \"@authority\" \"content-type\" \"content-length\");created=1618884473;\
         keyid=\"test-key-ed25519\""
    );
    let public = crate::keys::public_from_pem(RFC_PUBLIC).unwrap();
    verify(Message::Request(&req), &got, &public).unwrap();
    // Ed25519 is deterministic: our signer reproduces the RFC's bytes from its key.
    let private = crate::keys::private_from_pem(RFC_PRIVATE).unwrap();
    assert_eq!(private.verifying_key(), public);
    let sig = private.sign(base.as_bytes());
    assert_eq!(sig.to_bytes().to_vec(), got.signature);
    // The body digest of B.2 (sha-512) is checked too.
    check_digest(
        header(&req.headers, "content-digest").as_deref(),
        b"{\"hello\": \"world\"}",
    )
    .unwrap();
}

#[test]
fn a_changed_component_breaks_the_rfc_signature() {
    let mut req = rfc_request();
    req.headers[2].1 = "application/json; charset=utf-8".into();
    let got = read(&req.headers).unwrap();
    let public = crate::keys::public_from_pem(RFC_PUBLIC).unwrap();
    assert_eq!(
        verify(Message::Request(&req), &got, &public),
        Err(SigError::Invalid)
    );
}

#[test]
fn rfc9530_digest_examples() {
    // RFC 9530 Appendix B.1: {"hello": "world"} followed by a newline.
    assert_eq!(
        content_digest(b"{\"hello\": \"world\"}\n"),
        "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:"
    );
    assert_eq!(
        check_digest(Some("sha-256=:AAAA:"), b"x"),
        Err(SigError::Digest)
    );
    assert_eq!(
        check_digest(Some("md5=:AAAA:"), b"x"),
        Err(SigError::Digest)
    );
    assert_eq!(check_digest(None, b"x"), Err(SigError::Digest));
    assert_eq!(check_digest(Some("sha-256=("), b"x"), Err(SigError::Digest));
}

#[test]
fn responses_bind_the_request_signature() {
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let mut req = RequestParts {
        method: "POST".into(),
        target_uri: "http://127.0.0.1:8080/v1/partner/notifications".into(),
        headers: vec![("content-type".into(), "application/json".into())],
    };
    let spec = SignSpec {
        label: "sig1",
        components: components(&["@method", "@target-uri", "content-type"]),
        created: 1,
        expires: 2,
        keyid: "a",
        nonce: "n1",
    };
    let (input, sig) = sign(Message::Request(&req), &key, &spec).unwrap();
    req.headers.push(("signature-input".into(), input));
    req.headers.push(("signature".into(), sig));
    let mut res = ResponseParts {
        status: 202,
        headers: vec![("content-type".into(), "application/json".into())],
        request: &req,
    };
    let spec = SignSpec {
        label: "sig1",
        components: components(&[
            "@status",
            "content-type",
            "@method;req",
            "signature;req;key=sig1",
        ]),
        created: 1,
        expires: 2,
        keyid: "b",
        nonce: "n2",
    };
    let (input, sig) = sign(Message::Response(&res), &key, &spec).unwrap();
    assert!(input.contains(r#""signature";req;key="sig1""#), "{input}");
    res.headers.push(("signature-input".into(), input));
    res.headers.push(("signature".into(), sig));
    let got = read(&res.headers).unwrap();
    assert!(got.covers(r#""signature";req;key="sig1""#));
    verify(Message::Response(&res), &got, &key.verifying_key()).unwrap();
    // The same response presented as the answer to another request does not verify.
    let mut other = req.clone();
    other.headers.retain(|(n, _)| n != "signature");
    other
        .headers
        .push(("signature".into(), "sig1=:AAAA:".into()));
    let replayed = ResponseParts {
        request: &other,
        ..res.clone()
    };
    assert_eq!(
        verify(Message::Response(&replayed), &got, &key.verifying_key()),
        Err(SigError::Invalid)
    );
}

#[test]
fn unresolvable_components_are_refused() {
    let req = rfc_request();
    for bad in [
        "@status",
        "x-missing",
        "@method;req",
        "Content-Type",
        "@bogus",
    ] {
        let c = components(&[bad]);
        assert!(
            signature_base(Message::Request(&req), &c, &vec![]).is_err(),
            "{bad} resolved"
        );
    }
}

#[test]
fn derived_components_follow_the_rfc() {
    let req = RequestParts {
        method: "get".into(),
        target_uri: "HTTPS://Example.COM:443/p/a?x=1".into(),
        headers: vec![],
    };
    let v = |n: &str| derived(&req, n).unwrap();
    assert_eq!(v("@method"), "GET");
    assert_eq!(v("@authority"), "example.com");
    assert_eq!(v("@scheme"), "https");
    assert_eq!(v("@path"), "/p/a");
    assert_eq!(v("@query"), "?x=1");
    assert_eq!(v("@request-target"), "/p/a?x=1");
}

proptest::proptest! {
    /// Signature fields from a stranger never panic the reader or the verifier, and never
    /// verify under a key that did not sign.
    #[test]
    fn hostile_signature_fields_are_refused_without_panicking(
        input in "\\PC{0,120}|sig1=\\(\"[@a-z;=\" -]{0,40}\"\\)(;[a-z]{1,8}=[0-9a-z\"]{0,12}){0,5}",
        sig in "\\PC{0,60}|sig1=:[A-Za-z0-9+/]{0,90}={0,2}:",
        digest in "\\PC{0,60}",
        body in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
    ) {
        let req = RequestParts {
            method: "POST".into(),
            target_uri: "https://example.com/v1/partner/notifications".into(),
            headers: vec![
                ("signature-input".into(), input),
                ("signature".into(), sig),
                ("content-digest".into(), digest.clone()),
                ("content-type".into(), "application/json".into()),
            ],
        };
        if let Ok(got) = read(&req.headers) {
            let key = SigningKey::from_bytes(&[9u8; 32]).verifying_key();
            proptest::prop_assert!(verify(Message::Request(&req), &got, &key).is_err());
        }
        let _ = check_digest(Some(&digest), &body);
    }
}
