//! The couples' pages: eligibility, an office's calendar, booking, confirmation, and their own
//! appointment (issue 16). What a couple typed travels from page to page in posted forms
//! (hidden fields), never in a URL; so do the confirmation secret and the manage token.

mod appointment;
mod book;
mod calendar;
mod confirm;
mod divorce_issue;
mod divorce_periods;
mod eligibility;
mod mine;
mod mine_move;
mod parties;
mod places;

use std::collections::HashMap;

use actix_web::web;

use hunyin_app::AppError;

use crate::form::{field_id, Errors};
use crate::lang::Lang;
use crate::page::see_other;

/// Registers the couples' pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/eligibility", web::get().to(eligibility::show))
        .route("/eligibility", web::post().to(eligibility::post))
        .route("/places/{code}", web::get().to(places::children))
        .route("/offices/{id}/calendar", web::get().to(calendar::show))
        .route("/offices/{id}/calendar", web::post().to(calendar::post))
        .route("/book", web::post().to(book::post))
        .route("/book/done", web::get().to(book::done))
        .route(
            "/book",
            web::get().to(|| async { see_other("/eligibility") }),
        )
        .route("/divorce/periods", web::get().to(divorce_periods::show))
        .route("/divorce/periods", web::post().to(divorce_periods::post))
        .route("/divorce/issue-visit", web::get().to(divorce_issue::show))
        .route("/divorce/issue-visit", web::post().to(divorce_issue::post))
        .route("/confirm", web::get().to(confirm::show))
        .route("/confirm", web::post().to(confirm::post))
        .route("/appointment", web::get().to(appointment::show))
        .route("/appointment", web::post().to(appointment::post))
        .route(
            "/appointment/reschedule",
            web::post().to(appointment::reschedule),
        )
        .route("/appointment/cancel", web::post().to(appointment::cancel))
        .route("/appointment/ics", web::post().to(appointment::ics))
        .route("/sign-in", web::post().to(mine::sign_in))
        .route("/sign-out", web::post().to(mine::sign_out))
        .route("/my", web::get().to(mine::show))
        .route("/my/cancel", web::post().to(mine::cancel))
        .route("/my/confirm", web::post().to(mine::confirm))
        .route("/my/reschedule", web::post().to(mine_move::reschedule));
    // The language switch (or a reload) asks for a page only a form reaches: start it again.
    for path in [
        "/appointment/reschedule",
        "/appointment/cancel",
        "/appointment/ics",
    ] {
        cfg.route(path, web::get().to(|| async { see_other("/appointment") }));
    }
    for path in ["/my/cancel", "/my/confirm", "/my/reschedule"] {
        cfg.route(path, web::get().to(|| async { see_other("/my") }));
    }
    for path in ["/sign-in", "/sign-out"] {
        cfg.route(path, web::get().to(|| async { see_other("/") }));
    }
    cfg.route("/sign-in/failed", web::get().to(mine::failed))
        .route("/sign-in/unavailable", web::get().to(mine::failed));
}

/// A posted form's fields by name (the last value of a name wins).
#[derive(Debug, Clone, Default)]
pub struct Fields(HashMap<String, String>);

impl Fields {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Fields {
        Fields(pairs.into_iter().collect())
    }

    /// Sets (or, with `None`, removes) the field `name`.
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        match value {
            Some(v) => self.0.insert(name.to_owned(), v.to_owned()),
            None => self.0.remove(name),
        };
    }

    /// The field's value, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(|s| s.trim()).unwrap_or("")
    }

    /// The field's value when given and not empty.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name))
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    /// The hidden fields that carry `names` on to the next page (only those given).
    pub fn carry(&self, names: &[String]) -> Vec<(String, String)> {
        names
            .iter()
            .filter_map(|n| self.opt(n).map(|v| (n.clone(), v)))
            .collect()
    }
}

/// The service a form carries (`service=divorce`: a divorce's application visit), marriage
/// when absent or unknown.
pub fn service_of(fields: &Fields) -> hunyin_domain::policy::Service {
    hunyin_domain::policy::Service::parse(fields.get("service"))
        .unwrap_or(hunyin_domain::policy::Service::Marriage)
}

/// Now for a booking of `service`: a divorce's visits are judged by the instance's clock, as
/// the API and the divorce counter judge them; a marriage's by the wall clock.
pub fn now_for(
    clock: &hunyin_app::clock::Clock,
    service: hunyin_domain::policy::Service,
) -> chrono::NaiveDateTime {
    match service {
        hunyin_domain::policy::Service::Divorce => hunyin_domain::time::to_local(clock.now()),
        hunyin_domain::policy::Service::Marriage => now_local(),
    }
}

/// Now in Asia/Shanghai, as the booking use cases take it.
pub fn now_local() -> chrono::NaiveDateTime {
    chrono::Utc::now()
        .with_timezone(&hunyin_app::clock::shanghai())
        .naive_local()
}

/// The plain message of an API error code about the field `param`.
pub fn message(lang: Lang, code: &str, param: &str, reason: &str) -> String {
    let permit = param.contains("residence_permit");
    let (zh, en) = match code {
        "invalid_id_number" => (
            "身份证号码不正确：请核对18位号码（最后一位可能是X）。",
            "This ID number is not valid: check its 18 characters (the last may be X).",
        ),
        "legacy_id_number" => (
            "请填写18位的居民身份证号码，不接受15位的旧号码。",
            "Enter the 18-character ID number; old 15-digit numbers are not accepted.",
        ),
        "invalid_name" => (
            "请填写姓名（1至64个字）。",
            "Enter the name (1 to 64 characters).",
        ),
        "invalid_division_code" | "unknown_division_code" if permit => (
            "请选择居住证签发地的省和市。",
            "Choose the province and city that issued the residence permit.",
        ),
        "invalid_division_code" | "unknown_division_code" => (
            "请选择户口所在地的省、市和区（县）。",
            "Choose the province, city and county of the hukou.",
        ),
        "invalid_date" if permit => (
            "请填写居住证的有效期限，格式为 年-月-日。",
            "Enter the date the residence permit is valid until, as year-month-day.",
        ),
        "invalid_date" => (
            "请填写日期，格式为 年-月-日。",
            "Enter the date as year-month-day.",
        ),
        "invalid_email" => (
            "请填写有效的电子邮箱地址，例如 name@example.cn。",
            "Enter a valid email address, like name@example.cn.",
        ),
        "same_contact" => (
            "双方须各自填写自己的邮箱，两个邮箱不能相同。",
            "Each of you gives your own email: the two must differ.",
        ),
        "invalid_phone" => (
            "电话号码只能包含数字、+、- 和空格，共5至20位。",
            "A phone number has 5 to 20 digits, +, - or spaces.",
        ),
        "confirmation_invalid" => (
            "确认码不正确。请打开邮件中的链接，或完整复制链接中 # 后面的64位字符。",
            "This code is not valid. Open the link in the email, or copy all 64 characters after the # in it.",
        ),
        _ => return reason.to_owned(),
    };
    lang.t(zh, en).to_owned()
}

/// A use case's error as the errors of a form: each invalid parameter beside its field, and
/// any other error under `fallback` (a field id) in its own words.
pub fn errors_of(lang: Lang, e: &AppError, fallback: &str) -> Errors {
    let mut errors = Errors::default();
    for p in &e.invalid_params {
        errors.push(
            field_id(&p.name),
            message(lang, &p.code, &p.name, &p.reason),
        );
    }
    if errors.is_empty() {
        let text = match e.code {
            "confirmation_invalid" => message(lang, e.code, "", ""),
            _ => lang.t(&e.detail_zh, &e.detail).to_owned(),
        };
        errors.push(fallback, text);
    }
    errors
}

/// `2026-12-03T09:00:00+08:00` -> `2026-12-03 09:00`, or the Chinese form.
pub fn when(lang: Lang, start: &str, end: &str) -> String {
    let parse = |s: &str| {
        chrono::NaiveDateTime::parse_from_str(&s[..s.len().min(19)], "%Y-%m-%dT%H:%M:%S").ok()
    };
    match (parse(start), parse(end)) {
        (Some(a), Some(b)) => match lang {
            Lang::Zh => format!(
                "{}（{}）{}-{}",
                a.format("%Y年%-m月%-d日"),
                weekday(
                    lang,
                    chrono::Datelike::weekday(&a.date()).number_from_monday()
                ),
                a.format("%H:%M"),
                b.format("%H:%M")
            ),
            Lang::En => format!(
                "{} {}, {}-{}",
                weekday(
                    lang,
                    chrono::Datelike::weekday(&a.date()).number_from_monday()
                ),
                a.format("%-d %B %Y"),
                a.format("%H:%M"),
                b.format("%H:%M")
            ),
        },
        _ => format!("{start} - {end}"),
    }
}

/// The weekday's name, 1 Monday … 7 Sunday.
pub fn weekday(lang: Lang, n: u32) -> &'static str {
    const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let i = (n.clamp(1, 7) - 1) as usize;
    lang.t(ZH[i], EN[i])
}

/// The documents to bring, in the page's language: one each party brings is said once ("each
/// of you"), one only a party brings (a residence permit) names that party.
pub fn documents(lang: Lang, docs: &[hunyin_domain::eligibility::Document]) -> Vec<String> {
    let mut out = Vec::new();
    for d in docs {
        let both = docs.iter().filter(|o| o.code == d.code).count() > 1;
        let who = match d.party {
            Some(i) if both && i > 0 => continue,
            Some(_) if both => lang.t("双方各自：", "Each of you: "),
            Some(0) => lang.t("第一方：", "First party: "),
            Some(_) => lang.t("第二方：", "Second party: "),
            None => "",
        };
        out.push(format!("{who}{}", lang.pick(d.description)));
    }
    out
}
