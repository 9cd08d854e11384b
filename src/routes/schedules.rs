//! A supervisor's weekly opening rule of their office.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::audit;
use crate::auth::{Role, Staff};
use crate::db::{self, slots};
use crate::domain::schedule::{parse_period, parse_weekday, WeeklyRule};
use crate::errors::{ApiError, InvalidParam};
use crate::extract::Json;
use crate::startup::AppState;

/// The weekly rule as the API shows and takes it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    pub weekdays: Vec<String>,
    pub periods: Vec<String>,
    pub slot_minutes: u32,
    pub capacity: u32,
}

fn to_body(r: &WeeklyRule) -> RuleBody {
    RuleBody {
        weekdays: r
            .weekdays
            .iter()
            .map(|d| d.to_string().to_lowercase())
            .collect(),
        periods: r
            .periods
            .iter()
            .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
            .collect(),
        slot_minutes: r.slot_minutes,
        capacity: r.capacity,
    }
}

fn parse(b: &RuleBody) -> Result<WeeklyRule, ApiError> {
    let mut bad = Vec::new();
    let weekdays: Vec<_> = b
        .weekdays
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            parse_weekday(w)
                .map_err(|e| {
                    bad.push(InvalidParam::new(
                        format!("weekdays[{i}]"),
                        "invalid_weekday",
                        e,
                    ))
                })
                .ok()
        })
        .collect();
    let periods: Vec<_> = b
        .periods
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            parse_period(p)
                .map_err(|e| {
                    bad.push(InvalidParam::new(
                        format!("periods[{i}]"),
                        "invalid_period",
                        e,
                    ))
                })
                .ok()
        })
        .collect();
    if !bad.is_empty() {
        return Err(ApiError::invalid(bad));
    }
    let rule = WeeklyRule {
        weekdays,
        periods,
        slot_minutes: b.slot_minutes,
        capacity: b.capacity,
    };
    rule.validate()
        .map_err(|e| ApiError::invalid(vec![InvalidParam::new("body", "invalid_schedule", e)]))?;
    Ok(rule)
}

/// `GET /v1/registrar/offices/{office_id}/schedule`: staff of that office.
pub async fn get(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let office_id = path.into_inner();
    staff.require_office(&office_id)?;
    let st = state.clone();
    let rule = web::block(move || -> Result<_, ApiError> {
        let mut conn = db::get(&st.pool)?;
        Ok(slots::rule_for(
            &mut conn,
            &office_id,
            &st.scheduling.default_rule,
        )?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(to_body(&rule)))
}

/// `PUT /v1/registrar/offices/{office_id}/schedule`: the office's supervisor sets the weekly
/// rule. Slots already booked keep their seats; new slots follow the rule.
pub async fn put(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    body: Json<RuleBody>,
) -> Result<HttpResponse, ApiError> {
    let office_id = path.into_inner();
    staff.require_role(&[Role::Supervisor])?;
    staff.require_office(&office_id)?;
    let rule = parse(&body.0)?;
    let st = state.clone();
    let shown = to_body(&rule);
    web::block(move || -> Result<(), ApiError> {
        let mut conn = db::get(&st.pool)?;
        db::write_tx(&mut conn, |c| -> Result<(), ApiError> {
            slots::set_rule(c, &office_id, &rule)?;
            let actor = staff.id.to_string();
            audit::record(
                c,
                audit::Event::by_staff(
                    &staff,
                    &actor,
                    "schedule.updated",
                    Some(("office", &office_id)),
                    serde_json::json!(to_body(&rule)),
                ),
            )?;
            Ok(())
        })
    })
    .await??;
    state.listings.clear();
    Ok(HttpResponse::Ok().json(shown))
}
