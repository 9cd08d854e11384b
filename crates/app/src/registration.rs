//! Registration of a marriage with its certificate number (婚姻登记条例 第7条; 婚姻登记工作规范:
//! 审查 -> 登记发证), once both parties are present, checked and have declared.

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use hunyin_domain::certificate::Kind;
use hunyin_domain::time::{rfc3339_utc, to_local};
use hunyin_domain::Status;
use hunyin_partner::wire::MARRIAGE_REGISTERED;
use hunyin_store::registration::{self, Certificate};
use hunyin_store::{self as db, appointments, household, married, offices, DbConn};

use crate::applications::{audit_application, invalid_transition, load, moved_on};
use crate::audit::Details;
use crate::auth::Staff;
use crate::booking::{self, Rules};
use crate::certificates::next_number;
use crate::checks;
use crate::error::AppError;
use crate::idempotency;
use crate::outbox::OutboxMessage;
use crate::partner_outbound::{self, office_ref, Party};
use crate::views::MaskedParty;

/// A registered marriage: the answer of registration (and of its retries with the same key).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegistrationView {
    pub reference: String,
    pub status: String,
    pub certificate_number: String,
    pub office_id: String,
    pub registered_at: String,
    pub parties: Vec<MaskedParty>,
}

/// Refuses the precondition that is not met, naming it.
fn precondition(code: &'static str, en: String, zh: String) -> AppError {
    AppError::conflict(code, "Not ready to register", "尚不能登记").with_detail(en, zh)
}

/// Both parties are cleared (an authoritative pass, a manual one with no authoritative failure
/// before it, or a supervisor's override), by checks younger than `max_age_minutes`.
fn require_cleared(
    conn: &mut DbConn,
    appointment_id: i64,
    max_age_minutes: u32,
) -> Result<(), AppError> {
    let all = household::checks(conn, appointment_id)?;
    let oldest = crate::clock::now() - chrono::Duration::minutes(i64::from(max_age_minutes));
    for i in 0..2 {
        match checks::clearing(&all, i) {
            None => {
                return Err(precondition(
                    "checks_incomplete",
                    format!("Party {i}'s household check has not passed (run it, or verify manually)."),
                    format!("第{}方当事人的户籍核查尚未通过。", i + 1),
                ))
            }
            Some(c) if c.checked_at < oldest => {
                return Err(precondition(
                    "checks_expired",
                    format!("Party {i}'s household check is older than {max_age_minutes} minutes: run the checks again."),
                    format!("第{}方当事人的户籍核查已超过{max_age_minutes}分钟，请重新核查。", i + 1),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Registers the marriage: both present, both checks passed (or manually verified), both
/// declarations recorded, the legal conditions still holding today. Issues the certificate
/// number from the office's counter in the same transaction, marks local residents married,
/// queues the notice mail, and audits.
pub fn register(
    conn: &mut DbConn,
    staff: &Staff,
    rules: &Rules<'_>,
    reference: &str,
    both_present: bool,
    idempotency_key: Option<&str>,
) -> Result<RegistrationView, AppError> {
    let saved = |c: &mut DbConn| match idempotency_key {
        Some(key) => idempotency::saved::<RegistrationView>(c, staff.id, key, reference),
        None => Ok(None),
    };
    if let Some(answer) = saved(conn)? {
        return Ok(answer);
    }
    let app = load(conn, staff, reference)?;
    if app.status != Status::CheckedIn {
        return Err(invalid_transition("register", &app.status));
    }
    if !both_present {
        return Err(AppError::unprocessable(
            "parties_not_present",
            "Both parties must be present",
            "双方须亲自到场",
        )
        .with_detail(
            "Registration needs both parties in person (民法典 第1049条).",
            "结婚登记须男女双方亲自到场（民法典第1049条）。",
        ));
    }
    require_cleared(conn, app.id, rules.checks_max_age_minutes)?;
    let declared = registration::declarations_of(conn, app.id)?;
    if declared.len() != 2 {
        return Err(precondition(
            "declarations_missing",
            "Both parties must sign the declaration before the registrar.".into(),
            "双方当事人须在登记员面前签署声明书。".into(),
        ));
    }
    let office =
        offices::find(conn, &app.office_id)?.ok_or_else(|| AppError::not_found("The office"))?;
    let parties = booking::stored_parties(&appointments::parties(conn, app.id)?)?;
    let today = crate::clock::today();
    let assessment = booking::require_eligible(rules, &parties, &office, today)?;
    let year = today.year();
    let result = db::write_tx(conn, |c| -> Result<RegistrationView, AppError> {
        let now = crate::clock::now();
        // The conditional update serialises two registrars on the same application; a retry
        // with the same key that lost the race answers what the first one answered.
        if !appointments::transition(c, app.id, Status::CheckedIn, Status::Registered, now)? {
            return match saved(c)? {
                Some(answer) => Ok(answer),
                None => Err(moved_on(c, "register", reference)),
            };
        }
        // Read again here, where no other registration can slip in between: the checks, the
        // register, and the database's own guard of the parties (issue 14 §1).
        require_cleared(c, app.id, rules.checks_max_age_minutes)?;
        for p in &parties {
            let id = p.id_number.as_str();
            if household::find(c, id)?.is_some_and(|r| !checks::may_marry(&r.marital_status)) {
                return Err(precondition(
                    "party_married",
                    "The register shows a party married since the checks (婚姻登记条例 第6条)."
                        .into(),
                    "户籍登记显示一方当事人已婚，不予登记（婚姻登记条例第六条）。".into(),
                ));
            }
            if !married::register(c, app.id, id, now)? {
                return Err(AppError::conflict(
                    "already_married",
                    "Already registered married",
                    "当事人已登记结婚",
                )
                .with_detail(
                    "A party is already registered married here (民法典 第1042条: monogamy).",
                    "一方当事人已在本地区登记结婚（民法典第一千零四十二条，一夫一妻）。",
                ));
            }
        }
        let (serial, number) = next_number(c, &office, year, Kind::Marriage)?;
        registration::issue(
            c,
            &Certificate {
                number: number.clone(),
                kind: Kind::Marriage.prefix().into(),
                appointment_id: app.id,
                office_id: office.id.clone(),
                year,
                serial,
                status: "valid".into(),
                issued_by: staff.id,
                issued_at: now,
                supersedes: None,
                revoked_at: None,
                revocation_basis: None,
                revocation_document: None,
            },
        )?;
        appointments::deactivate_parties(c, app.id)?;
        for p in &parties {
            if p.hukou.has_prefix(rules.region_prefix) {
                household::marry(c, app.id, p.id_number.as_str(), now)?;
            }
        }
        let names = parties
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join("、");
        if !app.contact_email.is_empty() {
            let email = crate::mail::registered(
                &app.contact_email,
                &names,
                &office.name,
                &number,
                to_local(now),
            );
            OutboxMessage::Email(email).enqueue(c, now, now)?;
        }
        let hukou: Vec<String> = parties.iter().map(|p| p.hukou.as_string()).collect();
        let (category, other_region) =
            hunyin_domain::statistics::classify(rules.region_prefix, &office.division_code, &hukou);
        hunyin_store::statistics::record_registration(
            c,
            &hunyin_store::statistics::RegistrationFact {
                appointment_id: app.id,
                office_id: office.id.clone(),
                registered_at: now,
                wait_seconds: (now - app.created_at).num_seconds().max(0),
                basis: hunyin_domain::statistics::basis_of(&assessment.bases).into(),
                category: category.into(),
                other_region,
            },
        )?;
        let notified = partner_outbound::enqueue(
            c,
            rules.directory,
            MARRIAGE_REGISTERED,
            &number,
            now,
            &office_ref(&office),
            &parties
                .iter()
                .zip(&hukou)
                .map(|(p, h)| Party {
                    id_number: p.id_number.as_str(),
                    name: &p.name,
                    hukou_division_code: h,
                })
                .collect::<Vec<_>>(),
        )?;
        audit_application(
            c,
            staff,
            app.id,
            "registration.registered",
            Details::none()
                .with("certificate", &number)
                .with("partners_notified", notified),
        )?;
        let answer = RegistrationView {
            reference: app.reference.clone(),
            status: Status::Registered.as_str().to_owned(),
            certificate_number: number,
            office_id: office.id.clone(),
            registered_at: rfc3339_utc(now),
            parties: parties
                .iter()
                .map(|p| MaskedParty::new(&p.name, p.id_number.as_str()))
                .collect(),
        };
        if let Some(key) = idempotency_key {
            idempotency::save(c, staff.id, key, reference, &answer, now)?;
        }
        Ok(answer)
    })?;
    tracing::info!(reference = %app.reference, certificate = %result.certificate_number, "marriage registered");
    Ok(result)
}
