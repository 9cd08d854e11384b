//! HTTP helpers on `TestApp`, one per endpoint the tests call often, and readers of answers.

use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};

use super::app::TestApp;
use super::database::slot_today;

impl TestApp {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_healthz(&self) -> Response {
        self.get("/healthz").await
    }

    pub async fn get_readyz(&self) -> Response {
        self.get("/readyz").await
    }

    pub async fn get_metrics(&self) -> String {
        self.get("/metrics")
            .await
            .text()
            .await
            .expect("metrics body")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_eligibility(&self, body: &Value) -> Response {
        self.post_json("/v1/eligibility", body).await
    }

    /// A request with a bearer token.
    pub fn authed(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    /// `POST`s `body` with a bearer token.
    pub async fn post_authed(&self, path: &str, token: &str, body: &Value) -> Response {
        self.authed(Method::POST, path, token)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    /// `GET`s with a bearer token.
    pub async fn get_authed(&self, path: &str, token: &str) -> Response {
        self.authed(Method::GET, path, token)
            .send()
            .await
            .expect("request sent")
    }

    /// The bookable slots of an office (the whole listing window).
    pub async fn slots(&self, office: &str) -> Vec<Value> {
        let resp = self.get(&format!("/v1/offices/{office}/slots")).await;
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().await.expect("slots JSON");
        v["slots"].as_array().expect("slots list").clone()
    }

    /// The id of an office's first bookable slot.
    pub async fn first_slot(&self, office: &str) -> String {
        self.slots(office).await[0]["id"]
            .as_str()
            .expect("slot id")
            .to_owned()
    }

    /// One slot's `remaining`, read back from the listing.
    pub async fn remaining(&self, office: &str, slot_id: &str) -> i64 {
        self.slots(office)
            .await
            .iter()
            .find(|s| s["id"] == slot_id)
            .map(|s| s["remaining"].as_i64().expect("remaining"))
            .expect("slot still listed")
    }

    pub async fn book(&self, office: &str, slot_id: &str, parties: Value) -> Response {
        let emails = fresh_emails();
        self.book_with(office, slot_id, parties, [&emails[0], &emails[1]])
            .await
    }

    /// Books with each party's own email.
    pub async fn book_with(
        &self,
        office: &str,
        slot_id: &str,
        parties: Value,
        emails: [&str; 2],
    ) -> Response {
        self.post_json(
            "/v1/appointments",
            &json!({
                "office_id": office,
                "slot_id": slot_id,
                "parties": parties,
                "contact": {"emails": emails, "phone": "138 0000 0000"},
            }),
        )
        .await
    }

    /// `POST /v1/confirmations` with a link's secret.
    pub async fn confirm(&self, token: &str) -> Response {
        self.post_json("/v1/confirmations", &json!({ "token": token }))
            .await
    }

    /// Confirms both parties of a hold booked with `emails`, from the links mailed to them;
    /// the answer of the second confirmation.
    pub async fn confirm_both(&self, emails: [&str; 2]) -> Value {
        let mut last = Value::Null;
        for e in emails {
            let token = self.confirmation_token(e).await;
            let resp = self.confirm(&token).await;
            assert_eq!(resp.status(), 200, "confirming {e}");
            last = resp.json().await.expect("confirmation JSON");
        }
        assert_eq!(last["status"], "booked", "{last}");
        last
    }

    /// Books `parties` into `slot_id` and confirms both parties (contact mode), which must
    /// succeed: the booking answer.
    pub async fn booked(&self, office: &str, slot_id: &str, parties: Value) -> Value {
        let emails = fresh_emails();
        let resp = self
            .book_with(office, slot_id, parties, [&emails[0], &emails[1]])
            .await;
        assert_eq!(resp.status(), 201);
        let v: Value = resp.json().await.expect("booking JSON");
        assert_eq!(v["status"], "pending_confirmation", "{v}");
        self.confirm_both([&emails[0], &emails[1]]).await;
        v
    }

    /// Books `parties` into the office's first slot and moves that slot to start in a minute,
    /// so the appointment is today's: its reference.
    pub async fn booked_today(&self, office: &str, parties: Value) -> String {
        let slot = self.first_slot(office).await;
        let v = self.booked(office, &slot, parties).await;
        slot_today(self, &slot);
        reference_and_token(&v).0.to_owned()
    }

    /// `PATCH` the appointment to `slot_id` with its token.
    pub async fn reschedule(&self, reference: &str, token: &str, slot_id: &str) -> Response {
        self.appointment(Method::PATCH, reference, Some(token))
            .json(&json!({ "slot_id": slot_id }))
            .send()
            .await
            .expect("request sent")
    }

    /// `GET` the appointment, with its token or another.
    pub async fn view_appointment(&self, reference: &str, token: Option<&str>) -> Response {
        self.appointment(Method::GET, reference, token)
            .send()
            .await
            .expect("request sent")
    }

    /// Cancels the appointment with its token.
    pub async fn cancel(&self, reference: &str, token: &str) -> Response {
        self.appointment(Method::DELETE, reference, Some(token))
            .send()
            .await
            .expect("request sent")
    }

    pub fn appointment(
        &self,
        method: Method,
        reference: &str,
        token: Option<&str>,
    ) -> RequestBuilder {
        let mut rb = self
            .client
            .request(method, self.url(&format!("/v1/appointments/{reference}")));
        if let Some(t) = token {
            rb = rb.header("x-manage-token", t);
        }
        rb
    }

    pub async fn post_sign_in(&self, username: &str, password: &str) -> Response {
        self.post_json(
            "/v1/registrar/sessions",
            &json!({ "username": username, "password": password }),
        )
        .await
    }

    /// Signs in and returns the bearer token.
    pub async fn sign_in(&self, username: &str, password: &str) -> String {
        let resp = self.post_sign_in(username, password).await;
        assert_eq!(resp.status(), 201);
        let v: Value = resp.json().await.expect("session JSON");
        v["token"].as_str().expect("token").to_owned()
    }

    /// A new member of staff of `office` with `role`, signed in: the bearer token.
    pub async fn staff_token(&self, office: &str, role: &str) -> String {
        let username = format!("{role}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let password = format!("{role}-password");
        self.add_staff(office, role, &username, &password);
        self.sign_in(&username, &password).await
    }

    /// A registrar of `office`, signed in.
    pub async fn registrar(&self, office: &str) -> String {
        self.staff_token(office, "registrar").await
    }

    /// A supervisor of `office`, signed in.
    pub async fn supervisor(&self, office: &str) -> String {
        self.staff_token(office, "supervisor").await
    }

    /// An auditor of `office`, signed in.
    pub async fn auditor(&self, office: &str) -> String {
        self.staff_token(office, "auditor").await
    }
}

/// Reads a problem+json answer, checking its media type and required members.
pub async fn problem(resp: Response) -> Value {
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(ct, "application/problem+json", "status {status}");
    let header_id = resp
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = resp.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status, "{body}");
    for member in ["type", "title", "title_zh", "detail", "detail_zh", "code"] {
        assert!(body[member].is_string(), "problem lacks {member}: {body}");
    }
    assert_eq!(body["request_id"].as_str(), header_id.as_deref(), "{body}");
    body
}

/// The `id`s of an answer's `offices` list.
pub fn office_ids(v: &Value) -> Vec<&str> {
    v["offices"]
        .as_array()
        .expect("offices is a list")
        .iter()
        .map(|o| o["id"].as_str().expect("office id"))
        .collect()
}

/// Reference and manage token of a booking answer.
pub fn reference_and_token(v: &Value) -> (&str, &str) {
    (
        v["reference"].as_str().expect("reference"),
        v["manage_token"].as_str().expect("manage token"),
    )
}

/// Two emails no other booking of the suite uses (each party's own contact).
pub fn fresh_emails() -> [String; 2] {
    let id = uuid::Uuid::new_v4().simple().to_string();
    [
        format!("a-{}@example.com", &id[..12]),
        format!("b-{}@example.com", &id[..12]),
    ]
}
