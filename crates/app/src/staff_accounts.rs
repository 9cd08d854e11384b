//! A supervisor manages the staff of their office: list, create registrars and auditors,
//! disable an account (its sessions end at once). Every change is audited.

use serde::{Deserialize, Serialize};

use hunyin_domain::staff::Role;
use hunyin_store::staff::{self as store, StaffRow};
use hunyin_store::{self as db, DbConn};

use crate::audit::{self, Details, Event};
use crate::auth::{self, Staff};
use crate::error::{AppError, InvalidParam};

/// A staff account as supervisors see it (no password hash).
#[derive(Debug, Clone, Serialize)]
pub struct StaffView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub office_id: String,
    pub disabled: bool,
}

impl From<StaffRow> for StaffView {
    fn from(r: StaffRow) -> Self {
        StaffView {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            role: r.role,
            office_id: r.office_id,
            disabled: r.disabled,
        }
    }
}

/// The staff of an office.
#[derive(Debug, Clone, Serialize)]
pub struct StaffListView {
    pub staff: Vec<StaffView>,
}

/// A new account, as a supervisor asks for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password: String,
}

fn event<'a>(staff: &'a Staff, actor: &'a str, action: &'a str, subject: &'a str) -> Event<'a> {
    Event::by_staff(
        staff,
        actor,
        action,
        Some(("staff", subject)),
        Details::none(),
    )
}

/// The accounts of an office: its supervisors and auditors may list them.
pub fn list(conn: &mut DbConn, staff: &Staff, office_id: &str) -> Result<StaffListView, AppError> {
    staff.require_role(&[Role::Supervisor, Role::Auditor])?;
    staff.require_office(office_id)?;
    let rows = store::of_office(conn, office_id)?;
    Ok(StaffListView {
        staff: rows.into_iter().map(StaffView::from).collect(),
    })
}

/// Checks a new account's fields; the role it may have (registrar or auditor).
fn validate(b: &NewAccount) -> Result<Role, AppError> {
    let mut bad = Vec::new();
    let username_ok = (3..=64).contains(&b.username.len())
        && b.username
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"._-".contains(&c));
    if !username_ok {
        bad.push(InvalidParam::new(
            "username",
            "invalid_username",
            "3-64 characters of a-z, 0-9, ., _ and -",
        ));
    }
    let name_len = b.display_name.trim().chars().count();
    if name_len == 0 || name_len > 64 {
        bad.push(InvalidParam::new(
            "display_name",
            "invalid_display_name",
            "1-64 characters",
        ));
    }
    let role = match Role::parse(&b.role) {
        Some(r @ (Role::Registrar | Role::Auditor)) => Some(r),
        _ => {
            bad.push(InvalidParam::new(
                "role",
                "invalid_role",
                "registrar or auditor",
            ));
            None
        }
    };
    let pw_len = b.password.chars().count();
    if !(auth::MIN_PASSWORD_CHARS..=256).contains(&pw_len) {
        bad.push(InvalidParam::new(
            "password",
            "invalid_password",
            format!("{}-256 characters", auth::MIN_PASSWORD_CHARS),
        ));
    }
    match (role, bad.is_empty()) {
        (Some(role), true) => Ok(role),
        _ => Err(AppError::invalid(bad)),
    }
}

/// A supervisor creates a registrar or an auditor of their office (supervisors are created on
/// the command line).
pub fn create(
    conn: &mut DbConn,
    staff: &Staff,
    office_id: &str,
    b: &NewAccount,
) -> Result<StaffView, AppError> {
    staff.require_role(&[Role::Supervisor])?;
    staff.require_office(office_id)?;
    let role = validate(b)?;
    let hash = auth::hash_password(&b.password).map_err(AppError::internal)?;
    let row = db::write_tx(conn, |c| -> Result<StaffRow, AppError> {
        let created = store::insert(
            c,
            &store::NewStaff {
                office_id,
                username: &b.username,
                display_name: b.display_name.trim(),
                role: role.as_str(),
                password_hash: &hash,
                disabled: false,
                created_at: crate::clock::now(),
            },
        )?;
        if !created {
            return Err(AppError::conflict(
                "username_taken",
                "Username taken",
                "用户名已被使用",
            ));
        }
        let row = store::by_username(c, &b.username)?
            .ok_or_else(|| AppError::internal("new account vanished"))?;
        let (actor, subject) = (staff.id.to_string(), row.id.to_string());
        audit::record(c, event(staff, &actor, "staff.created", &subject))?;
        Ok(row)
    })?;
    Ok(row.into())
}

/// A supervisor disables an account of their office (not their own); its tokens stop working
/// at once.
pub fn disable(conn: &mut DbConn, staff: &Staff, id: i64) -> Result<StaffView, AppError> {
    staff.require_role(&[Role::Supervisor])?;
    if id == staff.id {
        return Err(AppError::conflict(
            "cannot_disable_self",
            "Cannot disable yourself",
            "不能停用自己的账号",
        ));
    }
    let not_found = || AppError::not_found("The account");
    let target = store::by_id(conn, id)?.ok_or_else(not_found)?;
    staff.require_office(&target.office_id)?;
    not_a_supervisor(&target)?;
    db::write_tx(conn, |c| -> Result<(), AppError> {
        store::disable(c, id, crate::clock::now())?;
        let (actor, subject) = (staff.id.to_string(), id.to_string());
        audit::record(c, event(staff, &actor, "staff.disabled", &subject))?;
        Ok(())
    })?;
    Ok(store::by_id(conn, id)?.ok_or_else(not_found)?.into())
}

/// 403 `supervisor_account` for a supervisor's account: supervisors are made and managed on
/// the command line (`hunyin admin`), never by a peer, who could otherwise reset a fellow
/// supervisor's password and act under their name.
fn not_a_supervisor(target: &StaffRow) -> Result<(), AppError> {
    if target.role == Role::Supervisor.as_str() {
        return Err(AppError::forbidden("supervisor_account").with_detail(
            "A supervisor's account is managed on the command line (hunyin admin), not by another supervisor.",
            "主管账号只能通过命令行（hunyin admin）管理，不能由其他主管修改。",
        ));
    }
    Ok(())
}

/// The account `id` of the supervisor's office (not their own, not a supervisor's), for a
/// change.
fn other_account(conn: &mut DbConn, staff: &Staff, id: i64) -> Result<StaffRow, AppError> {
    staff.require_role(&[Role::Supervisor])?;
    let target = store::by_id(conn, id)?.ok_or_else(|| AppError::not_found("The account"))?;
    staff.require_office(&target.office_id)?;
    not_a_supervisor(&target)?;
    if id == staff.id {
        return Err(AppError::conflict(
            "cannot_change_self",
            "Cannot change your own account here",
            "不能在此修改自己的账号",
        ));
    }
    Ok(target)
}

/// A supervisor enables a disabled account of their office again; audited.
pub fn enable(conn: &mut DbConn, staff: &Staff, id: i64) -> Result<StaffView, AppError> {
    other_account(conn, staff, id)?;
    db::write_tx(conn, |c| -> Result<(), AppError> {
        store::enable(c, id)?;
        let (actor, subject) = (staff.id.to_string(), id.to_string());
        audit::record(c, event(staff, &actor, "staff.enabled", &subject))?;
        Ok(())
    })?;
    let row = store::by_id(conn, id)?.ok_or_else(|| AppError::not_found("The account"))?;
    Ok(row.into())
}

/// A supervisor sets a new password for an account of their office (its sessions end); audited.
pub fn reset_password(
    conn: &mut DbConn,
    staff: &Staff,
    id: i64,
    password: &str,
) -> Result<StaffView, AppError> {
    other_account(conn, staff, id)?;
    let len = password.chars().count();
    if !(auth::MIN_PASSWORD_CHARS..=256).contains(&len) {
        return Err(AppError::invalid(vec![InvalidParam::new(
            "password",
            "invalid_password",
            format!("{}-256 characters", auth::MIN_PASSWORD_CHARS),
        )]));
    }
    let hash = auth::hash_password(password).map_err(AppError::internal)?;
    db::write_tx(conn, |c| -> Result<(), AppError> {
        store::set_password(c, id, &hash, crate::clock::now())?;
        let (actor, subject) = (staff.id.to_string(), id.to_string());
        audit::record(c, event(staff, &actor, "staff.password_reset", &subject))?;
        Ok(())
    })?;
    let row = store::by_id(conn, id)?.ok_or_else(|| AppError::not_found("The account"))?;
    Ok(row.into())
}
