//! Issue (登记发证) of the divorce certificate: only inside `[issue_from, issue_until]`, at the
//! office that received the application, with both parties present (民法典 第1077条, 第1078条).
//! The checks run again; then in one transaction: the `L` number from the office's own counter,
//! the marriage certificate `dissolved`, the parties released and `divorced` in our register,
//! the home regions told (`divorce_registered`), the audit event.

use chrono::Datelike;

use hunyin_domain::certificate::{CertificateNumber, Kind};
use hunyin_domain::divorce::Periods;
use hunyin_domain::divorce_status::{phase, Phase};
use hunyin_partner::wire::DIVORCE_REGISTERED;
use hunyin_store::divorce::{self as store, Close};
use hunyin_store::household::SetBy;
use hunyin_store::{self as db, household, married, offices, registration, Pool};

use super::verify::{self, PartyStep, Person};
use super::{audit_divorce, load, moved_on, not_received, views, DivorceRules, DivorceView};
use crate::audit::Details;
use crate::auth::Staff;
use crate::certificates::next_number;
use crate::error::AppError;
use crate::partner_outbound::{self, office_ref, Party};

/// The issue request.
#[derive(Debug, Clone)]
pub struct IssueInput {
    pub both_parties_present: bool,
    /// What the paper 户口簿 shows, per party, when no instance can answer its check again.
    pub household_notes: [Option<String>; 2],
}

const ACTION: &str = "issue the divorce certificate";

/// Issues the divorce certificate of application `reference`.
pub fn issue(
    pool: &Pool,
    staff: &Staff,
    rules: &DivorceRules<'_>,
    reference: &str,
    input: &IssueInput,
) -> Result<DivorceView, AppError> {
    let today = rules.clock.today();
    let (app, people, steps, office) = {
        let mut conn = db::get(pool)?;
        let app = load(&mut conn, staff, reference)?;
        if app.status != "received" {
            return Err(not_received(ACTION, &app));
        }
        let periods = Periods {
            received_on: app.received_on,
            cooling_off_ends: app.cooling_off_ends,
            issue_from: app.issue_from,
            issue_until: app.issue_until,
        };
        match phase(&periods, today) {
            Phase::CoolingOff => {
                return Err(AppError::cooling_off_not_over(
                    app.cooling_off_ends,
                    app.issue_from,
                ))
            }
            Phase::Lapsed => return Err(AppError::issue_window_closed(app.issue_until)),
            Phase::IssueWindow => {}
        }
        if !input.both_parties_present {
            return Err(AppError::unprocessable(
                "parties_not_present",
                "Both parties must be present",
                "双方须亲自到场",
            )
            .with_detail(
                "Both parties ask for the divorce certificate in person (民法典 第1077条).",
                "双方须亲自到婚姻登记机关申请发给离婚证（民法典第一千零七十七条）。",
            ));
        }
        let people: Vec<Person> = store::parties(&mut conn, app.id)?
            .into_iter()
            .zip(&input.household_notes)
            .map(|(p, note)| Person {
                id_number: p.id_number,
                name: p.name,
                hukou_division_code: p.hukou_division_code,
                // The papers recorded at receipt stand for a party no instance can answer for.
                household_note: note.clone().or(p.check_note),
            })
            .collect();
        let mut steps = Vec::new();
        for (i, p) in people.iter().enumerate() {
            match verify::read_party(&mut conn, rules.region_prefix, i, p) {
                Ok(step) => steps.push(step),
                // A concurrent issue that just committed made the parties divorced: answer
                // what became of the application, not the register it changed.
                Err(e) => {
                    return Err(match store::find_by_reference(&mut conn, reference)? {
                        Some(now) if now.status != "received" => not_received(ACTION, &now),
                        _ => e,
                    })
                }
            }
        }
        let office = offices::find(&mut conn, &app.office_id)?
            .ok_or_else(|| AppError::not_found("The office"))?;
        (app, people, steps, office)
    };
    // The marriage confirmed again by its region's instance, if it was confirmed by one.
    if app.marriage_source == "partner" {
        let code = CertificateNumber::parse(&app.marriage_certificate)
            .map(|n| n.office_code)
            .unwrap_or_default();
        verify::ask_marriage(
            rules.verifier,
            &app.marriage_certificate,
            &code,
            &people,
            None,
            true,
        )?;
    }
    let case = verify::case(&app.office_id, &app.reference, staff.id);
    let sources = verify::parties(rules.verifier, &case, &steps, &people)?;
    let mut conn = db::get(pool)?;
    let done = db::write_tx(&mut conn, |c| -> Result<store::Application, AppError> {
        let now = rules.clock.now();
        let year = rules.clock.today().year();
        let (serial, number) = next_number(c, &office, year, Kind::Divorce)?;
        let closed = Close::Issued {
            certificate_number: &number,
        };
        if !store::close(c, app.id, closed, staff.id, now)? {
            return Err(moved_on(c, ACTION, &app));
        }
        store::insert_certificate(
            c,
            &store::DivorceCertificate {
                number: number.clone(),
                kind: Kind::Divorce.prefix().into(),
                application_id: app.id,
                office_id: office.id.clone(),
                year,
                serial,
                status: "valid".into(),
                issued_by: staff.id,
                issued_at: now,
                supersedes: None,
                requested_by_party: None,
                note: None,
            },
        )?;
        if let Some(appointment) = app.marriage_appointment_id {
            if !registration::certificate_transition(
                c,
                &app.marriage_certificate,
                "valid",
                "dissolved",
            )? {
                let status = registration::certificate(c, &app.marriage_certificate)?
                    .map(|m| m.status)
                    .unwrap_or_default();
                return Err(AppError::marriage_not_valid(&status));
            }
            married::release(c, appointment, now)?;
        }
        // Read again inside the transaction: a party our register no longer shows married.
        for (i, (p, step)) in people.iter().zip(&steps).enumerate() {
            if matches!(step, PartyStep::Settled(_)) {
                verify::read_party(c, rules.region_prefix, i, p)?;
                household::set_marital_status(c, &p.id_number, "divorced", SetBy::Divorce, now)?;
            }
        }
        // The region that registered the marriage marks it dissolved.
        let registrar = (app.marriage_source == "partner")
            .then(|| CertificateNumber::parse(&app.marriage_certificate))
            .flatten()
            .and_then(|m| rules.directory.for_division(&m.office_code))
            .map(|peer| peer.name.clone());
        let dissolves = registrar
            .as_deref()
            .map(|r| (app.marriage_certificate.as_str(), r));
        let notified = partner_outbound::enqueue_dissolving(
            c,
            rules.directory,
            DIVORCE_REGISTERED,
            &number,
            (now, &office_ref(&office)),
            &people
                .iter()
                .map(|p| Party {
                    id_number: &p.id_number,
                    name: &p.name,
                    hukou_division_code: &p.hukou_division_code,
                })
                .collect::<Vec<_>>(),
            dissolves,
        )?;
        super::visit::close_issue_visits(c, app.id, true)?;
        audit_divorce(
            c,
            staff,
            app.id,
            "divorce.issued",
            Details::none()
                .with("certificate", &number)
                .with("marriage_certificate", &app.marriage_certificate)
                .with("checks", &sources)
                .with("partners_notified", notified),
        )?;
        store::find_by_reference(c, &app.reference)?
            .ok_or_else(|| AppError::internal("issued application not found"))
    })?;
    tracing::info!(reference = %done.reference, certificate = ?done.certificate_number, "divorce registered");
    views::of(&mut conn, &done)
}
