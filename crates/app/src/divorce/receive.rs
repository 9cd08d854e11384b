//! Receiving (受理) a divorce application with both parties present (民法典 第1076条): the
//! marriage and both parties' household checks, the agreement as given and confirmed complete
//! by the registrar, the dates from the periods calculator; stored with its audit event in one
//! transaction. No connection is held while a partner instance is asked.

use hunyin_domain::mask::mask;
use hunyin_domain::{DivisionCode, IdNumber};
use hunyin_store::divorce::{self as store, Insert, NewApplication, Party};
use hunyin_store::{self as db, offices, Pool};

use super::verify::{self, MarriageStep, Person};
use super::visit;
use super::{audit_divorce, periods, views, DivorceRules, DivorceView};
use crate::applications::COUNTER;
use crate::audit::Details;
use crate::auth::Staff;
use crate::error::{AppError, InvalidParam};

/// A party as the registrar enters it.
#[derive(Debug, Clone)]
pub struct PartyInput {
    pub id_number: String,
    pub name: String,
    pub hukou_division_code: String,
    /// What the paper 户口簿 shows, when no instance can answer the party's check.
    pub household_note: Option<String>,
    /// The party's own email, given at the counter (for the issue visit and the reminders).
    pub email: Option<String>,
}

/// The agreement's matters, recorded as given.
#[derive(Debug, Clone)]
pub struct AgreementInput {
    pub children: String,
    pub property: String,
    pub debts: String,
}

/// A divorce application at the counter.
#[derive(Debug, Clone)]
pub struct ReceiveInput {
    pub office_id: String,
    pub parties: Vec<PartyInput>,
    pub marriage_certificate: String,
    /// What the paper certificate shows, when no instance can confirm the marriage.
    pub paper_certificate_note: Option<String>,
    pub agreement: AgreementInput,
    /// The registrar confirms the agreement settles children, property and debts.
    pub agreement_complete: bool,
    pub both_parties_present: bool,
    /// The application visit booked for this divorce (`"service": "divorce"`), if any.
    pub appointment_reference: Option<String>,
}

const TEXT_MAX: usize = 4000;

fn validate(input: &ReceiveInput, today: chrono::NaiveDate) -> Result<Vec<Person>, AppError> {
    let mut bad = Vec::new();
    if input.parties.len() != 2 {
        bad.push(InvalidParam::new(
            "parties",
            "invalid_parties",
            "exactly two parties",
        ));
    }
    let mut people = Vec::new();
    for (i, p) in input.parties.iter().enumerate() {
        let id = match IdNumber::parse(&p.id_number, today) {
            Ok(id) => id.as_str().to_owned(),
            Err(_) => {
                bad.push(InvalidParam::new(
                    format!("parties[{i}].id_number"),
                    "invalid_id_number",
                    "a GB 11643 citizen ID number",
                ));
                String::new()
            }
        };
        if !(1..=50).contains(&p.name.trim().chars().count()) {
            bad.push(InvalidParam::new(
                format!("parties[{i}].name"),
                "invalid_name",
                "1-50 characters",
            ));
        }
        if DivisionCode::parse(&p.hukou_division_code).is_err() {
            bad.push(InvalidParam::new(
                format!("parties[{i}].hukou_division_code"),
                "invalid_division_code",
                "a six-digit GB/T 2260 code",
            ));
        }
        if p.household_note
            .as_ref()
            .is_some_and(|n| n.chars().count() > 500)
        {
            bad.push(InvalidParam::new(
                format!("parties[{i}].household_note"),
                "invalid_note",
                "at most 500 characters",
            ));
        }
        people.push(Person {
            id_number: id,
            name: p.name.trim().to_owned(),
            hukou_division_code: p.hukou_division_code.clone(),
            household_note: p.household_note.clone(),
        });
    }
    if people.len() == 2
        && !people[0].id_number.is_empty()
        && people[0].id_number == people[1].id_number
    {
        bad.push(InvalidParam::new(
            "parties[1].id_number",
            "same_person",
            "two different persons",
        ));
    }
    let number = input.marriage_certificate.trim();
    if hunyin_domain::certificate::CertificateNumber::parse(number)
        .is_none_or(|n| !n.kind.is_marriage())
    {
        bad.push(InvalidParam::new(
            "marriage_certificate",
            "invalid_certificate_number",
            "a marriage certificate number: J or BJ + six-digit office code + -YYYY- + six-digit serial",
        ));
    }
    for (field, text) in [
        ("agreement.children", &input.agreement.children),
        ("agreement.property", &input.agreement.property),
        ("agreement.debts", &input.agreement.debts),
    ] {
        if !(1..=TEXT_MAX).contains(&text.trim().chars().count()) {
            bad.push(InvalidParam::new(
                field,
                "invalid_agreement",
                "1-4000 characters, as the agreement says",
            ));
        }
    }
    if input
        .paper_certificate_note
        .as_ref()
        .is_some_and(|n| n.chars().count() > 500)
    {
        bad.push(InvalidParam::new(
            "paper_certificate_note",
            "invalid_note",
            "at most 500 characters",
        ));
    }
    AppError::unless_invalid(bad)?;
    if !input.both_parties_present {
        return Err(AppError::unprocessable(
            "parties_not_present",
            "Both parties must be present",
            "双方须亲自到场",
        )
        .with_detail(
            "A divorce by agreement is applied for by both parties in person (民法典 第1076条).",
            "协议离婚须双方亲自到婚姻登记机关申请（民法典第一千零七十六条）。",
        ));
    }
    if !input.agreement_complete {
        return Err(AppError::agreement_incomplete());
    }
    Ok(people)
}

/// Receives a divorce application at `input.office_id` today (by `rules.clock`).
pub fn receive(
    pool: &Pool,
    staff: &Staff,
    rules: &DivorceRules<'_>,
    input: &ReceiveInput,
) -> Result<DivorceView, AppError> {
    staff.require_role(&COUNTER)?;
    staff.require_office(&input.office_id)?;
    let today = rules.clock.today();
    let people = validate(input, today)?;
    let dates = periods(rules.calendar, today)?;
    let number = input.marriage_certificate.trim();
    let mut reference = crate::tokens::reference("DV");
    // Read: the office, an open application for this marriage, our records.
    let (marriage_step, steps) = {
        let mut conn = db::get(pool)?;
        offices::find(&mut conn, &input.office_id)?
            .ok_or_else(|| AppError::not_found("The office"))?;
        if let Some(open) = store::open_for_marriage(&mut conn, number)? {
            // Told only to the marriage's own two people; anyone else's is a mismatch.
            let theirs = store::parties(&mut conn, open.id)?
                .into_iter()
                .map(|p| p.id_number);
            if !verify::same_people(theirs, &people) {
                return Err(AppError::marriage_parties_mismatch());
            }
            return Err(AppError::divorce_already_received(&open.status));
        }
        let m = verify::read_marriage(&mut conn, rules.region_prefix, number, &people)?;
        let mut steps = Vec::new();
        for (i, p) in people.iter().enumerate() {
            steps.push(verify::read_party(&mut conn, rules.region_prefix, i, p)?);
        }
        (m, steps)
    };
    let visit = {
        let mut conn = db::get(pool)?;
        match &input.appointment_reference {
            Some(r) => Some(visit::read(&mut conn, r, &input.office_id, &people, today)?),
            None => None,
        }
    };
    // A contact given at the counter, else the visit's confirmed one.
    let emails: Vec<Option<String>> = (0..people.len())
        .map(|i| {
            input.parties[i]
                .email
                .as_deref()
                .map(crate::booking::normal_email)
                .or_else(|| visit.as_ref().and_then(|v| v.emails[i].clone()))
        })
        .collect();
    // Ask, holding no connection.
    let marriage = match marriage_step {
        MarriageStep::Local { appointment_id } => verify::Marriage {
            source: "register",
            appointment_id: Some(appointment_id),
            note: None,
        },
        MarriageStep::Ask { office_code } => verify::ask_marriage(
            rules.verifier,
            number,
            &office_code,
            &people,
            input.paper_certificate_note.as_deref(),
            false,
        )?,
    };
    let case = verify::case(&input.office_id, &reference, staff.id);
    let sources = verify::parties(rules.verifier, &case, &steps, &people)?;
    // Write: the application, its parties and the audit event, or nothing.
    let mut conn = db::get(pool)?;
    let app = db::write_tx(&mut conn, |c| -> Result<store::Application, AppError> {
        let now = rules.clock.now();
        let id = loop {
            let new = NewApplication {
                reference: &reference,
                office_id: &input.office_id,
                status: "received",
                marriage_certificate: number,
                marriage_source: marriage.source,
                marriage_appointment_id: marriage.appointment_id,
                marriage_note: marriage.note.as_deref(),
                agreement_children: input.agreement.children.trim(),
                agreement_property: input.agreement.property.trim(),
                agreement_debts: input.agreement.debts.trim(),
                received_on: dates.received_on,
                cooling_off_ends: dates.cooling_off_ends,
                issue_from: dates.issue_from,
                issue_until: dates.issue_until,
                received_by: staff.id,
                received_at: now,
                appointment_id: None,
            };
            match store::insert(c, &new)? {
                Insert::Inserted(id) => break id,
                Insert::ReferenceTaken => reference = crate::tokens::reference("DV"),
                Insert::MarriageTaken => {
                    let status = store::open_for_marriage(c, number)?
                        .map(|a| a.status)
                        .unwrap_or_else(|| "received".into());
                    return Err(AppError::divorce_already_received(&status));
                }
            }
        };
        let rows: Vec<Party> = people
            .iter()
            .zip(&sources)
            .enumerate()
            .map(|(i, (p, source))| Party {
                application_id: id,
                idx: i as i32,
                id_number: p.id_number.clone(),
                name: p.name.clone(),
                hukou_division_code: p.hukou_division_code.clone(),
                check_source: (*source).to_owned(),
                check_note: (*source == "manual")
                    .then(|| p.household_note.clone().unwrap_or_default()),
                email: emails[i].clone(),
            })
            .collect();
        store::insert_parties(c, &rows)?;
        if let Some(v) = &visit {
            visit::use_visit(c, staff, v, id, now)?;
        }
        let masked: Vec<String> = people.iter().map(|p| mask(&p.id_number)).collect();
        audit_divorce(
            c,
            staff,
            id,
            "divorce.received",
            Details::none()
                .with("marriage_certificate", number)
                .with("marriage_source", marriage.source)
                .with("parties", &masked)
                .with("checks", &sources)
                .with("received_on", dates.received_on)
                .with("issue_until", dates.issue_until)
                .with("appointment", visit.as_ref().map(|v| v.appointment_id)),
        )?;
        store::find_by_reference(c, &reference)?
            .ok_or_else(|| AppError::internal("inserted application not found"))
    })?;
    tracing::info!(reference = %app.reference, certificate = number, "divorce application received");
    views::of(&mut conn, &app)
}
