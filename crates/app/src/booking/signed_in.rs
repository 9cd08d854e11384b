//! `identity.mode = "oidc"`: the first party books signed in at the province's real-name
//! platform (their name and ID number are the session's), and the booking holds its seat as
//! `pending_confirmation` until the person named as second party signs in and confirms within
//! `booking.confirm_minutes`; else the sweep lapses it (`confirm::sweep_lapsed`), both told.
//!
//! The first party is stored active at once (a signed-in person holds one active appointment
//! or hold at a time, so one person cannot hoard seats), the second inactive until they
//! confirm: naming someone never blocks them, and the answer to a booking is the same whether
//! or not the second party holds an appointment. A second party who already holds one learns
//! it (409 `already_booked`) only on confirming, signed in as themselves.

use chrono::NaiveDateTime;

use hunyin_domain::eligibility::Party;
use hunyin_domain::Status;
use hunyin_store::appointments;
use hunyin_store::holds;
use hunyin_store::identities::{self, IdentityRow};
use hunyin_store::offices;
use hunyin_store::slots::to_local;
use hunyin_store::{self as db, DbConn};

use super::confirm::{stand, ConfirmationView, Failed};
use super::holds::About;
use super::{unknown_office, Rules};
use crate::audit::{Details, Event};
use crate::citizen::Citizen;
use crate::error::{AppError, InvalidParam};
use crate::mail::Email;

/// 422 `first_party_not_signed_in` unless `first` is the signed-in person (ID number and name
/// as the identity provider gave them).
pub(super) fn check_first_party(who: &Citizen, first: &Party) -> Result<(), AppError> {
    let mut wrong = Vec::new();
    if first.id_number.as_str() != who.id_number {
        wrong.push(InvalidParam::new(
            "parties[0].id_number",
            "not_signed_in_person",
            "the ID number of the signed-in person",
        ));
    }
    if first.name.trim() != who.name {
        wrong.push(InvalidParam::new(
            "parties[0].name",
            "not_signed_in_person",
            "the name of the signed-in person, as the identity platform gives it",
        ));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(AppError::first_party_not_signed_in(wrong))
    }
}

/// Records, in the booking's transaction, that party `idx` of appointment `id` is `who`.
fn record(
    c: &mut DbConn,
    id: i64,
    idx: i32,
    who: &Citizen,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    Ok(identities::insert(
        c,
        &IdentityRow {
            appointment_id: id,
            idx,
            issuer: who.issuer.clone(),
            subject: who.subject.clone(),
            confirmed_at: now,
        },
    )?)
}

/// The first party's sign-in, written with the booking.
pub(super) fn record_first(
    c: &mut DbConn,
    id: i64,
    who: &Citizen,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    record(c, id, 0, who, now).map(|_| ())
}

impl About {
    /// The mail of a hold made signed in: to the first party, that it waits for the second;
    /// to the second, that they were named and confirm by signing in at `page`. No secret.
    pub(super) fn sign_in_mail(
        &self,
        to: &str,
        idx: usize,
        page: &str,
        deadline: NaiveDateTime,
    ) -> Email {
        let local = to_local(deadline);
        let (zh, en) = if idx == 0 {
            (
                "您已以实名身份预约结婚登记（{names}，预约号 {reference}，{start_zh}，{office}）。\n须第二方在 {deadline_zh}（北京时间）之前实名登录并在\"我的预约\"中确认，预约才生效；逾期未确认，名额将被释放。",
                "You booked a marriage registration appointment signed in ({names}, reference\n{reference}, {start_en}, {office}). It stands once the second party signs in and confirms\nit under \"My appointments\" before {deadline_en} (China Standard Time); else its seat is released.",
            )
        } else {
            (
                "有人实名预约了结婚登记（{names}，预约号 {reference}，{start_zh}，{office}），\n并将您列为第二方。如确为您本人，请在 {deadline_zh}（北京时间）之前打开\n{page} 实名登录，在\"我的预约\"中确认。\n如非您本人，无需处理：未经您本人确认，此预约不会生效，也不影响您自己预约。",
                "Someone signed in and booked a marriage registration appointment ({names}, reference\n{reference}, {start_en}, {office}) naming you as the second party. If this is you, open\n{page}, sign in with your real-name account and confirm it under \"My appointments\"\nbefore {deadline_en} (China Standard Time). If not, do nothing: without your own\nconfirmation it never stands, and it does not keep you from booking.",
            )
        };
        let text = self
            .fill(&format!(
                "您好！\n\n{zh}\n\n{}\nHello,\n\n{en}\n",
                "-".repeat(70)
            ))
            .replace(
                "{deadline_zh}",
                &local.format("%Y年%m月%d日 %H:%M").to_string(),
            )
            .replace(
                "{deadline_en}",
                &local.format("%-d %B %Y %H:%M").to_string(),
            )
            .replace("{page}", page);
        self.kind.reword(Email {
            to: to.to_owned(),
            subject: if idx == 0 {
                "结婚登记预约待对方确认 / Booking awaits the second party".to_owned()
            } else {
                "请实名登录确认结婚登记预约 / Please sign in to confirm the booking".to_owned()
            },
            text,
            html: None,
            ics: None,
            ics_method: None,
        })
    }
}

/// `POST /v1/citizen/appointments/{reference}/confirmation`: the signed-in person, named as
/// the second party of a hold made signed in, confirms it; it is then `booked`. Anyone else,
/// or an unknown reference, gets the same 404.
pub fn confirm(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    who: &Citizen,
    reference: &str,
    now: NaiveDateTime,
) -> Result<ConfirmationView, AppError> {
    for _ in 0..8 {
        match db::write_tx(conn, |c| once(c, rules, who, reference, now)) {
            Ok(view) => return Ok(view),
            Err(Failed::App(e)) => return Err(e),
            Err(Failed::Race) => continue,
        }
    }
    Err(AppError::internal(
        "a confirmation by sign-in lost 8 races in a row",
    ))
}

fn once(
    c: &mut DbConn,
    rules: &Rules<'_>,
    who: &Citizen,
    reference: &str,
    now: NaiveDateTime,
) -> Result<ConfirmationView, Failed> {
    let unknown = AppError::citizen_appointment_unknown;
    let found = appointments::find_by_reference(c, reference)?.ok_or_else(unknown)?;
    let parties = appointments::parties(c, found.id)?;
    let named = parties
        .iter()
        .any(|p| p.idx == 1 && p.id_number == who.id_number);
    let booked_signed_in = identities::of_appointment(c, found.id)?
        .iter()
        .any(|s| s.idx == 0);
    if !named || !booked_signed_in {
        return Err(unknown().into());
    }
    // Two confirmations of this hold queue here; each reads what the one before wrote.
    holds::lock_hold(c, found.id)?;
    let a = holds::appointment(c, found.id)?.ok_or_else(unknown)?;
    let hold = holds::find(c, a.id)?.ok_or_else(unknown)?;
    let signed = identities::of_appointment(c, a.id)?;
    if signed.iter().any(|s| s.idx == 1) {
        return Err(AppError::confirmation_used().into());
    }
    if a.status == Status::Lapsed
        || (a.status == Status::PendingConfirmation && now >= hold.expires_at)
    {
        return Err(AppError::confirmation_expired().into());
    }
    if a.status != Status::PendingConfirmation {
        return Err(super::manage::closed(&a.status).into());
    }
    if !record(c, a.id, 1, who, now)? {
        return Err(AppError::confirmation_used().into());
    }
    // The real-name platform's name stands, whatever the first party typed.
    identities::set_party_name(c, a.id, 1, &who.name)?;
    // One active appointment per person (the partial unique index): told only to this person.
    if !holds::activate_parties(c, a.id)? {
        return Err(AppError::already_booked().into());
    }
    let office = offices::find(c, &a.office_id)?.ok_or_else(unknown_office)?;
    stand(c, rules, &a, &office, now)?;
    let subject = a.id.to_string();
    crate::audit::record(
        c,
        Event {
            details: Details::none().with("party", 1),
            ..Event::citizen(who, "appointment.confirmed", &a.office_id, &subject)
        },
    )?;
    tracing::info!(reference = %a.reference, "booking confirmed by the second party's sign-in");
    Ok(ConfirmationView {
        reference: a.reference,
        status: Status::Booked.as_str().to_owned(),
        party: 1,
        parties_confirmed: 2,
        confirm_by: hunyin_domain::time::rfc3339_utc(hold.expires_at),
    })
}
