//! Answers compared in full, for the no-oracle tests: status, headers (but those that differ
//! per answer) and the shape of the JSON body.

use std::collections::BTreeMap;

use reqwest::Response;
use serde_json::{json, Value};

/// Keys and value kinds of a JSON answer, recursively (values themselves differ).
pub fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("bool"),
        Value::Null => Value::Null,
    }
}

/// Status, headers (but those that differ per answer) and body shape.
pub async fn answer(resp: Response) -> (u16, BTreeMap<String, String>, Value) {
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .filter(|(k, _)| {
            !["date", "x-request-id", "location", "content-length"].contains(&k.as_str())
        })
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    let body: Value = resp.json().await.unwrap();
    (status, headers, shape(&body))
}
