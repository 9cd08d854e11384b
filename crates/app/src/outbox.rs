//! What the outbox carries and how one message is delivered. Messages are written in the
//! transaction of the change that causes them; the worker of the binary claims due ones, calls
//! [`deliver`], and retries failures with exponential backoff. Delivery is at least once;
//! receivers are idempotent (a calendar client keys invitations on UID and SEQUENCE, a partner
//! on the event id).

use std::time::Duration;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use hunyin_store::{self as db, DbConn};

use crate::context::AppContext;
use crate::mail::{self, Email, Mailer};
use crate::partner_outbound::Outgoing;

/// Payload of a reminder: which appointment, at which version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reminder {
    pub reference: String,
    pub sequence: i32,
}

/// One message of the outbox.
#[derive(Debug, Clone)]
pub enum OutboxMessage {
    /// A mail rendered when it was caused.
    Email(Email),
    /// A reminder, rendered when due from the appointment as it is then.
    Reminder(Reminder),
    /// A registration event for a partner region.
    PartnerNotification(Outgoing),
}

impl OutboxMessage {
    /// Stored kind of [`OutboxMessage::Email`].
    pub const EMAIL: &'static str = "email";
    /// Stored kind of [`OutboxMessage::Reminder`].
    pub const REMINDER: &'static str = "reminder";
    /// Stored kind of [`OutboxMessage::PartnerNotification`].
    pub const PARTNER_NOTIFICATION: &'static str = "partner_notification";

    /// The stored kind.
    pub fn kind(&self) -> &'static str {
        match self {
            OutboxMessage::Email(_) => Self::EMAIL,
            OutboxMessage::Reminder(_) => Self::REMINDER,
            OutboxMessage::PartnerNotification(_) => Self::PARTNER_NOTIFICATION,
        }
    }

    /// The office the message belongs to, when its listing is per office (a partner
    /// notification: the registering office).
    fn office(&self) -> Option<&str> {
        match self {
            OutboxMessage::PartnerNotification(m) => Some(&m.notification.office.id),
            OutboxMessage::Email(_) | OutboxMessage::Reminder(_) => None,
        }
    }

    /// The stored payload (JSON).
    fn payload(&self) -> Result<String, serde_json::Error> {
        match self {
            OutboxMessage::Email(m) => serde_json::to_string(m),
            OutboxMessage::Reminder(m) => serde_json::to_string(m),
            OutboxMessage::PartnerNotification(m) => serde_json::to_string(m),
        }
    }

    /// Reads a stored message back.
    pub fn parse(kind: &str, payload: &str) -> Result<OutboxMessage, String> {
        let e = |e: serde_json::Error| e.to_string();
        match kind {
            Self::EMAIL => serde_json::from_str(payload)
                .map(OutboxMessage::Email)
                .map_err(e),
            Self::REMINDER => serde_json::from_str(payload)
                .map(OutboxMessage::Reminder)
                .map_err(e),
            Self::PARTNER_NOTIFICATION => serde_json::from_str(payload)
                .map(OutboxMessage::PartnerNotification)
                .map_err(e),
            other => Err(format!("unknown outbox kind {other:?}")),
        }
    }

    /// Queues the message in the caller's transaction, due at `available_at` (UTC).
    pub fn enqueue(
        &self,
        conn: &mut DbConn,
        available_at: NaiveDateTime,
        now: NaiveDateTime,
    ) -> diesel::QueryResult<()> {
        let payload = self
            .payload()
            .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
        db::outbox::enqueue_for(
            conn,
            self.kind(),
            &payload,
            self.office(),
            available_at,
            now,
        )
    }
}

/// Queues messages, each due at its time (UTC), in the caller's transaction: two in one
/// statement, the rest one by one.
pub fn enqueue_all(
    conn: &mut DbConn,
    messages: &[(OutboxMessage, NaiveDateTime)],
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    let ser = |e: serde_json::Error| diesel::result::Error::SerializationError(Box::new(e));
    if let [(a, at_a), (b, at_b)] = messages {
        let row = |m: &OutboxMessage, available_at: NaiveDateTime| {
            Ok::<_, diesel::result::Error>(db::outbox::NewMessage {
                kind: m.kind(),
                payload: m.payload().map_err(ser)?,
                office_id: m.office().map(str::to_owned),
                created_at: now,
                available_at,
                attempts: 0,
            })
        };
        return db::outbox::enqueue_two(conn, [row(a, *at_a)?, row(b, *at_b)?]);
    }
    for (m, at) in messages {
        m.enqueue(conn, *at, now)?;
    }
    Ok(())
}

/// How often, and how far apart, a failing message is tried again.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: i32,
    pub retry_base_secs: u64,
    pub retry_max_secs: u64,
}

/// Delay before retry number `attempts` (1-based): base * 2^(attempts-1), capped.
pub fn backoff(settings: &RetryPolicy, attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let secs = settings
        .retry_base_secs
        .saturating_mul(2u64.saturating_pow(exp))
        .min(settings.retry_max_secs);
    Duration::from_secs(secs)
}

/// Delivers one claimed message: an email is sent, a reminder rendered from the appointment as
/// it is now (or dropped when it is obsolete), a partner notification posted and acknowledged.
pub fn deliver(
    ctx: &AppContext,
    mailer: &Mailer,
    agent: &ureq::Agent,
    conn: &mut DbConn,
    kind: &str,
    payload: &str,
) -> Result<(), String> {
    let email = match OutboxMessage::parse(kind, payload)? {
        OutboxMessage::Email(email) => email,
        OutboxMessage::Reminder(r) => {
            let rules = crate::booking::Rules::of(ctx);
            match crate::booking::reminder(conn, &rules, &r).map_err(|e| e.to_string())? {
                Some(email) => email,
                // Rescheduled or cancelled since: this reminder is obsolete.
                None => return Ok(()),
            }
        }
        OutboxMessage::PartnerNotification(out) => {
            return crate::partner_outbound::deliver(conn, &ctx.partners, agent, &out)
        }
    };
    let message = mail::to_message(&email, &ctx.mail_from)?;
    mailer.send(&message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let s = RetryPolicy {
            max_attempts: 12,
            retry_base_secs: 5,
            retry_max_secs: 3600,
        };
        let secs: Vec<u64> = (1..=12).map(|a| backoff(&s, a).as_secs()).collect();
        assert_eq!(&secs[..5], &[5, 10, 20, 40, 80]);
        assert_eq!(secs[11], 3600);
    }

    #[test]
    fn messages_read_back_as_they_were_stored() {
        let r = OutboxMessage::Reminder(Reminder {
            reference: "AP-7K3M9Q".into(),
            sequence: 3,
        });
        let back = OutboxMessage::parse(r.kind(), &r.payload().unwrap()).unwrap();
        assert!(matches!(back, OutboxMessage::Reminder(m) if m.sequence == 3));
        assert!(OutboxMessage::parse("fax", "{}").is_err());
    }
}
