//! Booking a slot for both parties: one seat taken by a conditional update, the appointment and
//! its parties written, the hold opened and its mails queued, all in one transaction.

use chrono::NaiveDateTime;

use hunyin_domain::eligibility::{self, Party};
use hunyin_domain::mask::Masked;
use hunyin_domain::schedule::SlotTime;
use hunyin_domain::Status;
use hunyin_store::appointments::{self, NewAppointment, PartyRow};
use hunyin_store::offices::Office;
use hunyin_store::{self as db, slots, DbConn};

use super::visits::{require_eligible_for, VisitKind};
use super::{party_row, resolve_slot, AppointmentView, ContactView, OfficeView, Rules};
use crate::error::AppError;
use crate::tokens;
use crate::views::{MaskedParty, SlotTimes};

/// A booking request, parsed.
pub struct BookingRequest {
    pub office_id: String,
    pub slot_id: String,
    pub parties: [Party; 2],
    /// Each party's own contact, in party order (the first is the appointment's contact).
    pub emails: [String; 2],
    pub phone: Option<String>,
    /// The signed-in person (oidc mode: required, and the first party must be them).
    pub signed_in: Option<crate::citizen::Citizen>,
}

/// Books a slot for both parties. Returns the appointment's view with the manage token (only
/// ever returned here).
///
/// Everything that needs no lock is done before the transaction: the slot and eligibility, the
/// reference. The transaction then writes in few statements: the slot row if new, the
/// appointment (`RETURNING` its id), both parties in one insert, the audit event, the hold with
/// its contacts and mails, and last the conditional seat update, so that on PostgreSQL the hot slot's row lock is held only from
/// that update to the commit (on SQLite the whole transaction holds the file's write lock
/// anyway). A full slot or a party already booked rolls everything back.
///
/// Every booking is a hold (`pending_confirmation`) until its parties confirm. Contact mode:
/// both persons inactive until both confirm through their links (`holds`, `confirm`). Oidc
/// mode: the first party is the signed-in person (401 without a session, 422
/// `first_party_not_signed_in` for someone else), stored active at once; the second confirms
/// by signing in (`signed_in`). The hold's mails are queued instead of the confirmation.
pub fn book(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    req: &BookingRequest,
    now: NaiveDateTime,
) -> Result<AppointmentView, AppError> {
    book_visit(conn, rules, req, VisitKind::Marriage, now)
}

/// [`book`] for a marriage or a divorce's application visit (`kind`): the slot, then the
/// eligibility of that service at the office on the slot's day.
pub fn book_visit(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    req: &BookingRequest,
    kind: VisitKind,
    now: NaiveDateTime,
) -> Result<AppointmentView, AppError> {
    let (office, slot) = resolve_slot(conn, rules, &req.office_id, &req.slot_id, now)?;
    let assessment = require_eligible_for(
        rules,
        kind.service(),
        &req.parties,
        &office,
        slot.start.date(),
    )?;
    let visit = Visit {
        kind,
        divorce_application_id: None,
        office,
        slot,
        assessment,
    };
    place(conn, rules, req, visit)
}

/// A slot chosen and judged: what [`place`] books.
pub(crate) struct Visit {
    pub kind: VisitKind,
    pub divorce_application_id: Option<i64>,
    pub office: Office,
    pub slot: SlotTime,
    pub assessment: eligibility::Assessment,
}

/// Books the judged `visit` for the parties of `req`.
pub(crate) fn place(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    req: &BookingRequest,
    visit: Visit,
) -> Result<AppointmentView, AppError> {
    let Visit {
        kind,
        divorce_application_id,
        office,
        slot,
        assessment,
    } = visit;
    let token = tokens::secret();
    let token_hash = tokens::hash(&token);
    let row = slots::new_row(&office.id, &slot);
    let status = Status::PendingConfirmation;
    let contact_email = super::normal_email(&req.emails[0]);
    // An issue visit is proven otherwise: its confirmations go to the contacts recorded when
    // the divorce was received (`divorce::book_issue_visit`).
    let signed_in = if rules.identity.signs_in() && kind != VisitKind::DivorceIssue {
        let who = req
            .signed_in
            .as_ref()
            .ok_or_else(AppError::citizen_unauthenticated)?;
        super::signed_in::check_first_party(who, &req.parties[0])?;
        Some(who)
    } else {
        None
    };
    let mut reference = tokens::reference("AP");
    let stamp = crate::clock::now();
    let id = db::write_tx(conn, |c| -> Result<i64, AppError> {
        slots::ensure(c, &row)?;
        let mut created = None;
        for draw in 0..5 {
            if draw > 0 {
                // The reference was taken (rare): another one.
                reference = tokens::reference("AP");
            }
            let new = NewAppointment {
                reference: &reference,
                manage_token_hash: &token_hash,
                office_id: &office.id,
                slot_id: Some(&row.id),
                status: status.as_str(),
                contact_email: &contact_email,
                contact_phone: req.phone.as_deref(),
                sequence: 0,
                created_at: stamp,
                updated_at: stamp,
                service: kind.as_str(),
                divorce_application_id,
            };
            if let Some(new_id) = appointments::insert(c, &new)? {
                created = Some(new_id);
                break;
            }
        }
        let id = created
            .ok_or_else(|| AppError::internal("no free appointment reference in 5 draws"))?;
        // Only the signed-in first party is active at once; the named second party never
        // collides here, so the answer tells nothing about them.
        let rows = [0, 1].map(|i| PartyRow {
            active: signed_in.is_some() && i == 0,
            ..party_row(id, i, &req.parties[i])
        });
        if !appointments::insert_parties(c, &rows)? {
            return Err(AppError::already_booked());
        }
        let subject = id.to_string();
        let actor = match signed_in {
            Some(who) => super::Actor::Citizen(who),
            None => super::Actor::Couple,
        };
        crate::audit::record(c, actor.event("appointment.booked", &office.id, &subject))?;
        if let Some(who) = signed_in {
            super::signed_in::record_first(c, id, who, stamp)?;
        }
        let a = appointments::find_by_reference(c, &reference)?
            .ok_or_else(|| AppError::internal("appointment vanished in its own transaction"))?;
        let by_sign_in = signed_in.is_some();
        super::holds::open(c, rules, &a, &office, &req.emails, by_sign_in, stamp)?;
        if !slots::take_seat(c, &row.id)? {
            return Err(
                AppError::conflict("slot_full", "Slot full", "该时段已约满").with_detail(
                    "Every seat of this slot is taken; choose another slot.",
                    "该时段名额已满，请选择其他时段。",
                ),
            );
        }
        Ok(id)
    })?;
    tracing::info!(
        appointment = id,
        reference = %reference,
        party0 = %Masked(req.parties[0].id_number.as_str()),
        party1 = %Masked(req.parties[1].id_number.as_str()),
        slot = %row.id,
        status = %status,
        "appointment booked"
    );
    Ok(AppointmentView {
        reference,
        service: kind.as_str().to_owned(),
        status: status.as_str().to_owned(),
        office: OfficeView::from(&office),
        slot: Some(SlotTimes::from_utc(
            Some(row.id.clone()),
            row.starts_at,
            row.ends_at,
        )),
        parties: req
            .parties
            .iter()
            .map(|p| MaskedParty::new(&p.name, p.id_number.as_str()))
            .collect(),
        contact: ContactView {
            email: contact_email.clone(),
            phone: req.phone.clone(),
        },
        documents: assessment.documents.clone(),
        created_at: hunyin_domain::time::rfc3339_utc(stamp),
        manage_token: Some(token),
    })
}
