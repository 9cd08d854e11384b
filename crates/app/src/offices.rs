//! The registration offices of this instance, as anyone may read them.

use serde::Serialize;

use hunyin_domain::DivisionCode;
use hunyin_store::offices::{self, Office};
use hunyin_store::DbConn;

use crate::error::{AppError, InvalidParam};

/// An office as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct OfficeView {
    pub id: String,
    pub name: String,
    pub division_code: String,
    pub division_name: &'static str,
    pub address: String,
    pub phone: String,
}

impl From<Office> for OfficeView {
    fn from(o: Office) -> Self {
        let division_name = DivisionCode::parse(&o.division_code)
            .map(|c| c.name())
            .unwrap_or("");
        OfficeView {
            id: o.id,
            name: o.name,
            division_code: o.division_code,
            division_name,
            address: o.address,
            phone: o.phone,
        }
    }
}

/// The list of offices.
#[derive(Debug, Clone, Serialize)]
pub struct OfficesView {
    pub offices: Vec<OfficeView>,
}

/// Every office, by id; with a GB/T 2260 `prefix` (2, 4 or 6 digits), only those under it.
pub fn list(conn: &mut DbConn, prefix: Option<&str>) -> Result<OfficesView, AppError> {
    if let Some(p) = prefix {
        let ok = matches!(p.len(), 2 | 4 | 6) && p.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return Err(AppError::invalid(vec![InvalidParam::new(
                "division_prefix",
                "invalid_division_prefix",
                "a GB/T 2260 prefix of 2, 4 or 6 digits",
            )]));
        }
    }
    let found = offices::list(conn, prefix)?;
    Ok(OfficesView {
        offices: found.into_iter().map(OfficeView::from).collect(),
    })
}

/// One office.
pub fn get(conn: &mut DbConn, id: &str) -> Result<OfficeView, AppError> {
    match offices::find(conn, id)? {
        Some(o) => Ok(o.into()),
        None => Err(AppError::not_found("The office")
            .with_detail("No office has this id.", "没有此编号的婚姻登记处。")),
    }
}
