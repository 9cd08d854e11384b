//! `/offices/{id}/calendar?month=YYYY-MM`: an office's month, free seats per day, holidays,
//! 调休 and special days marked; a day chosen (a posted button) lists its slots, full ones
//! shown as full. A month is not personal data; the parties carried from the eligibility page
//! travel only in the posted forms. The reschedule page shows the same calendar.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use hunyin_app::booking::{self, DayView, MonthView, Rules};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::{now_local, parties, weekday, Fields};
use crate::form;
use crate::lang::Lang;
use crate::page::{Chrome, Page, PageError};

/// One cell of the month grid.
pub struct Cell {
    pub date: String,
    pub day: u32,
    /// Chosen to show its slots.
    pub chosen: bool,
    /// The day can be chosen (open, bookable, with slots).
    pub choosable: bool,
    pub tags: Vec<(&'static str, &'static str)>,
    /// What the cell says besides its number.
    pub note: String,
    pub label: String,
}

/// A slot of the chosen day.
pub struct SlotRow {
    pub id: String,
    pub time: String,
    pub remaining: i32,
}

#[derive(Template)]
#[template(path = "couples/calendar.html")]
pub struct CalendarPage {
    pub c: Chrome,
    pub office_id: String,
    pub office_name: String,
    pub month_title: String,
    pub month: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub weekdays: Vec<&'static str>,
    pub weeks: Vec<Vec<Option<Cell>>>,
    pub chosen_title: Option<String>,
    pub slots: Vec<SlotRow>,
    pub carry: Vec<(String, String)>,
    pub day_action: String,
    pub slot_action: String,
    pub slot_button: String,
    pub days_ahead: u32,
    pub heading: String,
    /// What is wrong with the last choice (the summary above the calendar).
    pub errors: crate::form::Errors,
    /// Dates shown above the calendar (a divorce's cooling-off and issue window).
    pub intro: Vec<(String, String)>,
}

fn tags(l: Lang, d: &DayView) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    match d.kind {
        "holiday" => out.push(("holiday", l.t("休", "Holiday"))),
        "adjusted_workday" => out.push(("work", l.t("班", "Make-up workday"))),
        _ => {}
    }
    if d.special {
        out.push(("special", l.t("特", "Special day")));
    }
    out
}

fn day_title(l: Lang, date: NaiveDate) -> String {
    let wd = weekday(l, date.weekday().number_from_monday());
    match l {
        Lang::Zh => format!("{}月{}日 {wd}", date.month(), date.day()),
        Lang::En => format!("{wd} {}", date.format("%-d %B")),
    }
}

/// What a calendar page shows besides the month.
pub struct Shown {
    pub carry: Vec<(String, String)>,
    pub day_action: String,
    pub slot_action: String,
    pub slot_button: String,
    pub heading: String,
}

/// The page of `m` with `chosen` day's slots.
pub fn page_of(c: Chrome, m: &MonthView, chosen: Option<&str>, shown: Shown) -> CalendarPage {
    let l = c.lang;
    let mut weeks: Vec<Vec<Option<Cell>>> = Vec::new();
    let mut week: Vec<Option<Cell>> = Vec::new();
    if let Some(first) = m.days.first() {
        for _ in 1..first.weekday {
            week.push(None);
        }
    }
    let mut chosen_title = None;
    let mut slots = Vec::new();
    for d in &m.days {
        let date = NaiveDate::parse_from_str(&d.date, "%Y-%m-%d").unwrap_or_default();
        let choosable = d.open && d.bookable && !d.slots.is_empty();
        let is_chosen = chosen == Some(d.date.as_str()) && choosable;
        if is_chosen {
            chosen_title = Some(day_title(l, date));
            slots = d
                .slots
                .iter()
                .map(|s| SlotRow {
                    id: s.id.to_string(),
                    time: format!("{}-{}", &s.start[11..16], &s.end[11..16]),
                    remaining: s.remaining,
                })
                .collect();
        }
        let note = if choosable {
            if d.free > 0 {
                format!("{}{}", l.t("余", "free "), d.free)
            } else {
                l.t("约满", "full").to_owned()
            }
        } else if !d.open {
            l.t("不开放", "closed").to_owned()
        } else {
            String::new()
        };
        let tag_text: Vec<&str> = tags(l, d).iter().map(|t| t.1).collect();
        week.push(Some(Cell {
            label: format!(
                "{}{}{}",
                day_title(l, date),
                if note.is_empty() {
                    String::new()
                } else {
                    format!(", {note}")
                },
                if tag_text.is_empty() {
                    String::new()
                } else {
                    format!(", {}", tag_text.join(", "))
                }
            ),
            date: d.date.clone(),
            day: d.day,
            chosen: is_chosen,
            choosable,
            tags: tags(l, d),
            note,
        }));
        if week.len() == 7 {
            weeks.push(std::mem::take(&mut week));
        }
    }
    if !week.is_empty() {
        while week.len() < 7 {
            week.push(None);
        }
        weeks.push(week);
    }
    let first =
        NaiveDate::parse_from_str(&format!("{}-01", m.month), "%Y-%m-%d").unwrap_or_default();
    CalendarPage {
        month_title: match l {
            Lang::Zh => format!("{}年{}月", first.year(), first.month()),
            Lang::En => first.format("%B %Y").to_string(),
        },
        weekdays: (1..=7).map(|i| weekday(l, i)).collect(),
        c,
        office_id: m.office.id.clone(),
        office_name: m.office.name.clone(),
        month: m.month.clone(),
        previous: m.previous.clone(),
        next: m.next.clone(),
        weeks,
        chosen_title,
        slots,
        carry: shown.carry,
        day_action: shown.day_action,
        slot_action: shown.slot_action,
        slot_button: shown.slot_button,
        days_ahead: m.days_ahead,
        heading: shown.heading,
        errors: crate::form::Errors::default(),
        intro: Vec::new(),
    }
}

/// The first day of the month a form or query asks for: `month` (a navigation button),
/// else the chosen `day`'s, else `shown`, else the carried date's, else this month.
pub fn month_of(fields: &Fields, today: NaiveDate) -> NaiveDate {
    let month =
        |s: &str| NaiveDate::parse_from_str(&format!("{}-01", s.get(..7)?), "%Y-%m-%d").ok();
    let this = today.with_day(1).unwrap_or(today);
    ["month", "day", "shown", "date"]
        .iter()
        .find_map(|k| month(fields.get(k)).filter(|m| *k != "date" || *m >= this))
        .unwrap_or(this)
}

/// The month `first` of `office_id`.
pub async fn load(
    state: web::Data<WebState>,
    lang: Lang,
    office_id: String,
    first: NaiveDate,
) -> Result<MonthView, PageError> {
    load_at(state, lang, office_id, first, now_local()).await
}

/// [`load`] as of `now` (a divorce's visits: the instance's clock).
pub async fn load_at(
    state: web::Data<WebState>,
    lang: Lang,
    office_id: String,
    first: NaiveDate,
    now: chrono::NaiveDateTime,
) -> Result<MonthView, PageError> {
    with_db(state, move |conn, st| {
        booking::month(conn, &Rules::of(st), &office_id, first, now)
    })
    .await
    .map_err(|e| PageError::of(lang, &e.problem))
}

#[derive(Debug, Deserialize)]
pub struct MonthQuery {
    #[serde(default)]
    month: Option<String>,
}

fn booking_shown(lang: Lang, office_id: &str, carry: Vec<(String, String)>) -> Shown {
    Shown {
        carry,
        day_action: format!("/offices/{office_id}/calendar"),
        slot_action: "/book".into(),
        slot_button: lang.t("下一步：填写预约信息", "Next: your details").into(),
        heading: lang.t("选择预约时间", "Choose a time").into(),
    }
}

/// `GET /offices/{id}/calendar?month=YYYY-MM`.
pub async fn show(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<MonthQuery>,
) -> Result<HttpResponse, PageError> {
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let mut fields = Fields::default();
    if let Some(m) = &query.month {
        fields = Fields::from_pairs(vec![("month".into(), m.clone())]);
    }
    let first = month_of(&fields, hunyin_app::clock::today());
    let office_id = path.into_inner();
    let m = load(state, lang, office_id.clone(), first).await?;
    let html = page_of(
        page.chrome.clone(),
        &m,
        None,
        booking_shown(lang, &office_id, Vec::new()),
    )
    .render();
    Ok(page.answer(StatusCode::OK, html))
}

/// `POST /offices/{id}/calendar`: another month or a chosen day, the parties carried on.
pub async fn post(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields = Fields::from_pairs(form::read(&req, &body)?);
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let now = super::now_for(&state.clock, super::service_of(&fields));
    let first = month_of(&fields, now.date());
    let office_id = path.into_inner();
    let m = load_at(state, lang, office_id.clone(), first, now).await?;
    let carry = fields.carry(&parties::carried());
    let day = fields.opt("day");
    let html = page_of(
        page.chrome.clone(),
        &m,
        day.as_deref(),
        booking_shown(lang, &office_id, carry),
    )
    .render();
    Ok(page.answer(StatusCode::OK, html))
}
