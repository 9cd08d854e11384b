//! Request extractors whose failures are our problem+json, naming the offending field.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;

use crate::problem::ApiError;
use hunyin_app::{AppError, InvalidParam};

/// A JSON body. Wrong content type is 415, too large 413, not JSON 400 `malformed_json`, and
/// JSON of the wrong shape 400 `invalid_request` with the field's path (`parties[1].name`).
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = is_json(req);
        let limit = req.app_data::<BodyLimit>().map(|l| l.0);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(AppError::unsupported_media_type("application/json").into());
            }
            let body = bytes
                .await
                .map_err(|e| match e.as_error::<PayloadError>() {
                    Some(PayloadError::Overflow) => AppError::payload_too_large(limit),
                    _ => match e.as_response_error().status_code().as_u16() {
                        413 => AppError::payload_too_large(limit),
                        _ => AppError::bad_request(),
                    },
                })?;
            Ok(parse_json(&body).map(Json)?)
        })
    }
}

/// Whether the request says its body is JSON (`application/json` or a `+json` type).
pub fn is_json(req: &HttpRequest) -> bool {
    req.mime_type().ok().flatten().is_some_and(|m| {
        m.type_() == "application"
            && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
    })
}

/// The configured body limit, shared with extractors for their messages.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// Deserialises `body`, turning serde's error into our problem with the field's path.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if !inner.is_data() {
            return AppError::malformed_json(&inner.to_string());
        }
        // A shape error found before a syntax error further on: the body is still not JSON.
        if let Err(syntax) = serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            return AppError::malformed_json(&syntax.to_string());
        }
        AppError::invalid(vec![data_error(&path, &inner.to_string())])
    })?;
    de.end()
        .map_err(|e| AppError::malformed_json(&e.to_string()))?;
    // A NUL character (`\u0000`) in any string: PostgreSQL's text cannot hold it (it would
    // fail the statement: a 500), SQLite's can; refused here so both engines answer alike.
    if body.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        if let Some(path) = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| nul_path(&v, String::new()))
        {
            return Err(AppError::invalid(vec![InvalidParam::new(
                path,
                "nul_character",
                "no NUL (U+0000) characters in text",
            )]));
        }
    }
    Ok(value)
}

/// The path (`a.b[1]`) of the first string or key holding a NUL character.
fn nul_path(v: &serde_json::Value, here: String) -> Option<String> {
    let name = |here: &str| {
        if here.is_empty() {
            "body".to_owned()
        } else {
            here.to_owned()
        }
    };
    match v {
        serde_json::Value::String(s) if s.contains('\0') => Some(name(&here)),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| nul_path(x, format!("{here}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| {
            let at = if here.is_empty() {
                k.clone()
            } else {
                format!("{here}.{k}")
            };
            if k.contains('\0') {
                Some(at)
            } else {
                nul_path(x, at)
            }
        }),
        _ => None,
    }
}

/// Names the field and classifies serde's message into a stable code.
fn data_error(path: &str, message: &str) -> InvalidParam {
    let reason = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned();
    let quoted = reason.split('`').nth(1).unwrap_or("").to_owned();
    let join = |field: &str| match path {
        "." | "" => field.to_owned(),
        p => format!("{p}.{field}"),
    };
    let here = match path {
        "." | "" => "body".to_owned(),
        p => p.to_owned(),
    };
    if reason.starts_with("missing field") {
        InvalidParam::new(join(&quoted), "missing_field", reason)
    } else if reason.starts_with("unknown field") {
        // serde_path_to_error's path already ends at the unknown field.
        InvalidParam::new(here, "unknown_field", reason)
    } else if reason.starts_with("invalid type") {
        InvalidParam::new(here, "invalid_type", reason)
    } else if reason.starts_with("invalid length") {
        InvalidParam::new(here, "invalid_length", reason)
    } else {
        InvalidParam::new(here, "invalid_value", reason)
    }
}

/// An optional `YYYY-MM-DD` parameter named `name`: `default` when absent, 400 `invalid_date`
/// when malformed.
pub fn date_param(
    name: &str,
    v: Option<&str>,
    default: chrono::NaiveDate,
) -> Result<chrono::NaiveDate, ApiError> {
    match v {
        None => Ok(default),
        Some(s) => hunyin_app::clock::parse_date(s).ok_or_else(|| {
            ApiError::invalid(vec![InvalidParam::new(
                name,
                "invalid_date",
                "a date YYYY-MM-DD",
            )])
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Party {
        name: String,
        age: u8,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        parties: Vec<Party>,
    }

    fn first_param(body: &str) -> InvalidParam {
        let err = parse_json::<Body>(body.as_bytes()).unwrap_err();
        assert_eq!(err.code, "invalid_request");
        err.invalid_params[0].clone()
    }

    #[test]
    fn missing_field_is_named_with_its_path() {
        let p = first_param(r#"{"parties":[{"name":"a","age":1},{"age":2}]}"#);
        assert_eq!(
            (p.name.as_str(), p.code.as_str()),
            ("parties[1].name", "missing_field")
        );
    }

    #[test]
    fn wrong_type_is_named_with_its_path() {
        let p = first_param(r#"{"parties":[{"name":"a","age":"x"}]}"#);
        assert_eq!(
            (p.name.as_str(), p.code.as_str()),
            ("parties[0].age", "invalid_type")
        );
    }

    #[test]
    fn unknown_field_is_named() {
        let p = first_param(r#"{"parties":[{"name":"a","age":1,"x":0}]}"#);
        assert_eq!(
            (p.name.as_str(), p.code.as_str()),
            ("parties[0].x", "unknown_field")
        );
    }

    #[test]
    fn top_level_missing_field() {
        let p = first_param("{}");
        assert_eq!(
            (p.name.as_str(), p.code.as_str()),
            ("parties", "missing_field")
        );
    }

    #[test]
    fn syntax_error_is_malformed_json() {
        let err = parse_json::<Body>(b"{\"parties\": [").unwrap_err();
        assert_eq!(err.code, "malformed_json");
        let err = parse_json::<Body>(b"{\"parties\": []} trailing").unwrap_err();
        assert_eq!(err.code, "malformed_json");
    }
}
