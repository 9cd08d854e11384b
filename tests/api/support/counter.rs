//! The registrar's counter: an application's walk from walk-in (or check-in of a booking)
//! through the household checks and declarations to registration or refusal, one method a
//! step, so that each step's path and body are written once.

use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};

use super::app::TestApp;
use super::database::add_residents;
use super::fixtures::{declaration, nth_couple, nth_person};

/// The path of an application.
pub fn application_path(reference: &str) -> String {
    format!("/v1/registrar/applications/{reference}")
}

/// A registrar's desk at an office: the app, the registrar's token, the office.
pub struct Counter<'a> {
    pub app: &'a TestApp,
    pub token: String,
    pub office: String,
}

impl<'a> Counter<'a> {
    pub fn new(app: &'a TestApp, token: &str, office: &str) -> Counter<'a> {
        Counter {
            app,
            token: token.to_owned(),
            office: office.to_owned(),
        }
    }

    /// A counter of `office` with a new registrar signed in.
    pub async fn open(app: &'a TestApp, office: &str) -> Counter<'a> {
        let token = app.registrar(office).await;
        Counter::new(app, &token, office)
    }

    /// A request with the registrar's token.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.app.authed(method, path, &self.token)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.app.get_authed(path, &self.token).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.app.post_authed(path, &self.token, &body).await
    }

    /// `POST`s `body` to the application's `step`.
    pub async fn step(&self, reference: &str, step: &str, body: Value) -> Response {
        let path = format!("{}/{step}", application_path(reference));
        self.post(&path, body).await
    }

    /// Starts a walk-in application of `parties` at this office.
    pub async fn try_walk_in(&self, parties: Value) -> Response {
        let path = format!("/v1/registrar/offices/{}/walk-ins", self.office);
        self.post(&path, json!({ "parties": parties })).await
    }

    /// A walk-in of `parties`, which must be accepted: its reference.
    pub async fn walk_in(&self, parties: Value) -> String {
        let resp = self.try_walk_in(parties).await;
        assert_eq!(resp.status(), 201);
        let v: Value = resp.json().await.unwrap();
        v["reference"].as_str().unwrap().to_owned()
    }

    /// Couple `n` of unmarried local residents (put in the register first), walked in: checked
    /// in, not yet checked or declared.
    pub async fn walk_in_residents(&self, n: u32) -> String {
        add_residents(
            self.app,
            &[
                (&nth_person(n, true), "王强", "unmarried"),
                (&nth_person(n, false), "李娜", "unmarried"),
            ],
        );
        self.walk_in(nth_couple(n)).await
    }

    pub async fn get_application(&self, reference: &str) -> Response {
        self.get(&application_path(reference)).await
    }

    pub async fn check_in(&self, reference: &str) -> Response {
        let path = format!("{}/check-in", application_path(reference));
        self.request(Method::POST, &path).send().await.unwrap()
    }

    pub async fn try_run_checks(&self, reference: &str) -> Response {
        let path = format!("{}/household-checks", application_path(reference));
        self.request(Method::POST, &path).send().await.unwrap()
    }

    /// Runs the household checks of an application: the summary.
    pub async fn run_checks(&self, reference: &str) -> Value {
        let resp = self.try_run_checks(reference).await;
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }

    /// The registrar's own verification of a party's papers, in place of a check.
    pub async fn verify_manually(
        &self,
        reference: &str,
        party: u8,
        marital_status: &str,
        note: &str,
    ) -> Response {
        let body = json!({"party": party, "marital_status": marital_status, "note": note});
        self.step(reference, "manual-verifications", body).await
    }

    /// A supervisor's override of a party's failed check, with its reason and a court judgment
    /// as its document.
    pub async fn override_check(
        &self,
        reference: &str,
        party: u8,
        reason: &str,
        document_reference: &str,
    ) -> Response {
        let body = json!({"party": party, "reason": reason,
            "document_kind": "court_judgment", "document_reference": document_reference});
        self.step(reference, "check-overrides", body).await
    }

    /// A party's declaration, `body` as given.
    pub async fn declare_as(&self, reference: &str, body: Value) -> Response {
        self.step(reference, "declarations", body).await
    }

    /// A party's declaration, affirming everything.
    pub async fn declare(&self, reference: &str, party: u8) -> Response {
        self.declare_as(reference, declaration(party)).await
    }

    /// Both parties' declarations, which must be recorded.
    pub async fn declare_both(&self, reference: &str) {
        for party in 0..2 {
            assert_eq!(self.declare(reference, party).await.status(), 201);
        }
    }

    /// The registration request, both parties present.
    pub async fn register(&self, reference: &str) -> Response {
        let body = json!({"both_parties_present": true});
        self.step(reference, "registration", body).await
    }

    /// Both declarations, then the registration request.
    pub async fn declare_and_register(&self, reference: &str) -> Response {
        self.declare_both(reference).await;
        self.register(reference).await
    }

    /// Refuses the application for `reason_code`.
    pub async fn refuse(&self, reference: &str, reason_code: &str, note: &str) -> Response {
        let body = json!({"reason_code": reason_code, "note": note});
        self.step(reference, "refusal", body).await
    }

    /// Couple `n` of local residents, walked in, checked and declared: ready to register.
    pub async fn ready(&self, n: u32) -> String {
        let r = self.walk_in_residents(n).await;
        self.run_checks(&r).await;
        self.declare_both(&r).await;
        r
    }

    /// Couple `n` of local residents, registered: the certificate number.
    pub async fn registered(&self, n: u32) -> String {
        let r = self.ready(n).await;
        let resp = self.register(&r).await;
        assert_eq!(resp.status(), 201);
        let v: Value = resp.json().await.unwrap();
        v["certificate_number"].as_str().unwrap().to_owned()
    }
}

/// The events an auditor of `office` finds for the person with ID number `id` (their own
/// office's trail only).
pub async fn trail_of_person(app: &TestApp, office: &str, id: &str) -> Vec<Value> {
    let auditor = Counter::new(app, &app.auditor(office).await, office);
    let resp = auditor
        .post(
            "/v1/registrar/audit-events/search",
            json!({ "id_number": id }),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    v["events"].as_array().unwrap().clone()
}
