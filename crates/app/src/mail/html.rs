//! The HTML part of couples' mail, beside the text part: askama templates
//! (`crates/app/templates/mail/`), compile-checked like the pages, every value escaped.
//! Inline styles only (mail readers drop style sheets); Chinese first, then English.

use askama::Template;

use super::Kind;

#[derive(Template)]
#[template(path = "mail/appointment.html")]
pub(super) struct AppointmentHtml<'a> {
    pub heading_zh: &'a str,
    pub heading_en: &'a str,
    pub reference: &'a str,
    pub office: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub start_zh: &'a str,
    pub start_en: &'a str,
    pub names: &'a str,
    /// `(zh, en)` descriptions.
    pub documents: &'a [(String, String)],
    pub cancelled: bool,
    pub invitation: bool,
}

#[derive(Template)]
#[template(path = "mail/registered.html")]
pub(super) struct RegisteredHtml<'a> {
    pub office: &'a str,
    pub names: &'a str,
    pub certificate: &'a str,
    pub date_zh: &'a str,
    pub date_en: &'a str,
}

/// The heading of each kind of appointment mail, `(zh, en)`.
pub(super) fn heading(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Confirmation => (
            "您的结婚登记预约已成功",
            "Your marriage registration appointment is booked",
        ),
        Kind::Rescheduled => ("您的结婚登记预约已改期", "Your appointment has been moved"),
        Kind::Cancelled => ("您的结婚登记预约已取消", "Your appointment is cancelled"),
        Kind::Reminder => ("结婚登记预约提醒", "A reminder of your appointment"),
    }
}

/// A template's HTML, or none when it cannot be rendered (the text part still goes out).
pub(super) fn render(t: &impl Template) -> Option<String> {
    match t.render() {
        Ok(html) => Some(html),
        Err(e) => {
            tracing::error!(error = %e, "mail template failed; sending the text part only");
            None
        }
    }
}
