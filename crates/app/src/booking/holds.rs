//! `identity.mode = "contact"`: a booking starts as a hold (`pending_confirmation`) that keeps
//! its seat until both parties confirm through their own contact, each by the secret link
//! mailed to them. Its parties are stored inactive, so an unconfirmed hold never blocks a
//! person. This module opens a hold (in the booking's transaction) and renders its mails; the
//! confirmation is `confirm.rs`, the lapse `sweep.rs`.

use chrono::{Duration, NaiveDateTime};

use hunyin_store::appointments::{self, Appointment};
use hunyin_store::holds::{self, ContactRow, Hold};
use hunyin_store::offices::Office;
use hunyin_store::slots::{self, to_local};
use hunyin_store::DbConn;

use super::Rules;
use crate::error::AppError;
use crate::mail::Email;
use crate::outbox::OutboxMessage;
use crate::tokens;

/// How couples are identified (`identity.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityMode {
    /// Each party confirms through their own contact (the embedded default).
    Contact,
    /// Real-name sign-in at the province's OpenID Connect provider (production): the first
    /// party books signed in, the second confirms by signing in (`signed_in.rs`).
    Oidc,
}

/// The `[identity]` and confirmation settings booking needs.
#[derive(Debug, Clone)]
pub struct Identity {
    pub mode: IdentityMode,
    /// Minutes both parties have to confirm a hold (`booking.confirm_minutes`).
    pub confirm_minutes: u32,
    /// Holds pending confirmation one contact may be named in (`booking.holds_per_contact`).
    pub holds_per_contact: u32,
    /// The page the confirmation link opens; the secret rides in its fragment, which browsers
    /// never send to a server (`booking.confirm_url`).
    pub confirm_url: String,
}

impl Identity {
    /// True in `contact` mode.
    pub fn confirms_by_contact(&self) -> bool {
        self.mode == IdentityMode::Contact
    }

    /// True in `oidc` mode: couples book and confirm signed in.
    pub fn signs_in(&self) -> bool {
        self.mode == IdentityMode::Oidc
    }
}

/// A contact as stored and compared: trimmed, lower case.
pub fn normal_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Opens the hold of the just inserted appointment `a` in the caller's transaction: locks each
/// contact, checks the holds-per-contact limit, stores the hold and both contacts, and queues
/// one confirmation link to each party's own contact. `by_sign_in` (oidc mode): the parties
/// confirm by signing in, so the mails say so and carry no link (the contacts' secrets are
/// stored hashed, never sent: no link confirms or releases such a hold).
pub(super) fn open(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    a: &Appointment,
    office: &Office,
    emails: &[String; 2],
    by_sign_in: bool,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let emails = [normal_email(&emails[0]), normal_email(&emails[1])];
    let mut locked = emails.to_vec();
    locked.sort();
    locked.dedup();
    // Locks in one order, so two bookings naming the same two contacts cannot deadlock. A
    // booking signed in needs no limit per contact: its first party, active at once, holds one
    // booking at a time, and a limit on emails others may name would let them use up yours.
    for e in locked.iter().filter(|_| !by_sign_in) {
        holds::lock(conn, &format!("contact:{e}"), now)?;
        if holds::open_holds_of(conn, e)? >= i64::from(rules.identity.holds_per_contact) {
            return Err(AppError::too_many_holds(rules.identity.holds_per_contact));
        }
    }
    let expires_at = now + Duration::minutes(i64::from(rules.identity.confirm_minutes));
    let secrets = [tokens::secret(), tokens::secret()];
    let contacts: Vec<ContactRow> = (0..2)
        .map(|i| ContactRow {
            appointment_id: a.id,
            idx: i as i32,
            email: emails[i].clone(),
            token_hash: tokens::hash(&secrets[i]),
            confirmed_at: None,
        })
        .collect();
    let hold = Hold {
        appointment_id: a.id,
        expires_at,
        confirmed_at: None,
        lapsed_at: None,
    };
    holds::insert(conn, &hold, &contacts)?;
    let about = About::of(conn, a, office)?;
    for i in 0..2 {
        let email = if by_sign_in {
            about.sign_in_mail(&emails[i], i, &rules.identity.confirm_url, expires_at)
        } else {
            let link = format!("{}#{}", rules.identity.confirm_url, secrets[i]);
            about.link_mail(&emails[i], i, &link, expires_at)
        };
        OutboxMessage::Email(email).enqueue(conn, now, now)?;
    }
    Ok(())
}

/// What the hold's mails say about it.
pub(super) struct About {
    pub(super) kind: super::VisitKind,
    reference: String,
    office: String,
    names: String,
    start_zh: String,
    start_en: String,
}

impl About {
    pub(super) fn of(
        conn: &mut DbConn,
        a: &Appointment,
        office: &Office,
    ) -> Result<About, AppError> {
        let slot = match &a.slot_id {
            Some(id) => slots::find(conn, id)?,
            None => None,
        }
        .ok_or_else(|| AppError::internal("a hold without a slot"))?;
        let names = appointments::parties(conn, a.id)?
            .iter()
            .map(|r| r.name.clone())
            .collect::<Vec<_>>()
            .join("、");
        let start = to_local(slot.starts_at);
        Ok(About {
            kind: super::VisitKind::of(&a.service),
            reference: a.reference.clone(),
            office: office.name.clone(),
            names,
            start_zh: start.format("%Y年%m月%d日 %H:%M").to_string(),
            start_en: start.format("%-d %B %Y %H:%M").to_string(),
        })
    }

    pub(super) fn fill(&self, template: &str) -> String {
        template
            .replace("{reference}", &self.reference)
            .replace("{office}", &self.office)
            .replace("{names}", &self.names)
            .replace("{start_zh}", &self.start_zh)
            .replace("{start_en}", &self.start_en)
    }

    fn link_mail(&self, to: &str, idx: usize, link: &str, deadline: NaiveDateTime) -> Email {
        let local = to_local(deadline);
        let text = self
            .fill(include_str!("../../../../templates/confirm_link.txt"))
            .replace("{party_zh}", if idx == 0 { "第一方" } else { "第二方" })
            .replace(
                "{party_en}",
                if idx == 0 {
                    "the first party"
                } else {
                    "the second party"
                },
            )
            .replace(
                "{deadline_zh}",
                &local.format("%Y年%m月%d日 %H:%M").to_string(),
            )
            .replace(
                "{deadline_en}",
                &local.format("%-d %B %Y %H:%M").to_string(),
            )
            .replace("{link}", link);
        self.kind.reword(Email {
            to: to.to_owned(),
            subject: format!(
                "请确认结婚登记预约 {} / Please confirm the booking",
                self.reference
            ),
            text,
            html: None,
            ics: None,
            ics_method: None,
        })
    }

    /// The notice that the hold lapsed unconfirmed.
    pub(super) fn lapsed_mail(&self, to: &str) -> Email {
        self.kind.reword(Email {
            to: to.to_owned(),
            subject: format!(
                "结婚登记预约未确认，名额已释放 {} / Booking lapsed",
                self.reference
            ),
            text: self.fill(include_str!("../../../../templates/hold_lapsed.txt")),
            html: None,
            ics: None,
            ics_method: None,
        })
    }
}

/// How a party of an application was identified, for the counter (which still checks the ID
/// card): `oidc` (signed in at the real-name platform: its issuer and subject, with when),
/// `contact` (confirmed through their own email, with when), `counter` (a walk-in), or `none`
/// (not confirmed: a booking made before confirmations existed).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Identification {
    pub party: i32,
    pub method: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<String>,
}

/// How each party of `a` was identified, in party order.
pub fn identification(conn: &mut DbConn, a: &Appointment) -> Result<Vec<Identification>, AppError> {
    let contacts = holds::contacts(conn, a.id)?;
    let signed_in = hunyin_store::identities::of_appointment(conn, a.id)?;
    Ok((0..2)
        .map(|i| {
            if let Some(s) = signed_in.iter().find(|s| s.idx == i) {
                return Identification {
                    party: i,
                    method: "oidc",
                    issuer: Some(s.issuer.clone()),
                    subject: Some(s.subject.clone()),
                    contact: None,
                    confirmed_at: Some(hunyin_domain::time::rfc3339_utc(s.confirmed_at)),
                };
            }
            match contacts
                .iter()
                .find(|c| c.idx == i && c.confirmed_at.is_some())
            {
                Some(c) => Identification {
                    party: i,
                    method: "contact",
                    issuer: None,
                    subject: None,
                    contact: Some(c.email.clone()),
                    confirmed_at: c.confirmed_at.map(hunyin_domain::time::rfc3339_utc),
                },
                None => Identification {
                    party: i,
                    method: if a.slot_id.is_none() {
                        "counter"
                    } else {
                        "none"
                    },
                    issuer: None,
                    subject: None,
                    contact: None,
                    confirmed_at: None,
                },
            }
        })
        .collect())
}
