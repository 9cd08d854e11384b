//! A supervisor manages the staff of their office: list, create registrars and auditors,
//! disable an account (its sessions end at once).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::audit;
use crate::auth::{self, Role, Staff};
use crate::db::{self, staff as staff_db};
use crate::errors::{ApiError, InvalidParam};
use crate::extract::Json;
use crate::startup::AppState;

fn view(r: &staff_db::StaffRow) -> serde_json::Value {
    json!({
        "id": r.id,
        "username": r.username,
        "display_name": r.display_name,
        "role": r.role,
        "office_id": r.office_id,
        "disabled": r.disabled,
    })
}

fn event<'a>(
    staff: &'a Staff,
    actor: &'a str,
    action: &'a str,
    subject: &'a str,
) -> audit::Event<'a> {
    audit::Event::by_staff(staff, actor, action, Some(("staff", subject)), json!({}))
}

/// `GET /v1/registrar/offices/{office_id}/staff`: supervisors and auditors of the office.
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let office_id = path.into_inner();
    staff.require_role(&[Role::Supervisor, Role::Auditor])?;
    staff.require_office(&office_id)?;
    let st = state.clone();
    let rows = web::block(move || -> Result<_, ApiError> {
        let mut conn = db::get(&st.pool)?;
        Ok(staff_db::of_office(&mut conn, &office_id)?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(json!({ "staff": rows.iter().map(view).collect::<Vec<_>>() })))
}

/// `POST …/staff` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewStaffBody {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password: String,
}

/// `POST /v1/registrar/offices/{office_id}/staff`: a supervisor creates a registrar or an
/// auditor of their office (supervisors are created on the command line).
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    body: Json<NewStaffBody>,
) -> Result<HttpResponse, ApiError> {
    let office_id = path.into_inner();
    staff.require_role(&[Role::Supervisor])?;
    staff.require_office(&office_id)?;
    let b = body.0;
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
    let (Some(role), true) = (role, bad.is_empty()) else {
        return Err(ApiError::invalid(bad));
    };
    let st = state.clone();
    let row = web::block(move || -> Result<_, ApiError> {
        let hash = auth::hash_password(&b.password).map_err(ApiError::internal)?;
        let mut conn = db::get(&st.pool)?;
        db::write_tx(&mut conn, |c| -> Result<_, ApiError> {
            let created = staff_db::insert(
                c,
                &staff_db::NewStaff {
                    office_id: &office_id,
                    username: &b.username,
                    display_name: b.display_name.trim(),
                    role: role.as_str(),
                    password_hash: &hash,
                    disabled: false,
                    created_at: crate::clock::now(),
                },
            )?;
            if !created {
                return Err(ApiError::conflict(
                    "username_taken",
                    "Username taken",
                    "用户名已被使用",
                ));
            }
            let row = staff_db::by_username(c, &b.username)?
                .ok_or_else(|| ApiError::internal("new account vanished"))?;
            let (actor, subject) = (staff.id.to_string(), row.id.to_string());
            audit::record(c, event(&staff, &actor, "staff.created", &subject))?;
            Ok(row)
        })
    })
    .await??;
    Ok(HttpResponse::Created().json(view(&row)))
}

/// `POST /v1/registrar/staff/{staff_id}/disable`: a supervisor disables an account of their
/// office (not their own); its tokens stop working at once.
pub async fn disable(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    staff.require_role(&[Role::Supervisor])?;
    if id == staff.id {
        return Err(ApiError::conflict(
            "cannot_disable_self",
            "Cannot disable yourself",
            "不能停用自己的账号",
        ));
    }
    let st = state.clone();
    let row = web::block(move || -> Result<_, ApiError> {
        let mut conn = db::get(&st.pool)?;
        let target =
            staff_db::by_id(&mut conn, id)?.ok_or_else(|| ApiError::not_found("The account"))?;
        staff.require_office(&target.office_id)?;
        db::write_tx(&mut conn, |c| -> Result<(), ApiError> {
            staff_db::disable(c, id, crate::clock::now())?;
            let (actor, subject) = (staff.id.to_string(), id.to_string());
            audit::record(c, event(&staff, &actor, "staff.disabled", &subject))?;
            Ok(())
        })?;
        Ok(staff_db::by_id(&mut conn, id)?)
    })
    .await??;
    let row = row.ok_or_else(|| ApiError::not_found("The account"))?;
    Ok(HttpResponse::Ok().json(view(&row)))
}
