//! Declarations, registration (with the certificate number) and refusal of an application
//! (婚姻登记条例 第5-7条; 婚姻登记工作规范: 受理 -> 审查 -> 登记发证 / 不予登记).

use chrono::Datelike;
use serde_json::{json, Value};

use crate::applications::{invalid_transition, load, moved_on, staff_event as event};
use crate::audit;
use crate::auth::Staff;
use crate::booking::{self, Rules};
use crate::checks;
use crate::db::appointments;
use crate::db::registration::{self, Certificate, Declaration};
use crate::db::{self, household, offices, DbConn};
use crate::domain::certificate::{CertificateNumber, Kind};
use crate::errors::{ApiError, InvalidParam};
use crate::partner::notifications::{self, OfficeRef, Party};

/// Statutory reasons to refuse (婚姻登记条例 2003 第6条, 第4条, 第5条), with their citations and
/// the wording of the written notice.
pub const REFUSAL_REASONS: [(&str, &str, &str); 6] = [
    (
        "under_age",
        "婚姻登记条例 第6条第(1)项; 民法典 第1047条",
        "未到法定结婚年龄",
    ),
    (
        "not_voluntary",
        "婚姻登记条例 第6条第(2)项; 民法典 第1046条",
        "非双方自愿",
    ),
    (
        "already_married",
        "婚姻登记条例 第6条第(3)项; 民法典 第1042条",
        "一方或者双方已有配偶",
    ),
    (
        "prohibited_kinship",
        "婚姻登记条例 第6条第(4)项; 民法典 第1048条",
        "属于直系血亲或者三代以内旁系血亲",
    ),
    (
        "no_jurisdiction",
        "婚姻登记条例 第4条; 国函〔2021〕48号",
        "本登记机关无管辖权",
    ),
    (
        "documents_inconsistent",
        "婚姻登记条例 第5条",
        "所持证件、证明材料不齐全或者相关信息不一致",
    ),
];

/// A party's declaration (申请结婚登记声明书), signed before the registrar as witness (监誓人).
pub struct DeclarationIn {
    pub party: usize,
    pub no_spouse: bool,
    pub no_prohibited_kinship: bool,
    pub voluntary: bool,
}

/// Records one party's declaration. All three statements must be affirmed: a party who cannot
/// affirm one is refused instead (422 `declaration_incomplete`).
pub fn declare(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
    d: &DeclarationIn,
) -> Result<Value, ApiError> {
    if d.party > 1 {
        return Err(ApiError::invalid(vec![InvalidParam::new(
            "party",
            "invalid_party",
            "0 or 1",
        )]));
    }
    if !(d.no_spouse && d.no_prohibited_kinship && d.voluntary) {
        return Err(ApiError::unprocessable(
            "declaration_incomplete",
            "Declaration incomplete",
            "声明不完整",
        )
        .with_detail(
            "Each party must declare no spouse, no prohibited kinship and free will; otherwise refuse the registration with the matching reason.",
            "当事人须声明无配偶、无禁止结婚的亲属关系且完全自愿；否则应以相应理由不予登记。",
        ));
    }
    let app = load(conn, staff, reference)?;
    if app.status != "checked_in" {
        return Err(invalid_transition("record a declaration", &app.status));
    }
    let row = Declaration {
        appointment_id: app.id,
        party_idx: d.party as i32,
        no_spouse: true,
        no_prohibited_kinship: true,
        voluntary: true,
        witnessed_by: staff.id,
        declared_at: crate::clock::now(),
    };
    db::write_tx(conn, |c| -> Result<(), ApiError> {
        if !registration::declare(c, &row)? {
            return Err(
                ApiError::conflict("already_declared", "Already declared", "已签署声明")
                    .with_detail(
                        format!("Party {} has already signed the declaration.", d.party),
                        format!("第{}方当事人已签署声明。", d.party + 1),
                    ),
            );
        }
        let actor = staff.id.to_string();
        let subject = app.id.to_string();
        audit::record(
            c,
            event(
                staff,
                &actor,
                "declaration.recorded",
                &subject,
                json!({ "party": d.party }),
            ),
        )?;
        Ok(())
    })?;
    Ok(json!({
        "reference": app.reference,
        "declarations": registration::declarations_of(conn, app.id)?,
    }))
}

/// Refuses the precondition that is not met, naming it.
fn precondition(code: &'static str, en: String, zh: String) -> ApiError {
    ApiError::conflict(code, "Not ready to register", "尚不能登记").with_detail(en, zh)
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
) -> Result<Value, ApiError> {
    if let Some(key) = idempotency_key {
        if let Some(stored) = replay(conn, staff, key, reference)? {
            return Ok(stored);
        }
    }
    let app = load(conn, staff, reference)?;
    if app.status != "checked_in" {
        return Err(invalid_transition("register", &app.status));
    }
    if !both_present {
        return Err(ApiError::unprocessable(
            "parties_not_present",
            "Both parties must be present",
            "双方须亲自到场",
        )
        .with_detail(
            "Registration needs both parties in person (民法典 第1049条).",
            "结婚登记须男女双方亲自到场（民法典第1049条）。",
        ));
    }
    let all = db::household::checks(conn, app.id)?;
    for (i, c) in checks::latest(&all).iter().enumerate() {
        if !c.is_some_and(|c| c.outcome == "passed") {
            return Err(precondition(
                "checks_incomplete",
                format!("Party {i}'s household check has not passed (run it, or verify manually)."),
                format!("第{}方当事人的户籍核查尚未通过。", i + 1),
            ));
        }
    }
    let declared = registration::declarations_of(conn, app.id)?;
    if declared.len() != 2 {
        return Err(precondition(
            "declarations_missing",
            "Both parties must sign the declaration before the registrar.".into(),
            "双方当事人须在登记员面前签署声明书。".into(),
        ));
    }
    let office =
        offices::find(conn, &app.office_id)?.ok_or_else(|| ApiError::not_found("The office"))?;
    let parties = booking::stored_parties(&appointments::parties(conn, app.id)?)?;
    let today = crate::clock::today();
    let assessment = booking::require_eligible(rules, &parties, &office, today)?;
    let year = today.year();
    let result = db::write_tx(conn, |c| -> Result<Value, ApiError> {
        // The conditional update serialises two registrars on the same application.
        if !appointments::transition(c, app.id, "checked_in", "registered")? {
            return Err(moved_on(c, "register", reference));
        }
        let serial = registration::next_serial(c, &office.id, year, Kind::Marriage.prefix())?;
        let number = CertificateNumber {
            kind: Kind::Marriage,
            office_code: office.division_code.clone(),
            year,
            serial: serial as u32,
        }
        .to_string();
        let now = crate::clock::now();
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
                household::marry(c, app.id, p.id_number.as_str())?;
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
                crate::db::slots::to_local(now),
            );
            db::outbox::enqueue(c, crate::outbox::EMAIL, &json!(email), now)?;
        }
        let hukou: Vec<String> = parties.iter().map(|p| p.hukou.as_string()).collect();
        let (category, other_region) =
            crate::statistics::classify(rules.region_prefix, &office.division_code, &hukou);
        crate::db::statistics::record_registration(
            c,
            &crate::db::statistics::RegistrationFact {
                appointment_id: app.id,
                office_id: office.id.clone(),
                registered_at: now,
                wait_seconds: (now - app.created_at).num_seconds().max(0),
                basis: crate::statistics::basis_of(&assessment.bases).into(),
                category: category.into(),
                other_region,
            },
        )?;
        let notified = notifications::enqueue(
            c,
            rules.directory,
            notifications::MARRIAGE_REGISTERED,
            &number,
            now,
            &OfficeRef::from(&office),
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
        let actor = staff.id.to_string();
        let subject = app.id.to_string();
        audit::record(
            c,
            event(
                staff,
                &actor,
                "registration.registered",
                &subject,
                json!({ "certificate": number, "partners_notified": notified }),
            ),
        )?;
        let answer = json!({
            "reference": app.reference,
            "status": "registered",
            "certificate_number": number,
            "office_id": office.id,
            "registered_at": crate::clock::rfc3339_utc(now),
            "parties": parties.iter().map(|p| json!({
                "name": p.name,
                "id_number_masked": crate::telemetry::mask(p.id_number.as_str()),
            })).collect::<Vec<_>>(),
        });
        if let Some(key) = idempotency_key {
            registration::remember_response(c, staff.id, key, reference, 201, &answer.to_string())?;
        }
        Ok(answer)
    })?;
    tracing::info!(reference = %app.reference, certificate = %result["certificate_number"], "marriage registered");
    Ok(result)
}

/// The stored answer to an earlier request with this Idempotency-Key, if any; 422
/// `idempotency_key_reused` when the key was used for another application.
pub fn replay(
    conn: &mut DbConn,
    staff: &Staff,
    key: &str,
    reference: &str,
) -> Result<Option<Value>, ApiError> {
    let Some((request, _status, response)) =
        registration::idempotent_response(conn, staff.id, key)?
    else {
        return Ok(None);
    };
    if request != reference {
        return Err(ApiError::unprocessable(
            "idempotency_key_reused",
            "Idempotency-Key reused",
            "幂等键已用于其他请求",
        )
        .with_detail(
            "This Idempotency-Key was used for another application.",
            "该 Idempotency-Key 已用于其他申请。",
        ));
    }
    serde_json::from_str(&response)
        .map(Some)
        .map_err(ApiError::internal)
}

/// Refuses a checked-in application with a statutory reason and a note.
pub fn refuse(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
    reason: &str,
    note: &str,
) -> Result<Value, ApiError> {
    let mut bad = Vec::new();
    if !REFUSAL_REASONS.iter().any(|(code, _, _)| *code == reason) {
        bad.push(InvalidParam::new(
            "reason_code",
            "invalid_reason_code",
            "under_age, not_voluntary, already_married, prohibited_kinship, no_jurisdiction or documents_inconsistent",
        ));
    }
    let len = note.trim().chars().count();
    if len == 0 || len > 1000 {
        bad.push(InvalidParam::new(
            "note",
            "invalid_note",
            "1-1000 characters: the facts found",
        ));
    }
    if !bad.is_empty() {
        return Err(ApiError::invalid(bad));
    }
    let app = load(conn, staff, reference)?;
    db::write_tx(conn, |c| -> Result<(), ApiError> {
        if !appointments::transition(c, app.id, "checked_in", "refused")? {
            return Err(moved_on(c, "refuse", reference));
        }
        registration::refuse(
            c,
            app.id,
            reason,
            note.trim(),
            staff.id,
            crate::clock::now(),
        )?;
        appointments::deactivate_parties(c, app.id)?;
        let actor = staff.id.to_string();
        let subject = app.id.to_string();
        audit::record(
            c,
            event(
                staff,
                &actor,
                "registration.refused",
                &subject,
                json!({ "reason_code": reason }),
            ),
        )?;
        Ok(())
    })?;
    notice(conn, staff, reference)
}

/// The written notice of refusal (不予办理结婚登记通知单), as JSON with its Chinese text.
pub fn notice(conn: &mut DbConn, staff: &Staff, reference: &str) -> Result<Value, ApiError> {
    let app = load(conn, staff, reference)?;
    let Some((reason, note, _by, at)) = registration::refusal_of(conn, app.id)? else {
        return Err(ApiError::not_found("The refusal")
            .with_detail("This application was not refused.", "该申请未被不予登记。"));
    };
    let office =
        offices::find(conn, &app.office_id)?.ok_or_else(|| ApiError::not_found("The office"))?;
    let parties = appointments::parties(conn, app.id)?;
    let (_, basis, wording) = REFUSAL_REASONS
        .iter()
        .find(|(code, _, _)| *code == reason)
        .copied()
        .unwrap_or(("", "婚姻登记条例", ""));
    let local = at + chrono::Duration::hours(8);
    let names = parties
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join("、");
    let text = format!(
        "不予办理结婚登记通知单\n\n{names}：\n\n你们于{}向本机关申请办理结婚登记。经审查，{wording}，\
         根据{basis}的规定，本机关决定不予办理结婚登记。\n\n审查情况：{note}\n\n\
         如对本决定不服，可以依法申请行政复议或者提起行政诉讼。\n\n{}\n{}\n申请编号：{}\n",
        local.format("%Y年%m月%d日"),
        office.name,
        local.format("%Y年%m月%d日"),
        app.reference,
    );
    Ok(json!({
        "reference": app.reference,
        "status": app.status,
        "reason_code": reason,
        "basis": basis,
        "note": note,
        "refused_at": crate::clock::rfc3339_utc(at),
        "notice_text": text,
    }))
}
