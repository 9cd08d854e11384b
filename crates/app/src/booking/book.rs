//! Booking a slot for both parties: one seat taken by a conditional update, the appointment and
//! its parties written, the confirmation and the reminder queued, all in one transaction.

use chrono::NaiveDateTime;

use hunyin_domain::eligibility::{self, Party};
use hunyin_domain::mask::Masked;
use hunyin_domain::schedule::SlotTime;
use hunyin_domain::Status;
use hunyin_store::appointments::{self, NewAppointment, PartyRow};
use hunyin_store::offices::Office;
use hunyin_store::{self as db, slots, DbConn};

use super::notices::booking_messages;
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
}

/// Books a slot for both parties. Returns the appointment's view with the manage token (only
/// ever returned here).
///
/// Everything that needs no lock is done before the transaction: the slot and eligibility, the
/// reference, the confirmation and the reminder rendered. The transaction then writes in few
/// statements and reads nothing back: the slot row if new, the appointment (`RETURNING` its
/// id), both parties in one insert, the audit event, both messages in one insert, and last the
/// conditional seat update, so that on PostgreSQL the hot slot's row lock is held only from
/// that update to the commit (on SQLite the whole transaction holds the file's write lock
/// anyway). A full slot or a party already booked rolls everything back.
///
/// Contact mode: the booking is a hold, its persons inactive until both confirm (`holds`,
/// `confirm`); the hold's links are queued instead of the confirmation. Oidc mode (its sign-in
/// lands separately): booked at once, as before contact mode.
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
    let hold = rules.identity.confirms_by_contact();
    let status = if hold {
        Status::PendingConfirmation
    } else {
        Status::Booked
    };
    let contact_email = super::normal_email(&req.emails[0]);
    let render = |reference: &str| {
        if hold || contact_email.is_empty() {
            return Vec::new();
        }
        booking_messages(
            rules,
            kind,
            reference,
            &office,
            &slot,
            &req.parties,
            &assessment,
            &contact_email,
        )
    };
    let mut reference = tokens::reference("AP");
    let mut messages = render(&reference);
    let stamp = crate::clock::now();
    let id = db::write_tx(conn, |c| -> Result<i64, AppError> {
        slots::ensure(c, &row)?;
        let mut created = None;
        for draw in 0..5 {
            if draw > 0 {
                // The reference was taken (rare): another one, and the messages that name it.
                reference = tokens::reference("AP");
                messages = render(&reference);
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
        let rows = [0, 1].map(|i| PartyRow {
            active: !hold,
            ..party_row(id, i, &req.parties[i])
        });
        // Only in oidc mode: a hold's persons are inactive, they never collide here.
        if !appointments::insert_parties(c, &rows)? {
            return Err(AppError::conflict(
                "already_booked",
                "Already booked",
                "已有有效预约",
            )
            .with_detail(
                "One of the parties already holds an active appointment; manage or cancel it first.",
                "一方当事人已有有效预约，请先变更或取消原预约。",
            ));
        }
        crate::audit::record(
            c,
            crate::audit::Event::couple(
                "appointment.booked",
                &office.id,
                "appointment",
                &id.to_string(),
            ),
        )?;
        if hold {
            let a = appointments::find_by_reference(c, &reference)?
                .ok_or_else(|| AppError::internal("appointment vanished in its own transaction"))?;
            super::holds::open(c, rules, &a, &office, &req.emails, stamp)?;
        } else {
            crate::outbox::enqueue_all(c, &messages, stamp)?;
        }
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
