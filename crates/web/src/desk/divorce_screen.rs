//! The divorce application's screen (issue 18): the parties in full (an audited read), where it
//! stands and its dates from the calculator (received, the cooling-off's last day, the issue
//! window), the documents of the received day, the household checks at receipt, the agreement,
//! and only the actions its state allows today: withdrawal by either party during the
//! cooling-off (撤回), issue inside the window with both present (登记发证), refusal with a
//! statutory reason. An action posted out of order answers the API's 409 in place, in words
//! naming the state and the dates; nothing is written.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use hunyin_app::auth::Staff;
use hunyin_app::divorce::{self, DivorceDesk, DivorceRules, IssueInput};
use hunyin_domain::refusal::DIVORCE_REFUSAL_REASONS;
use hunyin_http::problem::ApiError;
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::{belongs_to_form, fail, fail_api, form_errors, reference, session, words};
use super::{DeskChrome, DeskError, DoneQuery};
use crate::form::{self, Errors};
use crate::lang::Lang;
use crate::page::{see_other, Chrome, Page, PageError};

/// A divorce application's status in words.
pub fn status(l: Lang, s: &str) -> String {
    let (zh, en) = match s {
        "received" => ("已受理，冷静期中", "Received"),
        "withdrawn" => ("已撤回", "Withdrawn"),
        "issued" => ("已登记发证", "Certificate issued"),
        "refused" => ("不予办理", "Refused"),
        "lapsed" => ("视为撤回（逾期未领证）", "Lapsed"),
        other => return other.to_owned(),
    };
    l.t(zh, en).to_owned()
}

/// What was typed into the screen's forms, kept on an error.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Typed {
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub reason_code: String,
    #[serde(default)]
    pub refusal_note: String,
    pub both_present: Option<String>,
}

#[derive(Template)]
#[template(path = "desk/divorce.html")]
struct Screen {
    c: Chrome,
    d: DeskChrome,
    x: DivorceDesk,
    status: String,
    sources: Vec<String>,
    today: NaiveDate,
    done: Option<String>,
    errors: Errors,
    t: Typed,
    reasons: Vec<(String, String)>,
}

impl Screen {
    fn received(&self) -> bool {
        self.x.view.status == "received"
    }
    /// Withdrawal is open through the cooling-off's last day.
    fn may_withdraw(&self) -> bool {
        self.received() && self.today <= self.x.view.cooling_off_ends
    }
    /// Issue is open inside the window.
    fn may_issue(&self) -> bool {
        self.received()
            && self.today >= self.x.view.issue_from
            && self.today <= self.x.view.issue_until
    }
    fn party_label(&self, i: &usize) -> &'static str {
        match (*i, self.c.is_zh()) {
            (0, true) => "第一方当事人",
            (0, false) => "First party",
            (_, true) => "第二方当事人",
            (_, false) => "Second party",
        }
    }
    fn sex(&self, s: &hunyin_domain::id_number::Sex) -> &'static str {
        match s {
            hunyin_domain::id_number::Sex::Male => self.c.t("男", "Male"),
            hunyin_domain::id_number::Sex::Female => self.c.t("女", "Female"),
        }
    }
    fn doc_text(&self, description: &str, party: &Option<usize>) -> String {
        let text = self.c.lang.pick(description);
        match party {
            Some(p) => format!("{}：{text}", self.party_label(p)),
            None => text,
        }
    }
    fn source(&self, i: &usize) -> &str {
        self.sources.get(*i).map(String::as_str).unwrap_or("")
    }
    fn ticked(&self, v: &Option<String>) -> bool {
        v.as_deref() == Some("true")
    }
}

/// The confirmation of an action that worked (`?done=…`, a fixed word, nothing personal).
fn confirmation(l: Lang, done: &str, x: &DivorceDesk) -> Option<String> {
    let text = match done {
        "received" => format!(
            "{}{}{}",
            l.t("已受理。冷静期至 ", "Received. The cooling-off ends on "),
            x.view.cooling_off_ends,
            l.t(
                "，请打印受理回执单交当事人。",
                ": print the receipt for the couple."
            )
        ),
        "withdrawal" => l
            .t(
                "已撤回，请打印撤回确认单。",
                "Withdrawn: print the confirmation.",
            )
            .to_owned(),
        "issue" => format!(
            "{}{}",
            l.t("已登记发证。离婚证字号：", "Issued. Certificate number: "),
            x.view.certificate_number.as_deref().unwrap_or("")
        ),
        "refusal" => l
            .t(
                "已作出不予办理决定，请打印通知单交当事人。",
                "Refused: print the notice for the couple.",
            )
            .to_owned(),
        _ => return None,
    };
    Some(text)
}

/// Reads the application for the desk (audited).
pub async fn read(
    state: web::Data<WebState>,
    staff: Staff,
    reference: String,
    lang: Lang,
) -> Result<DivorceDesk, DeskError> {
    with_db(state, move |c, st| {
        divorce::desk(c, &st.policy, &staff, &reference)
    })
    .await
    .map_err(fail_api(lang))
}

fn render(
    page: Page,
    staff: &Staff,
    today: NaiveDate,
    status: StatusCode,
    x: DivorceDesk,
    done: Option<&str>,
    (errors, t): (Errors, Typed),
) -> HttpResponse {
    let l = page.chrome.lang;
    let html = Screen {
        status: self::status(l, &x.view.status),
        sources: x
            .parties
            .iter()
            .map(|p| words::source(l, &p.check_source))
            .collect(),
        done: done.and_then(|d| confirmation(l, d, &x)),
        d: DeskChrome::of(Some(staff)),
        today,
        x,
        errors,
        t,
        reasons: DIVORCE_REFUSAL_REASONS
            .iter()
            .map(|r| (r.code.to_owned(), format!("{}（{}）", r.wording, r.basis)))
            .collect(),
        c: page.chrome.clone(),
    }
    .render();
    page.answer(status, html)
}

/// `GET /desk/divorces/{reference}`: 403 page for another office's application.
pub async fn show(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let reference = reference(lang, &path)?;
    let today = state.clock.today();
    let x = read(state, staff.clone(), reference, lang).await?;
    let form = (Errors::default(), Typed::default());
    let done = q.done.as_deref();
    Ok(render(page, &staff, today, StatusCode::OK, x, done, form))
}

/// `POST /desk/divorces/{reference}/{action}`: `withdrawal`, `issue` or `refusal`.
pub async fn act(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let (raw, action) = path.into_inner();
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let reference = reference(lang, &raw)?;
    let typed: Typed = form::read(&req, &body)?;
    let (r, s) = (reference.clone(), staff.clone());
    let (answer, field): (Result<(), ApiError>, &str) = match action.as_str() {
        "withdrawal" => {
            let party = match typed.party.as_str() {
                "0" => 0,
                "1" => 1,
                _ => 2,
            };
            let a = with_db(state.clone(), move |c, st| {
                divorce::withdraw(c, &s, &st.clock, &r, party).map(|_| ())
            })
            .await;
            (a, "withdraw-party")
        }
        "issue" => {
            let input = IssueInput {
                both_parties_present: typed.both_present.as_deref() == Some("true"),
                household_notes: Default::default(),
            };
            let st = state.clone();
            let a = web::block(move || {
                divorce::issue(&st.pool, &s, &DivorceRules::of(&st), &r, &input).map(|_| ())
            })
            .await
            .map_err(|_| ApiError::from(hunyin_app::AppError::internal("issue thread")))
            .and_then(|a| a.map_err(ApiError::from));
            (a, "issue-present")
        }
        "refusal" => {
            let (reason, note) = (typed.reason_code.clone(), typed.refusal_note.clone());
            let a = with_db(state.clone(), move |c, st| {
                divorce::refuse(c, &s, &st.clock, &r, &reason, &note).map(|_| ())
            })
            .await;
            (a, "refusal-note")
        }
        _ => {
            return Err(DeskError::Page(PageError::new(
                StatusCode::NOT_FOUND,
                lang,
                "没有此操作。",
                "There is no such action.",
            )))
        }
    };
    match answer {
        Ok(()) => Ok(see_other(&format!(
            "/desk/divorces/{reference}?done={action}#actions"
        ))),
        Err(e) if belongs_to_form(&e.problem) => {
            let field_of = |name: &str| match (field, name) {
                ("withdraw-party", "party") => Some("withdraw-party".to_owned()),
                ("refusal-note", "reason_code" | "note") => Some(format!("refusal-{name}")),
                _ => None,
            };
            let mut errors = form_errors(lang, &e.problem, field, field_of);
            out_of_order(lang, &e.problem, field, &mut errors);
            let today = state.clock.today();
            let x = read(state, staff.clone(), reference, lang).await?;
            let form = (errors, typed);
            Ok(render(page, &staff, today, e.status, x, None, form))
        }
        Err(e) => Err(fail(lang, &e.problem)),
    }
}

/// A 409 of the divorce counter in words naming the state and the dates it carries.
fn out_of_order(l: Lang, e: &hunyin_app::AppError, field: &str, errors: &mut Errors) {
    let ext = |k: &str| {
        e.extensions
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let mut parts = Vec::new();
    if let Some(s) = ext("current_status") {
        parts.push(format!(
            "{}{}",
            l.t("当前状态：", "Current state: "),
            status(l, &s)
        ));
    }
    for (k, zh, en) in [
        ("cooling_off_ends", "冷静期至 ", "cooling-off ends "),
        ("issue_from", "可领证自 ", "issue from "),
        ("issue_until", "领证期限至 ", "issue until "),
    ] {
        if let Some(d) = ext(k) {
            parts.push(format!("{}{d}", l.t(zh, en)));
        }
    }
    if parts.is_empty() {
        return;
    }
    let extra = format!("（{}）", parts.join(l.t("；", "; ")));
    match errors.0.iter_mut().find(|e| e.id == field) {
        Some(e) => e.message.push_str(&extra),
        None => errors.push(field, extra),
    }
}
