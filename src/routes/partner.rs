//! The partner API: signed requests from partner instances, signed answers. No ID number is
//! ever in a URL (verifications are POSTs; registrations are named by certificate number).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::audit::{self, Event};
use crate::db::{self, household, offices, partner as pdb, registration, DbConn};
use crate::errors::{ApiError, InvalidParam};
use crate::extract::parse_json;
use crate::partner::httpsig::{self, Message, RequestParts, ResponseParts};
use crate::partner::notifications::{self, Notification};
use crate::partner::{self, Operation, Partners, Peer, Refusal, RESPONSE_COMPONENTS};
use crate::startup::AppState;
use crate::telemetry::mask;

/// The request as it was signed: method, the target URI partners address (our public URL, or
/// the Host we were reached at), and the header fields.
fn request_parts(req: &HttpRequest, partners: &Partners) -> RequestParts {
    let base = if partners.public_url.is_empty() {
        // The Host the request reached us by, never X-Forwarded-Host / Forwarded: a client
        // could name another region's host there and pass off a request signed for it.
        // Behind a proxy, `partner.public_url` says who we are. This server speaks plain HTTP.
        let host = req
            .headers()
            .get(actix_web::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        format!("http://{host}")
    } else {
        partners.public_url.clone()
    };
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    RequestParts {
        method: req.method().as_str().to_owned(),
        target_uri: format!("{base}{path}"),
        headers: req
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
    }
}

/// Authenticates, or records the refusal in the audit trail and answers 401/403.
fn authenticate<'a>(
    conn: &mut DbConn,
    partners: &'a Partners,
    parts: &RequestParts,
    body: &[u8],
    op: Operation,
) -> Result<(&'a Peer, String), ApiError> {
    let now = chrono::Utc::now().timestamp();
    match partner::authenticate(partners, conn, parts, body, op, now) {
        Ok((peer, sig)) => Ok((peer, sig.label)),
        Err(r) => {
            refused(conn, parts, op, &r);
            Err(ApiError::partner_refused(r.forbidden(), r.code, r.detail))
        }
    }
}

fn refused(conn: &mut DbConn, parts: &RequestParts, op: Operation, r: &Refusal) {
    tracing::warn!(operation = op.name(), code = r.code, key_id = ?r.key_id, "partner request refused");
    let recorded = audit::record(
        conn,
        Event {
            actor_kind: "partner",
            actor_role: None,
            request_id: None,
            actor_id: r.partner.as_deref().or(r.key_id.as_deref()),
            office_id: None,
            action: "partner.request_refused",
            subject_kind: None,
            subject_id: None,
            details: json!({
                "operation": op.name(),
                "key_id": r.key_id,
                "partner": r.partner,
                "reason": r.code,
                "method": parts.method,
                "target_uri": parts.target_uri,
            }),
        },
    );
    if let Err(e) = recorded {
        tracing::error!(error = %e, "cannot audit a refused partner request");
    }
}

/// The audit event of a request a partner made.
fn received<'a>(
    peer: &'a Peer,
    action: &'a str,
    office_id: Option<&'a str>,
    subject: (&'a str, &'a str),
    details: Value,
) -> Event<'a> {
    Event {
        actor_kind: "partner",
        actor_role: None,
        request_id: None,
        actor_id: Some(&peer.name),
        office_id,
        action,
        subject_kind: Some(subject.0),
        subject_id: Some(subject.1),
        details,
    }
}

/// A JSON answer signed with our key, bound to the request's signature (`label`).
fn signed(
    partners: &Partners,
    parts: &RequestParts,
    label: &str,
    status: u16,
    body: &Value,
) -> Result<HttpResponse, ApiError> {
    let bytes = body.to_string().into_bytes();
    let mut res = ResponseParts {
        status,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("content-digest".into(), httpsig::content_digest(&bytes)),
        ],
        request: parts,
    };
    let bound = format!("signature;req;key={label}");
    let mut components = RESPONSE_COMPONENTS[..RESPONSE_COMPONENTS.len() - 1].to_vec();
    components.push(&bound);
    let (input, signature) = partners
        .sign(Message::Response(&res), &components)
        .map_err(ApiError::internal)?;
    res.headers.push(("signature-input".into(), input));
    res.headers.push(("signature".into(), signature));
    let mut out = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status).map_err(ApiError::internal)?,
    );
    for (n, v) in res.headers {
        out.insert_header((n, v));
    }
    Ok(out.body(bytes))
}

/// `POST /v1/partner/household-verifications` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationRequest {
    pub id_number: String,
    pub name: String,
    pub purpose: String,
    pub case: CaseRef,
}

/// Why a partner asks.
#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct CaseRef {
    pub office_id: String,
    pub application_reference: String,
    pub registrar_id: i64,
}

fn validate(v: &VerificationRequest) -> Result<(), ApiError> {
    let mut bad = Vec::new();
    if crate::domain::IdNumber::parse(&v.id_number, crate::clock::today()).is_err() {
        bad.push(InvalidParam::new(
            "id_number",
            "invalid_id_number",
            "a GB 11643 citizen ID number",
        ));
    }
    let len = v.name.trim().chars().count();
    if len == 0 || len > 50 {
        bad.push(InvalidParam::new("name", "invalid_name", "1-50 characters"));
    }
    if v.purpose != "marriage_registration" {
        bad.push(InvalidParam::new(
            "purpose",
            "invalid_purpose",
            "marriage_registration",
        ));
    }
    let text = |s: &str| !s.trim().is_empty() && s.chars().count() <= 64;
    if !text(&v.case.office_id) {
        bad.push(InvalidParam::new(
            "case.office_id",
            "invalid_case",
            "1-64 characters",
        ));
    }
    if !text(&v.case.application_reference) {
        bad.push(InvalidParam::new(
            "case.application_reference",
            "invalid_case",
            "1-64 characters",
        ));
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(bad))
    }
}

/// A partner request's body, read whole (its digest is checked before it is parsed).
struct Body {
    bytes: web::Bytes,
    is_json: bool,
}

impl Body {
    /// The body as `T`, with the problems of the [`crate::extract::Json`] extractor.
    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        if !self.is_json {
            return Err(ApiError::unsupported_media_type("application/json"));
        }
        parse_json(&self.bytes)
    }
}

/// Runs a partner operation: authenticates (refusals audited), runs `handle` on a pooled
/// connection off the async workers, and signs its answer with `status`.
async fn serve<F>(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    op: Operation,
    status: u16,
    handle: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut DbConn, &Peer, &Body) -> Result<Value, ApiError> + Send + 'static,
{
    let parts = request_parts(&req, &state.partners);
    let body = Body {
        bytes: body,
        is_json: crate::extract::is_json(&req),
    };
    let p = parts.clone();
    let st = state.clone();
    let (label, answer) = web::block(move || -> Result<(String, Value), ApiError> {
        let mut conn = db::get(&st.pool)?;
        let (peer, label) = authenticate(&mut conn, &st.partners, &p, &body.bytes, op)?;
        let answer = handle(&mut conn, peer, &body)?;
        Ok((label, answer))
    })
    .await??;
    signed(&state.partners, &parts, &label, status, &answer)
}

/// `POST /v1/partner/household-verifications`
pub async fn household_verification(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let op = Operation::HouseholdVerification;
    serve(req, body, state, op, 200, move |conn, peer, body| {
        let v: VerificationRequest = body.parse()?;
        validate(&v)?;
        let id = v.id_number.trim().to_ascii_uppercase();
        let record = household::find(conn, &id)?;
        let pending = record.is_some() && pdb::has_open_application(conn, &id)?;
        let answer = json!({
            "found": record.is_some(),
            "name_matches": record.as_ref().is_some_and(|r| r.name == v.name.trim()),
            "hukou_division_code": record.as_ref().map(|r| r.hukou_division_code.clone()),
            "marital_status": record.as_ref().map(|r| r.marital_status.clone()),
            "pending_application": pending,
        });
        let masked = mask(&id);
        audit::record(
            conn,
            received(
                peer,
                "partner.household_verification.received",
                None,
                ("person", &masked),
                json!({
                    "partner": peer.name,
                    "key_id": peer.key_id,
                    "operation": op.name(),
                    "purpose": v.purpose,
                    "case": v.case,
                    "result": if record.is_some() { "found" } else { "not_found" },
                }),
            ),
        )?;
        tracing::info!(partner = %peer.name, person = %masked, "partner household verification answered");
        Ok(answer)
    })
    .await
}

/// `POST /v1/partner/notifications`
pub async fn notification(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let op = Operation::Notification;
    serve(req, body, state, op, 202, |conn, peer, body| {
        let n: Notification = body.parse()?;
        notifications::validate(&n)?;
        let applied = notifications::apply(conn, &peer.name, &peer.key_id, &n)?;
        Ok(json!({
            "event_id": n.event_id,
            "status": if applied.duplicate { "duplicate" } else { "accepted" },
            "applied": applied.applied,
        }))
    })
    .await
}

/// `GET /v1/partner/registrations/{certificate_number}`
pub async fn registration_status(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let number = path.into_inner();
    let op = Operation::RegistrationStatus;
    serve(req, web::Bytes::new(), state, op, 200, move |conn, peer, _| {
        let c = registration::certificate(conn, &number)?
            .ok_or_else(|| ApiError::not_found("The certificate"))?;
        let office = offices::find(conn, &c.office_id)?
            .ok_or_else(|| ApiError::not_found("The office"))?;
        let parties = db::appointments::parties(conn, c.appointment_id)?;
        let superseded_by = registration::superseded_by(conn, &number)?;
        let subject = c.appointment_id.to_string();
        audit::record(
            conn,
            received(
                peer,
                "partner.registration_status.received",
                Some(&c.office_id),
                ("appointment", &subject),
                json!({
                    "partner": peer.name,
                    "key_id": peer.key_id,
                    "operation": Operation::RegistrationStatus.name(),
                    "certificate": number,
                    "result": c.status,
                }),
            ),
        )?;
        Ok(json!({
            "certificate_number": c.number,
            "status": c.status,
            "issued_at": crate::clock::rfc3339_utc(c.issued_at),
            "supersedes": c.supersedes,
            "superseded_by": superseded_by,
            "revoked_at": c.revoked_at.map(crate::clock::rfc3339_utc),
            "office": { "id": office.id, "name": office.name, "division_code": office.division_code },
            "parties": parties.iter().map(|p| json!({
                "name": p.name,
                "id_number_masked": mask(&p.id_number),
            })).collect::<Vec<_>>(),
        }))
    })
    .await
}

/// `GET /v1/registrar/partner-deliveries?state=undelivered|all`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    pub state: Option<String>,
}

/// `GET /v1/registrar/partner-deliveries`
pub async fn deliveries(
    state: web::Data<AppState>,
    staff: crate::auth::Staff,
    q: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let all = match q.state.as_deref() {
        None | Some("undelivered") => false,
        Some("all") => true,
        Some(_) => {
            return Err(ApiError::invalid(vec![InvalidParam::new(
                "state",
                "invalid_state",
                "undelivered (default) or all",
            )]))
        }
    };
    let v = crate::routes::with_db(state, move |c, _| notifications::deliveries(c, &staff, all))
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// `POST /v1/registrar/partner-deliveries/{id}/retry`
pub async fn retry_delivery(
    state: web::Data<AppState>,
    staff: crate::auth::Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let v = crate::routes::with_db(state, move |c, _| notifications::retry(c, &staff, id)).await?;
    Ok(HttpResponse::Ok().json(v))
}
