//! The certificate's inner page for the certificate printer (结婚证内页: both parties' names,
//! sex, dates of birth and ID numbers, the registration date, the number, the office), for
//! counter staff of the registering office; every print is an audited read of both parties.

use serde::Serialize;

use hunyin_domain::id_number::{IdNumber, Sex};
use hunyin_domain::time::to_local;
use hunyin_store::registration::{self, Certificate};
use hunyin_store::{appointments, offices, DbConn};

use crate::applications::{audit_application, load};
use crate::audit::Details;
use crate::auth::Staff;
use crate::error::AppError;

/// One party as the certificate prints them.
#[derive(Debug, Clone, Serialize)]
pub struct PrintedParty {
    pub name: String,
    pub sex: Sex,
    /// `YYYY-MM-DD`, from the ID number.
    pub birth_date: String,
    pub id_number: String,
}

/// The inner page of the application's current marriage certificate.
#[derive(Debug, Clone, Serialize)]
pub struct CertificatePrint {
    pub reference: String,
    pub certificate_number: String,
    /// `J` or `BJ`.
    pub kind: String,
    /// The day of registration in Asia/Shanghai, `YYYY-MM-DD`.
    pub registered_on: String,
    pub office_name: String,
    pub parties: Vec<PrintedParty>,
}

/// The certificate numbers of an application, oldest first (no personal data).
#[derive(Debug, Clone, Serialize)]
pub struct CertificateNumbers {
    pub reference: String,
    pub certificates: Vec<NumberView>,
}

/// One number and its state.
#[derive(Debug, Clone, Serialize)]
pub struct NumberView {
    pub certificate_number: String,
    pub status: String,
}

fn current(all: &[Certificate]) -> Option<&Certificate> {
    all.iter().rev().find(|c| c.status == "valid")
}

/// The certificate numbers of an application, for counter staff of its office.
pub fn numbers_of(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
) -> Result<CertificateNumbers, AppError> {
    let app = load(conn, staff, reference)?;
    let certificates = registration::certificates_of(conn, app.id)?
        .into_iter()
        .map(|c| NumberView {
            certificate_number: c.number,
            status: c.status,
        })
        .collect();
    Ok(CertificateNumbers {
        reference: app.reference,
        certificates,
    })
}

/// The printable inner page of the application's valid certificate (404 when it has none);
/// audited as `certificate.printed`.
pub fn printable(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
) -> Result<CertificatePrint, AppError> {
    let app = load(conn, staff, reference)?;
    let all = registration::certificates_of(conn, app.id)?;
    let cert = current(&all).ok_or_else(|| {
        AppError::not_found("The certificate").with_detail(
            "This application has no valid certificate to print.",
            "该申请没有可打印的有效结婚证。",
        )
    })?;
    let office = offices::find(conn, &cert.office_id)?
        .ok_or_else(|| AppError::internal("certificate of an unknown office"))?;
    let mut parties = Vec::new();
    for p in appointments::parties(conn, app.id)? {
        let id = IdNumber::parse(&p.id_number, crate::clock::today())
            .map_err(|_| AppError::internal("stored ID number"))?;
        parties.push(PrintedParty {
            name: p.name,
            sex: id.sex(),
            birth_date: id.birth_date().to_string(),
            id_number: p.id_number,
        });
    }
    audit_application(
        conn,
        staff,
        app.id,
        "certificate.printed",
        Details::none().with("certificate", &cert.number),
    )?;
    Ok(CertificatePrint {
        reference: app.reference,
        certificate_number: cert.number.clone(),
        kind: cert.kind.clone(),
        registered_on: to_local(cert.issued_at).date().to_string(),
        office_name: office.name,
        parties,
    })
}
