//! `POST /my/reschedule`: a signed-in party of a booking moves it to another slot, without the
//! manage token: first the office's calendar (the reference carried in posted forms), then,
//! with a slot chosen, the move, and 我的预约 again with what happened.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use hunyin_app::booking::Rules;
use hunyin_app::citizen::appointments as mine;
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::calendar::{self, month_of, page_of, Shown};
use super::mine::{changed, posted};
use super::now_local;
use crate::page::{Page, PageError};

/// Where both steps post.
const ACTION: &str = "/my/reschedule";

pub async fn reschedule(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (who, fields) = match posted(&req, &body).await? {
        Ok(x) => x,
        Err(resp) => return Ok(resp),
    };
    let page = Page::new(&req);
    let l = page.chrome.lang;
    let reference = fields.get("reference").to_owned();
    if let Some(slot_id) = fields.opt("slot_id") {
        let r = reference.clone();
        let moved = with_db(state.clone(), move |c, s| {
            mine::reschedule(c, &Rules::of(s), &who, &r, None, &slot_id, now_local())
        })
        .await;
        return changed(state, &req, moved, "rescheduled", &reference, true).await;
    }
    let r = reference.clone();
    let v = with_db(state.clone(), move |c, s| {
        mine::view(c, &Rules::of(s), &who, &r)
    })
    .await
    .map_err(|e| PageError::of(l, &e.problem))?;
    let first = month_of(&fields, hunyin_app::clock::today());
    let m = calendar::load(state, l, v.appointment.office.id.clone(), first).await?;
    let shown = Shown {
        carry: vec![("reference".into(), reference)],
        day_action: ACTION.into(),
        slot_action: ACTION.into(),
        slot_button: l.t("改到此时间", "Move to this time").into(),
        heading: l.t("选择新的预约时间", "Choose a new time").into(),
    };
    let html = page_of(page.chrome.clone(), &m, fields.opt("day").as_deref(), shown).render();
    Ok(page.answer(StatusCode::OK, html))
}
