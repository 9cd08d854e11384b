//! A 江苏 instance answers 河南's well-signed requests, signing its answers, and refuses bad
//! ones: each with a problem (401 and `WWW-Authenticate: Signature`, or 403) and an audit event
//! naming the reason.

use reqwest::Response;
use serde_json::{json, Value};

use crate::support::lib::httpsig::{self, Message, RequestParts, ResponseParts, SignSpec};
use crate::support::lib::keys;
use crate::support::partner::{send, verification_body, Forged, Jiangsu, HENAN, UNREACHABLE};
use crate::support::{add_resident, audit_details, id_number, problem, TestApp};

const PATH: &str = "/v1/partner/household-verifications";

/// 河南 may verify residents and query registrations, not notify.
const OPS: [&str; 2] = ["household_verification", "registration_status"];

/// A request as put on the wire.
#[derive(Clone)]
struct Sent {
    method: &'static str,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Sent {
    fn of(f: &Forged, app: &TestApp) -> Sent {
        Sent {
            method: f.method,
            path: f.path.clone(),
            headers: f.headers(app),
            body: f.body.clone(),
        }
    }

    async fn send(&self, app: &TestApp) -> Response {
        send(app, self.method, &self.path, &self.headers, &self.body).await
    }
}

/// A 江苏 instance with a resident, and one well-signed request of 河南's about her, answered.
struct Bench {
    js: Jiangsu,
    resident: String,
    answered: Sent,
    /// The answer's header fields and body.
    answer: (Vec<(String, String)>, Vec<u8>),
}

impl Bench {
    async fn start() -> Bench {
        let js = Jiangsu::knowing_henan(UNREACHABLE, &OPS);
        let resident = id_number("320508", "19960101", false);
        add_resident(&js.app, &resident, "李娜", "320508", "unmarried");
        let f = js.forge(PATH, Some(verification_body(&resident)));
        let answered = Sent::of(&f, &js.app);
        let resp = answered.send(&js.app).await;
        assert_eq!(resp.status(), 200);
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
            .collect();
        let body = resp.bytes().await.unwrap().to_vec();
        Bench {
            js,
            resident,
            answered,
            answer: (headers, body),
        }
    }

    /// A new well-signed request about the resident, spoiled by `spoil` before signing.
    fn good_but(&self, spoil: impl FnOnce(&mut Forged)) -> Sent {
        let mut f = self.js.forge(PATH, Some(verification_body(&self.resident)));
        spoil(&mut f);
        Sent::of(&f, &self.js.app)
    }
}

/// One bad request and how it is refused.
struct Refusal {
    case: &'static str,
    forge: fn(&Bench) -> Sent,
    status: u16,
    /// The problem's code, and the reason in the audit event.
    code: &'static str,
    /// Other members of the audit event.
    audited: &'static [(&'static str, &'static str)],
}

/// A notification, which 河南 may not send.
fn notification(b: &Bench) -> Sent {
    let n = json!({"event_id": "e1", "type": "marriage_registered", "certificate_number": "J410105-2026-000001",
        "registered_at": "2026-05-20T01:00:00Z", "office": {"id": "zz-jinshui", "name": "x", "division_code": "410105"},
        "parties": [{"id_number": b.resident, "name": "李娜"}]});
    Sent::of(&b.js.forge("/v1/partner/notifications", Some(n)), &b.js.app)
}

/// A request signed for another region's address, presented here with X-Forwarded-Host.
fn signed_for_another_host(b: &Bench) -> Sent {
    let f = b.js.forge(PATH, Some(verification_body(&b.resident)));
    let mut sent = Sent::of(&f, &b.js.app);
    sent.headers.retain(|(n, _)| !n.starts_with("signature"));
    let other = RequestParts {
        method: "POST".into(),
        target_uri: format!("http://hunyin.other.example{PATH}"),
        headers: sent.headers.clone(),
    };
    let spec = SignSpec {
        label: "sig1",
        components: httpsig::components(&[
            "@method",
            "@target-uri",
            "content-digest",
            "content-type",
        ]),
        created: f.created,
        expires: f.expires,
        keyid: HENAN.key_id,
        nonce: &f.nonce,
    };
    let (input, sig) = httpsig::sign(Message::Request(&other), &b.js.henan, &spec).unwrap();
    sent.headers.push(("signature-input".into(), input));
    sent.headers.push(("signature".into(), sig));
    sent.headers
        .push(("x-forwarded-host".into(), "hunyin.other.example".into()));
    sent.headers
        .push(("forwarded".into(), "host=hunyin.other.example".into()));
    sent
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn refusals() -> Vec<Refusal> {
    vec![
        Refusal {
            case: "the answered request, replayed",
            forge: |b| b.answered.clone(),
            status: 401,
            code: "nonce_replayed",
            audited: &[],
        },
        Refusal {
            case: "no signature",
            forge: |b| Sent {
                headers: vec![("content-type".into(), "application/json".into())],
                ..b.good_but(|_| {})
            },
            status: 401,
            code: "signature_missing",
            audited: &[],
        },
        Refusal {
            case: "a key id nobody has",
            forge: |b| b.good_but(|f| f.key_id = "stranger".into()),
            status: 401,
            code: "unknown_key",
            audited: &[("key_id", "stranger")],
        },
        Refusal {
            case: "signed with another key",
            forge: |b| b.good_but(|f| f.key = keys::generate().unwrap()),
            status: 401,
            code: "signature_invalid",
            audited: &[],
        },
        Refusal {
            case: "a body other than the signed one",
            forge: |b| Sent {
                body: verification_body(&id_number("320508", "19970101", false))
                    .to_string()
                    .into_bytes(),
                ..b.good_but(|_| {})
            },
            status: 401,
            code: "digest_mismatch",
            audited: &[],
        },
        Refusal {
            case: "expired",
            forge: |b| b.good_but(|f| (f.created, f.expires) = (now() - 200, now() - 100)),
            status: 401,
            code: "signature_expired",
            audited: &[],
        },
        Refusal {
            case: "created ten minutes ahead",
            forge: |b| b.good_but(|f| (f.created, f.expires) = (now() + 600, now() + 650)),
            status: 401,
            code: "clock_skew",
            audited: &[],
        },
        Refusal {
            case: "an operation 河南 may not use",
            forge: notification,
            status: 403,
            code: "operation_forbidden",
            audited: &[("operation", "notification")],
        },
        Refusal {
            case: "signed for another host, passed off with X-Forwarded-Host",
            forge: signed_for_another_host,
            status: 401,
            code: "signature_invalid",
            audited: &[],
        },
    ]
}

#[tokio::test]
async fn bad_partner_requests_are_refused_with_a_problem_and_an_audit_event() {
    let b = Bench::start().await;
    let app = &b.js.app;
    for (n, c) in refusals().iter().enumerate() {
        let resp = (c.forge)(&b).send(app).await;
        assert_eq!(resp.status(), c.status, "{}", c.case);
        if c.status == 401 {
            assert_eq!(
                resp.headers()["www-authenticate"],
                "Signature",
                "{}",
                c.case
            );
        }
        assert_eq!(problem(resp).await["code"], c.code, "{}", c.case);
        let refused = audit_details(app, "partner.request_refused");
        assert_eq!(refused.len(), n + 1, "{}: one audit event each", c.case);
        assert_eq!(refused[n]["reason"], c.code, "{}", c.case);
        for (member, value) in c.audited {
            assert_eq!(refused[n][*member], *value, "{}", c.case);
        }
    }
    // Only the one good request was answered (and audited as a read).
    assert_eq!(
        audit_details(app, "partner.household_verification.received").len(),
        1
    );
}

/// The answer to a well-signed request is signed by this instance and bound to the request's
/// signature.
#[tokio::test]
async fn a_well_signed_request_gets_a_signed_answer_bound_to_it() {
    let b = Bench::start().await;
    let (headers, body) = &b.answer;
    let req = RequestParts {
        method: "POST".into(),
        target_uri: b.js.app.url(PATH),
        headers: b.answered.headers.clone(),
    };
    let res = ResponseParts {
        status: 200,
        headers: headers.clone(),
        request: &req,
    };
    let got = httpsig::read(&res.headers).unwrap();
    assert!(got.covers(r#""signature";req;key="sig1""#));
    httpsig::verify(Message::Response(&res), &got, &b.js.key.key.verifying_key()).unwrap();
    httpsig::check_digest(
        httpsig::header(&res.headers, "content-digest").as_deref(),
        body,
    )
    .unwrap();
    let answer: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(
        answer,
        json!({"found": true, "name_matches": true, "hukou_division_code": "320508", "marital_status": "unmarried", "pending_application": false})
    );
}

/// Well signed but about nothing: a malformed ID number, a person not in the register, an
/// unknown certificate.
#[tokio::test]
async fn well_signed_requests_about_nothing_get_400_not_found_or_404() {
    let js = Jiangsu::knowing_henan(UNREACHABLE, &OPS);
    let app = &js.app;
    // Malformed: 400 with the field named, never a 500.
    let resp = js
        .forge(PATH, Some(verification_body("12345")))
        .send(app)
        .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        problem(resp).await["invalid_params"][0]["name"],
        "id_number"
    );
    // A person not in the register: found false and nothing more.
    let nobody = verification_body(&id_number("320508", "19800101", true));
    let resp = js.forge(PATH, Some(nobody)).send(app).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"found": false, "name_matches": false, "hukou_division_code": null, "marital_status": null, "pending_application": false})
    );
    // An unknown certificate: 404 problem.
    let resp = js
        .forge("/v1/partner/registrations/J320508-2026-999999", None)
        .send(app)
        .await;
    assert_eq!(resp.status(), 404);
    problem(resp).await;
}

/// One signed request sent eight times at the same instant (an attacker racing the nonce
/// check): answered once, every copy refused as a replay, one read in the trail.
#[tokio::test]
async fn a_request_sent_many_times_at_once_is_answered_once() {
    let b = Bench::start().await;
    let app = &b.js.app;
    let copy = b.good_but(|_| {});
    let answers = futures_util::future::join_all((0..8).map(|_| copy.send(app))).await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401, 401, 401, 401, 401, 401, 401]);
    for r in answers.into_iter().filter(|r| r.status() == 401) {
        assert_eq!(problem(r).await["code"], "nonce_replayed");
    }
    // The bench's own request and this one.
    assert_eq!(
        audit_details(app, "partner.household_verification.received").len(),
        2
    );
}
