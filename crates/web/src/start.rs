//! The start page (`/`): what the service does, who may register here on which basis by the
//! current rule, what to bring, and the offices with their hours; and the error page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use hunyin_app::guide::{self, GuideOffice, GuideRule};
use hunyin_domain::policy::Scope;
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use crate::lang::Lang;
use crate::page::{Chrome, Page, PageError};

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    c: Chrome,
    offices: Vec<GuideOffice>,
    marriage: Option<GuideRule>,
    divorce: Option<GuideRule>,
}

impl StartPage {
    /// The rule in plain words, one line per basis.
    fn rule_lines(&self, rule: &GuideRule) -> Vec<String> {
        let l = self.c.lang;
        let mut out = vec![match rule.hukou_scope {
            Scope::National => l
                .t(
                    "不论户口在哪里，双方可在任一婚姻登记处办理。",
                    "Wherever your hukou is, you may register at any office.",
                )
                .to_owned(),
            s => format!(
                "{}{}",
                l.t(
                    "一方的常住户口在",
                    "One of you has hukou (household registration) in "
                ),
                area(l, s)
            ),
        }];
        if let Some(s) = rule.permit_scope {
            out.push(format!(
                "{}{}",
                l.t(
                    "或者：一方持有有效居住证，居住证签发地在",
                    "Or: one of you holds a valid residence permit (居住证) issued in "
                ),
                area(l, s)
            ));
        }
        out
    }

    /// The documents of a rule, in the page's language, each party's once with "each".
    fn documents_of(&self, rule: &GuideRule) -> Vec<String> {
        let l = self.c.lang;
        let mut out = Vec::new();
        for d in rule.documents.iter().filter(|d| d.party != Some(1)) {
            let text = l.pick(d.description);
            out.push(match d.party {
                Some(_) => format!("{}{text}", l.t("双方各自：", "Each of you: ")),
                None => text,
            });
        }
        out
    }

    /// Opening days and hours of an office.
    fn hours_of(&self, o: &GuideOffice) -> String {
        let l = self.c.lang;
        const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
        const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let days: Vec<&str> = o
            .weekdays
            .iter()
            .filter_map(|d| {
                let i = (*d as usize).checked_sub(1)?;
                Some(l.t(ZH.get(i)?, EN.get(i)?))
            })
            .collect();
        let hours: Vec<String> = o.periods.iter().map(|(a, b)| format!("{a}-{b}")).collect();
        format!(
            "{}{} {}",
            l.t("办公时间：", "Opening hours: "),
            days.join(l.t("、", ", ")),
            hours.join(l.t("，", ", "))
        )
    }
}

/// The area a scope reaches, from the office.
fn area(l: Lang, s: Scope) -> String {
    l.t(
        match s {
            Scope::County => "本登记处所在的县（市、区）。",
            Scope::City => "本登记处所在的设区的市。",
            Scope::Province => "本登记处所在的省（自治区、直辖市）。",
            Scope::National => "全国任何地方。",
        },
        match s {
            Scope::County => "the county or district of the office.",
            Scope::City => "the city of the office.",
            Scope::Province => "the province of the office.",
            Scope::National => "any part of the country.",
        },
    )
    .to_owned()
}

/// `GET /`.
pub async fn show(state: web::Data<WebState>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let today = hunyin_app::clock::today();
    let view = with_db(state, move |conn, st| guide::start(conn, st, today))
        .await
        .map_err(|e| PageError::of(lang, &e.problem))?;
    let html = StartPage {
        c: page.chrome.clone(),
        offices: view.offices,
        marriage: view.marriage,
        divorce: view.divorce,
    }
    .render();
    Ok(page.answer(StatusCode::OK, html))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    message: String,
}

/// The page of a [`PageError`].
pub fn error_page(e: &PageError) -> String {
    let c = Chrome {
        lang: e.lang,
        csrf: String::new(),
        path: "/".into(),
        css: crate::assets::url("site.css"),
        js: crate::assets::url("site.js"),
        account: crate::page::Account::None,
    };
    let message = e.lang.t(&e.zh, &e.en).to_owned();
    ErrorPage { c, message }
        .render()
        .unwrap_or_else(|_| e.en.clone())
}
