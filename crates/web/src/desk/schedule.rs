//! The supervisor's week: the office's weekly opening rule as a grid of days and periods, and
//! its editor (days, up to three periods, slot length, seats per slot). Seats already booked stay
//! booked; new slots follow the rule. Only supervisors: anyone else gets a 403 page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use hunyin_app::auth::{Role, Staff};
use hunyin_app::schedules::{self, RuleBody, SpecialDateView};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::DoneQuery;
use super::{belongs_to_form, fail, fail_api, form_errors, session, DeskChrome, DeskError};
use crate::form::{self, Errors};
use crate::lang::Lang;
use crate::page::{see_other, Chrome, Page};

/// The days of the week: the API's names, and their words.
const DAYS: [(&str, &str, &str); 7] = [
    ("mon", "周一", "Mon"),
    ("tue", "周二", "Tue"),
    ("wed", "周三", "Wed"),
    ("thu", "周四", "Thu"),
    ("fri", "周五", "Fri"),
    ("sat", "周六", "Sat"),
    ("sun", "周日", "Sun"),
];

/// How many periods the editor offers.
const PERIODS: usize = 3;

/// The editor's fields, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct WeekForm {
    pub mon: Option<String>,
    pub tue: Option<String>,
    pub wed: Option<String>,
    pub thu: Option<String>,
    pub fri: Option<String>,
    pub sat: Option<String>,
    pub sun: Option<String>,
    #[serde(default)]
    pub period0: String,
    #[serde(default)]
    pub period1: String,
    #[serde(default)]
    pub period2: String,
    #[serde(default)]
    pub slot_minutes: String,
    #[serde(default)]
    pub capacity: String,
}

impl WeekForm {
    fn day(&self, code: &str) -> bool {
        let v = match code {
            "mon" => &self.mon,
            "tue" => &self.tue,
            "wed" => &self.wed,
            "thu" => &self.thu,
            "fri" => &self.fri,
            "sat" => &self.sat,
            _ => &self.sun,
        };
        v.as_deref() == Some("on")
    }

    fn periods(&self) -> [&str; PERIODS] {
        [&self.period0, &self.period1, &self.period2]
    }

    fn of(rule: &RuleBody) -> WeekForm {
        let on = |d: &str| {
            rule.weekdays
                .iter()
                .any(|w| w == d)
                .then(|| "on".to_owned())
        };
        let p = |i: usize| rule.periods.get(i).cloned().unwrap_or_default();
        WeekForm {
            mon: on("mon"),
            tue: on("tue"),
            wed: on("wed"),
            thu: on("thu"),
            fri: on("fri"),
            sat: on("sat"),
            sun: on("sun"),
            period0: p(0),
            period1: p(1),
            period2: p(2),
            slot_minutes: rule.slot_minutes.to_string(),
            capacity: rule.capacity.to_string(),
        }
    }
}

/// One day of the editor and the grid.
pub struct Day {
    pub code: &'static str,
    pub label: &'static str,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "desk/schedule.html")]
struct WeekPage {
    c: Chrome,
    d: DeskChrome,
    /// The rule in force: its days and periods, for the grid.
    grid_days: Vec<Day>,
    grid_periods: Vec<String>,
    slot_minutes: u32,
    capacity: u32,
    days: Vec<Day>,
    periods: Vec<(String, String)>,
    f: WeekForm,
    errors: Errors,
    /// The confirmation of the change just made.
    done: Option<&'static str>,
    /// The special dates from today on, and the form to add one, as typed.
    special: Vec<SpecialDateView>,
    s: super::schedule_days::DayForm,
}

fn days(l: Lang, open: impl Fn(&str) -> bool) -> Vec<Day> {
    DAYS.iter()
        .map(|(code, zh, en)| Day {
            code,
            label: l.t(zh, en),
            open: open(code),
        })
        .collect()
}

pub fn supervisor_only(lang: Lang, staff: &Staff) -> Result<(), DeskError> {
    staff
        .require_role(&[Role::Supervisor])
        .map_err(|e| fail(lang, &e))
}

/// What the page shows besides the week: a typed special date, the confirmation.
#[derive(Default)]
pub struct Extra {
    pub day: super::schedule_days::DayForm,
    pub done: Option<&'static str>,
}

pub async fn render(
    state: web::Data<WebState>,
    page: Page,
    staff: Staff,
    status: StatusCode,
    typed: Option<WeekForm>,
    errors: Errors,
    extra: Extra,
) -> Result<HttpResponse, DeskError> {
    let l = page.chrome.lang;
    let d = DeskChrome::of(Some(&staff));
    let today = hunyin_app::clock::today();
    let (rule, special) = with_db(state, move |c, st| {
        let rule = schedules::get(c, &staff, &st.scheduling.default_rule, &staff.office_id)?;
        let special = schedules::special_dates(c, &staff, &staff.office_id, today)?;
        Ok((rule, special))
    })
    .await
    .map_err(fail_api(l))?;
    let f = typed.unwrap_or_else(|| WeekForm::of(&rule));
    let periods = f
        .periods()
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("period{i}"), p.to_string()))
        .collect();
    let html = WeekPage {
        grid_days: days(l, |code| rule.weekdays.iter().any(|w| w == code)),
        grid_periods: rule.periods.clone(),
        slot_minutes: rule.slot_minutes,
        capacity: rule.capacity,
        days: days(l, |code| f.day(code)),
        periods,
        c: page.chrome.clone(),
        d,
        f,
        errors,
        done: extra.done,
        special,
        s: extra.day,
    }
    .render();
    Ok(page.answer(status, html))
}

/// `GET /desk/schedule`
pub async fn show(
    state: web::Data<WebState>,
    req: HttpRequest,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    let l = page.chrome.lang;
    supervisor_only(l, &staff)?;
    let done = match q.done.as_deref() {
        Some("saved") => Some(l.t(
            "已保存。已预约的名额保持不变，新的时段按此规则生成。",
            "Saved. Seats already booked stay booked; new slots follow this rule.",
        )),
        Some("day-set") => Some(l.t(
            "已保存特别日期。已预约的名额保持不变。",
            "The special date is saved. Seats already booked stay booked.",
        )),
        Some("day-removed") => Some(l.t(
            "已删除特别日期，该日按每周规则办公。",
            "The special date is removed: that day follows the week again.",
        )),
        _ => None,
    };
    let extra = Extra {
        done,
        ..Extra::default()
    };
    render(
        state,
        page,
        staff,
        StatusCode::OK,
        None,
        Errors::default(),
        extra,
    )
    .await
}

/// `POST /desk/schedule`: the new weekly rule.
pub async fn save(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let f: WeekForm = form::read(&req, &body)?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    supervisor_only(lang, &staff)?;
    // The periods filled in, with the field each came from.
    let filled: Vec<(usize, String)> = f
        .periods()
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.trim().is_empty())
        .map(|(i, p)| (i, p.trim().to_owned()))
        .collect();
    let mut errors = Errors::default();
    let number = |v: &str| v.trim().parse::<u32>().ok();
    let (slot, capacity) = (number(&f.slot_minutes), number(&f.capacity));
    if slot.is_none() {
        errors.push(
            "slot_minutes",
            lang.t("请输入每个时段的分钟数", "Enter the minutes of a slot"),
        );
    }
    if capacity.is_none() {
        errors.push(
            "capacity",
            lang.t("请输入每个时段的名额", "Enter the seats of a slot"),
        );
    }
    let body = RuleBody {
        weekdays: DAYS
            .iter()
            .filter(|(code, ..)| f.day(code))
            .map(|(code, ..)| code.to_string())
            .collect(),
        periods: filled.iter().map(|(_, p)| p.clone()).collect(),
        slot_minutes: slot.unwrap_or(0),
        capacity: capacity.unwrap_or(0),
    };
    if errors.is_empty() {
        let (s, b) = (staff.clone(), body);
        let listings = state.clone();
        let answer = with_db(state.clone(), move |c, _| {
            schedules::put(c, &s, &s.office_id, &b)
        })
        .await;
        match answer {
            Ok(_) => {
                listings.listings.clear();
                return Ok(see_other("/desk/schedule?done=saved"));
            }
            Err(e) if belongs_to_form(&e.problem) => {
                let field_of = |name: &str| {
                    let i: usize = name
                        .strip_prefix("periods[")?
                        .strip_suffix(']')?
                        .parse()
                        .ok()?;
                    filled.get(i).map(|(field, _)| format!("period{field}"))
                };
                errors = form_errors(lang, &e.problem, "period0", field_of);
            }
            Err(e) => return Err(fail(lang, &e.problem)),
        }
    }
    let status = StatusCode::BAD_REQUEST;
    render(
        state,
        page,
        staff,
        status,
        Some(f),
        errors,
        Extra::default(),
    )
    .await
}
