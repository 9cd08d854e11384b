//! The partner API: signed requests from partner instances, signed answers. No ID number is
//! ever in a URL (verifications are POSTs; registrations are named by certificate number).

use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use hunyin_app::{partner_auth, partner_inbound, partner_outbound, AppError, DbConn, InvalidParam};
use hunyin_partner::httpsig::{self, Message, RequestParts, ResponseParts};
use hunyin_partner::{Operation, Partners, Peer, RESPONSE_COMPONENTS};

use crate::extract::parse_json;
use crate::middleware::RequestId;
use crate::problem::ApiError;
use crate::state::WebState;

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

/// An answer signed with our key, bound to the request's signature (`label`).
fn signed_bytes(
    partners: &Partners,
    parts: &RequestParts,
    label: &str,
    status: u16,
    content_type: &str,
    bytes: Vec<u8>,
) -> Result<HttpResponse, AppError> {
    let mut res = ResponseParts {
        status,
        headers: vec![
            ("content-type".into(), content_type.into()),
            ("content-digest".into(), httpsig::content_digest(&bytes)),
        ],
        request: parts,
    };
    let bound = format!("signature;req;key={label}");
    let mut components = RESPONSE_COMPONENTS[..RESPONSE_COMPONENTS.len() - 1].to_vec();
    components.push(&bound);
    let (input, signature) = partners
        .sign(Message::Response(&res), &components)
        .map_err(AppError::internal)?;
    res.headers.push(("signature-input".into(), input));
    res.headers.push(("signature".into(), signature));
    let mut out = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status).map_err(AppError::internal)?,
    );
    for (n, v) in res.headers {
        out.insert_header((n, v));
    }
    Ok(out.body(bytes))
}

/// A JSON answer, signed.
fn signed(
    partners: &Partners,
    parts: &RequestParts,
    label: &str,
    status: u16,
    body: &impl Serialize,
) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(AppError::internal)?;
    Ok(signed_bytes(
        partners,
        parts,
        label,
        status,
        "application/json",
        bytes,
    )?)
}

/// A problem answer, signed and bound to the request's signature (`label`, or the one the
/// request carries when it was refused), so that the partner can tell our refusals from
/// anyone else's. A request without a readable signature gets the problem unsigned.
async fn signed_problem(
    req: &HttpRequest,
    partners: &Partners,
    parts: &RequestParts,
    label: Option<String>,
    e: AppError,
) -> Result<HttpResponse, ApiError> {
    let problem = ApiError::from(e);
    let label = label.or_else(|| httpsig::read(&parts.headers).ok().map(|r| r.label));
    let Some(label) = label else {
        return Err(problem);
    };
    let id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let rendered = problem.render(id.as_deref(), Some(req.path()));
    let status = rendered.status().as_u16();
    let extra: Vec<_> = rendered
        .headers()
        .iter()
        .filter(|(n, _)| *n != CONTENT_TYPE && *n != CONTENT_LENGTH)
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    let Ok(bytes) = actix_web::body::to_bytes(rendered.into_body()).await else {
        return Err(problem);
    };
    let ct = "application/problem+json";
    match signed_bytes(partners, parts, &label, status, ct, bytes.to_vec()) {
        Ok(mut res) => {
            for (n, v) in extra {
                res.headers_mut().insert(n, v);
            }
            Ok(res)
        }
        Err(_) => Err(problem),
    }
}

/// A partner request's body, read whole (its digest is checked before it is parsed).
struct Body {
    bytes: web::Bytes,
    is_json: bool,
}

impl Body {
    /// The body as `T`, with the problems of the [`crate::extract::Json`] extractor.
    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, AppError> {
        if !self.is_json {
            return Err(AppError::unsupported_media_type("application/json"));
        }
        parse_json(&self.bytes)
    }
}

/// Runs a partner operation: authenticates (refusals audited), runs `handle` on a pooled
/// connection off the async workers, and signs its answer with `status`.
async fn serve<T, F>(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<WebState>,
    op: Operation,
    status: u16,
    handle: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut DbConn, &Peer, &Body) -> Result<T, AppError> + Send + 'static,
{
    let parts = request_parts(&req, &state.partners);
    if let Err(limited) = crate::ratelimit::limit(&state, &req, "partner").await {
        // Signed like every other refusal, so a partner can believe it (nothing is verified).
        return signed_problem(&req, &state.partners, &parts, None, limited.problem).await;
    }
    let body = Body {
        bytes: body,
        is_json: crate::extract::is_json(&req),
    };
    let p = parts.clone();
    let st = state.clone();
    // The label of the request's signature once it is authenticated, and the answer.
    let (label, answer) = web::block(move || -> (Option<String>, Result<T, AppError>) {
        let mut conn = match st.conn() {
            Ok(c) => c,
            Err(e) => return (None, Err(e)),
        };
        if op == Operation::Notification {
            // The notification applies its change in its own transaction, after the nonce's.
            return match partner_auth::authenticate(&mut conn, &st.partners, &p, &body.bytes, op) {
                Ok((peer, label)) => (Some(label), handle(&mut conn, peer, &body)),
                Err(e) => (None, Err(e)),
            };
        }
        // A read commits once: the nonce with the audit event of the answer or the refusal.
        partner_auth::read_once(&mut conn, &st.partners, &p, &body.bytes, op, |c, peer| {
            handle(c, peer, &body)
        })
    })
    .await?;
    match (label, answer) {
        (Some(label), Ok(answer)) => signed(&state.partners, &parts, &label, status, &answer),
        (label, Err(e)) => signed_problem(&req, &state.partners, &parts, label, e).await,
        (None, Ok(_)) => Err(AppError::internal("an answer without authentication").into()),
    }
}

/// `POST /v1/partner/household-verifications`
pub async fn household_verification(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<WebState>,
) -> Result<HttpResponse, ApiError> {
    let op = Operation::HouseholdVerification;
    serve(req, body, state, op, 200, |conn, peer, body| {
        partner_inbound::household_verification(conn, peer, &body.parse()?)
    })
    .await
}

/// `POST /v1/partner/notifications`
pub async fn notification(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<WebState>,
) -> Result<HttpResponse, ApiError> {
    let op = Operation::Notification;
    serve(req, body, state, op, 202, |conn, peer, body| {
        partner_inbound::notification(conn, peer, &body.parse()?)
    })
    .await
}

/// `GET /v1/partner/registrations/{certificate_number}`
pub async fn registration_status(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<WebState>,
) -> Result<HttpResponse, ApiError> {
    let number = path.into_inner();
    let op = Operation::RegistrationStatus;
    serve(
        req,
        web::Bytes::new(),
        state,
        op,
        200,
        move |conn, peer, _| partner_inbound::registration_status(conn, peer, &number),
    )
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
    state: web::Data<WebState>,
    crate::staff::SignedIn(staff): crate::staff::SignedIn,
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
    let v = crate::routes::with_db(state, move |c, _| {
        partner_outbound::deliveries(c, &staff, all)
    })
    .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// `POST /v1/registrar/partner-deliveries/{id}/retry`
pub async fn retry_delivery(
    state: web::Data<WebState>,
    crate::staff::SignedIn(staff): crate::staff::SignedIn,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let v =
        crate::routes::with_db(state, move |c, _| partner_outbound::retry(c, &staff, id)).await?;
    Ok(HttpResponse::Ok().json(v))
}
