//! Reading a posted form: its token checked first ([`csrf`]), then its fields; and the errors a
//! page shows beside the fields they concern, with a summary at the top (the GOV.UK Design
//! System's error pattern).

use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use serde::de::DeserializeOwned;

use crate::csrf;
use crate::lang::Lang;
use crate::page::PageError;

/// The form of `body`, once its token is checked. A form that cannot be read is a 400 page;
/// one with a wrong token or from another site is a 403 page. Nothing is read before the
/// token is checked.
pub fn read<T: DeserializeOwned>(req: &HttpRequest, body: &[u8]) -> Result<T, PageError> {
    let lang = Lang::of(req);
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| unreadable(lang))?;
    let token = pairs
        .iter()
        .find(|(k, _)| k == csrf::FIELD)
        .map(|(_, v)| v.as_str());
    csrf::check(req, token).map_err(|refused| {
        tracing::warn!(?refused, path = req.path(), "form refused");
        PageError::csrf(lang)
    })?;
    serde_urlencoded::from_bytes(body).map_err(|_| unreadable(lang))
}

fn unreadable(lang: Lang) -> PageError {
    PageError::new(
        StatusCode::BAD_REQUEST,
        lang,
        "无法读取提交的表单。请返回上一页重新填写。",
        "The form could not be read. Go back and fill it in again.",
    )
}

/// One error beside a field: the field's `id` (the summary links to it) and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub id: String,
    pub message: String,
}

/// The errors of one form.
#[derive(Debug, Clone, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn push(&mut self, id: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            id: id.into(),
            message: message.into(),
        });
    }

    /// The first message for field `id`, if any.
    pub fn of(&self, id: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.message.as_str())
    }

    /// Every error, for the summary.
    pub fn all(&self) -> &[FieldError] {
        &self.0
    }
}

/// The HTML id of an API parameter name: `parties[1].id_number` -> `parties-1-id_number`.
pub fn field_id(param: &str) -> String {
    let mut out = String::with_capacity(param.len());
    for c in param.chars() {
        match c {
            '[' | '.' => out.push('-'),
            ']' => {}
            c if c.is_ascii_alphanumeric() || c == '_' || c == '-' => out.push(c),
            _ => out.push('_'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_parameter_names_become_html_ids() {
        assert_eq!(field_id("parties[1].id_number"), "parties-1-id_number");
        assert_eq!(field_id("date"), "date");
        assert_eq!(field_id("a\"><x"), "a___x");
    }
}
