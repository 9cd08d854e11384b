//! What the divorce counter answers: the application with its dates, and the printable texts of
//! the procedure (民发〔2020〕116号): the 离婚登记申请受理回执单 while it is received, the
//! 撤回离婚登记申请确认单 once withdrawn.

use chrono::NaiveDate;
use serde::Serialize;

use hunyin_domain::mask::mask;
use hunyin_domain::time::{rfc3339_utc, to_local};
use hunyin_store::divorce::{self as store, Application};
use hunyin_store::{offices, DbConn};

use crate::error::AppError;

/// A party as the counter shows it: ID number masked.
#[derive(Debug, Clone, Serialize)]
pub struct DivorceParty {
    pub name: String,
    pub id_number_masked: String,
    pub hukou_division_code: String,
    /// Who answered the household check: `local_register`, `partner` or `manual`.
    pub check_source: String,
}

/// The divorce agreement as given (民法典 第1076条), confirmed complete by the registrar.
#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    pub children: String,
    pub property: String,
    pub debts: String,
}

/// A printable document of the procedure.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub title: &'static str,
    pub text: String,
}

/// A divorce application: where it stands and its dates (Asia/Shanghai).
#[derive(Debug, Clone, Serialize)]
pub struct DivorceView {
    pub reference: String,
    /// `received`, `withdrawn`, `issued`, `refused` or `lapsed`.
    pub status: String,
    pub office_id: String,
    pub marriage_certificate: String,
    /// `register` (our records), `partner` (the registering region's instance) or `paper`.
    pub marriage_source: String,
    pub received_on: NaiveDate,
    pub cooling_off_ends: NaiveDate,
    pub issue_from: NaiveDate,
    pub issue_until: NaiveDate,
    pub received_at: String,
    pub parties: Vec<DivorceParty>,
    pub agreement: Agreement,
    pub withdrawn_by_party: Option<i32>,
    pub certificate_number: Option<String>,
    pub closed_at: Option<String>,
    pub document: Option<Document>,
}

/// The written notice of a refused divorce registration.
#[derive(Debug, Clone, Serialize)]
pub struct DivorceRefusalNotice {
    pub reference: String,
    pub status: String,
    pub reason_code: String,
    pub basis: &'static str,
    pub note: String,
    pub refused_at: String,
    pub notice_text: String,
}

fn zh_date(d: NaiveDate) -> String {
    d.format("%Y年%m月%d日").to_string()
}

/// The view of a stored application.
pub(crate) fn of(conn: &mut DbConn, app: &Application) -> Result<DivorceView, AppError> {
    let parties = store::parties(conn, app.id)?;
    let office =
        offices::find(conn, &app.office_id)?.ok_or_else(|| AppError::not_found("The office"))?;
    let names = parties
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join("、");
    let document = match app.status.as_str() {
        "received" => Some(Document {
            title: "离婚登记申请受理回执单",
            text: format!(
                "离婚登记申请受理回执单\n\n{names}：\n\n你们于{}向本机关申请办理离婚登记，本机关已受理（受理编号：{}）。\n\
                 自受理之日起三十日内（至{}止），任何一方不愿意离婚的，可以持本回执单向本机关撤回离婚登记申请。\n\
                 期间届满后三十日内（{}至{}），双方应当亲自到本机关申请发给离婚证；未申请的，视为撤回离婚登记申请。\n\
                 依据：《中华人民共和国民法典》第一千零七十七条。\n\n{}\n{}\n",
                zh_date(app.received_on),
                app.reference,
                zh_date(app.cooling_off_ends),
                zh_date(app.issue_from),
                zh_date(app.issue_until),
                office.name,
                zh_date(app.received_on),
            ),
        }),
        "withdrawn" => {
            let on = app.closed_at.map(|t| to_local(t).date()).unwrap_or(app.received_on);
            let who = app
                .withdrawn_by_party
                .and_then(|i| parties.get(i as usize))
                .map(|p| p.name.clone())
                .unwrap_or_default();
            Some(Document {
                title: "撤回离婚登记申请确认单",
                text: format!(
                    "撤回离婚登记申请确认单\n\n{names}：\n\n你们于{}提出的离婚登记申请（受理编号：{}），\
                     经{who}于{}在离婚冷静期内申请撤回，本机关确认该申请已撤回。\n\n{}\n{}\n",
                    zh_date(app.received_on),
                    app.reference,
                    zh_date(on),
                    office.name,
                    zh_date(on),
                ),
            })
        }
        _ => None,
    };
    Ok(DivorceView {
        reference: app.reference.clone(),
        status: app.status.clone(),
        office_id: app.office_id.clone(),
        marriage_certificate: app.marriage_certificate.clone(),
        marriage_source: app.marriage_source.clone(),
        received_on: app.received_on,
        cooling_off_ends: app.cooling_off_ends,
        issue_from: app.issue_from,
        issue_until: app.issue_until,
        received_at: rfc3339_utc(app.received_at),
        parties: parties
            .iter()
            .map(|p| DivorceParty {
                name: p.name.clone(),
                id_number_masked: mask(&p.id_number),
                hukou_division_code: p.hukou_division_code.clone(),
                check_source: p.check_source.clone(),
            })
            .collect(),
        agreement: Agreement {
            children: app.agreement_children.clone(),
            property: app.agreement_property.clone(),
            debts: app.agreement_debts.clone(),
        },
        withdrawn_by_party: app.withdrawn_by_party,
        certificate_number: app.certificate_number.clone(),
        closed_at: app.closed_at.map(rfc3339_utc),
        document,
    })
}
