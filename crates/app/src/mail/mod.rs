//! Mail to couples: rendered from `templates/` when the change happens, stored in the outbox in
//! the same transaction, and sent by the outbox worker. Chinese first, then English; an
//! RFC 5545 invitation rides along.

mod html;
pub mod ics;
pub mod transport;

use chrono::NaiveDateTime;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;
use serde::{Deserialize, Serialize};

pub use transport::{MailDrop, Mailer};

/// Which message about an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Confirmation,
    Rescheduled,
    Cancelled,
    Reminder,
}

impl Kind {
    fn template(self) -> &'static str {
        match self {
            Kind::Confirmation => include_str!("../../../../templates/confirmation.txt"),
            Kind::Rescheduled => include_str!("../../../../templates/rescheduled.txt"),
            Kind::Cancelled => include_str!("../../../../templates/cancelled.txt"),
            Kind::Reminder => include_str!("../../../../templates/reminder.txt"),
        }
    }

    fn subject(self, reference: &str) -> String {
        match self {
            Kind::Confirmation => format!("结婚登记预约成功 {reference} / Appointment booked"),
            Kind::Rescheduled => format!("结婚登记预约已改期 {reference} / Appointment moved"),
            Kind::Cancelled => format!("结婚登记预约已取消 {reference} / Appointment cancelled"),
            Kind::Reminder => format!("结婚登记预约提醒 {reference} / Appointment reminder"),
        }
    }
}

/// A rendered message, as stored in the outbox.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// The same message as HTML (older outbox rows have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// The calendar object and its METHOD, when the message carries an invitation.
    pub ics: Option<String>,
    pub ics_method: Option<String>,
}

/// What the templates need about an appointment.
pub struct AppointmentMail<'a> {
    pub reference: &'a str,
    pub sequence: i32,
    pub office_name: &'a str,
    pub office_address: &'a str,
    pub office_phone: &'a str,
    /// Shanghai wall-clock times.
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub names: String,
    /// `(zh, en)` document descriptions.
    pub documents: Vec<(String, String)>,
    pub to: &'a str,
}

fn weekday_zh(t: NaiveDateTime) -> &'static str {
    use chrono::Datelike;
    ["一", "二", "三", "四", "五", "六", "日"][t.weekday().num_days_from_monday() as usize]
}

/// Renders the message and, except for reminders, its invitation.
pub fn render(kind: Kind, m: &AppointmentMail<'_>, from: &Mailbox) -> Email {
    let start_zh = format!(
        "{}（星期{}）{}-{}",
        m.start.format("%Y年%m月%d日"),
        weekday_zh(m.start),
        m.start.format("%H:%M"),
        m.end.format("%H:%M")
    );
    let start_en = format!(
        "{} {}-{}",
        m.start.format("%A %-d %B %Y"),
        m.start.format("%H:%M"),
        m.end.format("%H:%M")
    );
    let docs_zh: Vec<String> = m
        .documents
        .iter()
        .map(|(zh, _)| format!("- {zh}"))
        .collect();
    let docs_en: Vec<String> = m
        .documents
        .iter()
        .map(|(_, en)| format!("- {en}"))
        .collect();
    let text = kind
        .template()
        .replace("{reference}", m.reference)
        .replace("{office}", m.office_name)
        .replace("{address}", m.office_address)
        .replace("{phone}", m.office_phone)
        .replace("{start_zh}", &start_zh)
        .replace("{start_en}", &start_en)
        .replace("{names}", &m.names)
        .replace("{documents_zh}", &docs_zh.join("\n"))
        .replace("{documents_en}", &docs_en.join("\n"));
    let (ics, ics_method) = if kind == Kind::Reminder {
        (None, None)
    } else {
        let summary = format!(
            "结婚登记预约 {} / Marriage registration appointment",
            m.reference
        );
        let location = format!("{}，{}", m.office_name, m.office_address);
        let description = format!(
            "预约号 {}。请携带：{}\nReference {}. Bring: {}",
            m.reference,
            m.documents
                .iter()
                .map(|(zh, _)| zh.as_str())
                .collect::<Vec<_>>()
                .join("；"),
            m.reference,
            m.documents
                .iter()
                .map(|(_, en)| en.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        );
        let invite = ics::Invite {
            uid: format!("{}@hunyin", m.reference),
            sequence: m.sequence,
            cancelled: kind == Kind::Cancelled,
            start: m.start,
            end: m.end,
            stamp_utc: crate::clock::now(),
            summary: &summary,
            location: &location,
            description: &description,
            organizer_name: from.name.as_deref().unwrap_or("hunyin"),
            organizer_email: from.email.as_ref(),
            attendee_email: m.to,
        };
        (
            Some(ics::render(&invite)),
            Some(ics::method(&invite).to_owned()),
        )
    };
    let (heading_zh, heading_en) = html::heading(kind);
    let html = html::render(&html::AppointmentHtml {
        heading_zh,
        heading_en,
        reference: m.reference,
        office: m.office_name,
        address: m.office_address,
        phone: m.office_phone,
        start_zh: &start_zh,
        start_en: &start_en,
        names: &m.names,
        documents: &m.documents,
        cancelled: kind == Kind::Cancelled,
        invitation: ics.is_some(),
    });
    Email {
        to: m.to.to_owned(),
        subject: kind.subject(m.reference),
        text,
        html,
        ics,
        ics_method,
    }
}

/// The notice that a marriage was registered (no invitation: it has happened).
pub fn registered(
    to: &str,
    names: &str,
    office: &str,
    certificate: &str,
    local: NaiveDateTime,
) -> Email {
    let date_zh = local.format("%Y年%m月%d日").to_string();
    let date_en = local.format("%-d %B %Y").to_string();
    let text = include_str!("../../../../templates/registered.txt")
        .replace("{names}", names)
        .replace("{office}", office)
        .replace("{certificate}", certificate)
        .replace("{date_zh}", &date_zh)
        .replace("{date_en}", &date_en);
    let html = html::render(&html::RegisteredHtml {
        office,
        names,
        certificate,
        date_zh: &date_zh,
        date_en: &date_en,
    });
    Email {
        to: to.to_owned(),
        subject: format!("结婚登记完成 {certificate} / Marriage registered"),
        text,
        html,
        ics: None,
        ics_method: None,
    }
}

/// Builds the MIME message: text/plain (with its text/html alternative when there is one), plus
/// a text/calendar part when there is an invitation.
pub fn to_message(email: &Email, from: &Mailbox) -> Result<Message, String> {
    let to: Mailbox = email.to.parse().map_err(|e| format!("recipient: {e}"))?;
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone());
    let plain = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(email.text.clone());
    let alternative = email.html.as_ref().map(|html| {
        MultiPart::alternative()
            .singlepart(plain.clone())
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(html.clone()),
            )
    });
    let calendar = match (&email.ics, &email.ics_method) {
        (Some(ics), Some(method)) => {
            let calendar_type =
                ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                    .map_err(|e| e.to_string())?;
            Some(
                SinglePart::builder()
                    .header(calendar_type)
                    .header(lettre::message::header::ContentDisposition::attachment(
                        "invite.ics",
                    ))
                    .body(ics.clone()),
            )
        }
        _ => None,
    };
    let message = match (alternative, calendar) {
        (None, None) => builder.singlepart(plain),
        (Some(alt), None) => builder.multipart(alt),
        (None, Some(cal)) => {
            builder.multipart(MultiPart::mixed().singlepart(plain).singlepart(cal))
        }
        (Some(alt), Some(cal)) => {
            builder.multipart(MultiPart::mixed().multipart(alt).singlepart(cal))
        }
    };
    message.map_err(|e| e.to_string())
}
