//! The declarations of an application (申请结婚登记声明书, 婚姻登记条例 第5条): each party
//! declares no spouse, no prohibited kinship and free will, signed before the registrar as
//! witness (监誓人).

use serde::Serialize;

use hunyin_domain::Status;
use hunyin_store::registration::{self, Declaration};
use hunyin_store::{self as db, DbConn};

use crate::applications::{audit_application, invalid_transition, load};
use crate::audit::Details;
use crate::auth::Staff;
use crate::error::{AppError, InvalidParam};

/// The declarations recorded so far.
#[derive(Debug, Clone, Serialize)]
pub struct DeclarationsView {
    pub reference: String,
    pub declarations: Vec<Declaration>,
}

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
) -> Result<DeclarationsView, AppError> {
    if d.party > 1 {
        return Err(AppError::invalid(vec![InvalidParam::new(
            "party",
            "invalid_party",
            "0 or 1",
        )]));
    }
    if !(d.no_spouse && d.no_prohibited_kinship && d.voluntary) {
        return Err(AppError::unprocessable(
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
    if app.status != Status::CheckedIn {
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
    db::write_tx(conn, |c| -> Result<(), AppError> {
        if !registration::declare(c, &row)? {
            return Err(
                AppError::conflict("already_declared", "Already declared", "已签署声明")
                    .with_detail(
                        format!("Party {} has already signed the declaration.", d.party),
                        format!("第{}方当事人已签署声明。", d.party + 1),
                    ),
            );
        }
        audit_application(
            c,
            staff,
            app.id,
            "declaration.recorded",
            Details::none().with("party", d.party),
        )?;
        Ok(())
    })?;
    Ok(DeclarationsView {
        declarations: registration::declarations_of(conn, app.id)?,
        reference: app.reference,
    })
}

/// The declarations of an application recorded so far, for counter staff of its office.
pub fn list(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
) -> Result<DeclarationsView, AppError> {
    let app = load(conn, staff, reference)?;
    Ok(DeclarationsView {
        declarations: registration::declarations_of(conn, app.id)?,
        reference: app.reference,
    })
}
