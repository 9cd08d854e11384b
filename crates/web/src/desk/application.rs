//! The application's one screen, in the order of the procedure: 初审 (the parties in full, an
//! audited read, and the documents checklist of the day's period), 受理 (check-in), 审查 (the
//! household checks per party with their history, a manual verification, both declarations
//! witnessed), 登记 (register, with an idempotency key made into the form) or refuse with a
//! statutory reason. Each action's answer comes back here: a confirmation after it worked
//! (Post/Redirect/Get), or this screen again with the error beside the field and what was typed.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use hunyin_app::applications::{self, ApplicationView};
use hunyin_app::auth::Staff;
use hunyin_app::certificates::{self, NumberView};
use hunyin_app::checks::Check;
use hunyin_app::{checks, declarations, tokens};
use hunyin_domain::refusal::REFUSAL_REASONS;
use hunyin_domain::time::to_local;
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::{fail_api, reference, session, words, DeskChrome, DeskError};
use crate::form::Errors;
use crate::lang::Lang;
use crate::page::{Chrome, Page};

/// What the screen reads of an application.
pub struct Data {
    pub a: ApplicationView,
    pub history: Vec<Check>,
    pub cleared: bool,
    pub declared: [bool; 2],
    pub certificates: Vec<NumberView>,
}

/// Reads the application (audited), its checks, declarations and certificate numbers.
pub async fn read(
    state: web::Data<WebState>,
    staff: Staff,
    reference: String,
    lang: Lang,
) -> Result<Data, DeskError> {
    with_db(state, move |c, st| {
        let a = applications::read(c, &st.policy, &staff, &reference)?;
        let checks = checks::list(c, &staff, &reference)?;
        let decl = declarations::list(c, &staff, &reference)?;
        let declared = [0, 1].map(|p| decl.declarations.iter().any(|d| d.party_idx == p));
        let certificates = certificates::numbers_of(c, &staff, &reference)?.certificates;
        Ok(Data {
            a,
            history: checks.history,
            cleared: checks.cleared,
            declared,
            certificates,
        })
    })
    .await
    .map_err(fail_api(lang))
}

/// What was typed into the screen's forms, kept on an error.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Typed {
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub marital_status: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub reason_code: String,
    #[serde(default)]
    pub refusal_note: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub document_kind: String,
    #[serde(default)]
    pub document_reference: String,
}

/// One household check as shown.
pub struct CheckRow {
    pub party: String,
    pub source: String,
    pub outcome: String,
    pub passed: bool,
    pub detail: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "desk/application.html")]
struct Screen {
    c: Chrome,
    d: DeskChrome,
    a: ApplicationView,
    status: String,
    latest: Vec<CheckRow>,
    history: Vec<CheckRow>,
    cleared: bool,
    declared: [bool; 2],
    certificate: Option<String>,
    done: Option<String>,
    /// The section whose confirmation `done` is.
    done_in: &'static str,
    errors: Errors,
    t: Typed,
    idempotency_key: String,
    reasons: Vec<(String, String)>,
    marital: Vec<(String, String)>,
    evidence: Vec<(String, String)>,
}

impl Screen {
    fn checked_in(&self) -> bool {
        self.a.status == "checked_in"
    }

    fn party_label(&self, i: &usize) -> &'static str {
        match (*i, self.c.is_zh()) {
            (0, true) => "第一方当事人",
            (0, false) => "First party",
            (_, true) => "第二方当事人",
            (_, false) => "Second party",
        }
    }

    fn declarations(&self) -> Vec<(usize, bool, String)> {
        (0..2)
            .map(|p| (p, self.declared[p], format!("decl-{p}")))
            .collect()
    }

    fn doc_text(&self, description: &str, party: &Option<usize>) -> String {
        let text = self.c.lang.pick(description);
        match party {
            Some(p) => format!("{}：{text}", self.party_label(p)),
            None => text,
        }
    }
}

pub fn row(l: Lang, c: &Check) -> CheckRow {
    let mut detail = Vec::new();
    if let Some(r) = &c.reason {
        detail.push(words::reason(l, r));
    }
    if let Some(m) = &c.marital_status {
        detail.push(format!(
            "{}{}",
            l.t("婚姻状况：", "Marital status: "),
            words::marital(l, m)
        ));
    }
    if let Some(n) = &c.note {
        detail.push(n.clone());
    }
    CheckRow {
        party: l
            .t(
                if c.party_idx == 0 {
                    "第一方"
                } else {
                    "第二方"
                },
                if c.party_idx == 0 { "First" } else { "Second" },
            )
            .to_owned(),
        source: words::source(l, &c.source),
        outcome: words::outcome(l, &c.outcome),
        passed: c.outcome == "passed",
        detail: detail.join(l.t("；", "; ")),
        at: to_local(c.checked_at).format("%m-%d %H:%M").to_string(),
    }
}

/// The confirmation of an action that worked (`?done=…`, a fixed word, nothing personal).
fn confirmation(l: Lang, done: &str, certificate: Option<&str>) -> Option<String> {
    let text = match done {
        "walk-in" => l.t(
            "已受理现场申请，请继续审查。",
            "The walk-in is taken: go on with the checks.",
        ),
        "check-in" => l.t("已报到受理。", "Checked in."),
        "checks" => l.t(
            "户籍核查已完成，结果见下。",
            "The household checks are done: see below.",
        ),
        "manual" => l.t("已记录人工核验。", "The manual verification is recorded."),
        "override" => l.t(
            "已记录科长审批的例外。",
            "The supervisor's override is recorded.",
        ),
        "declaration-0" => l.t(
            "已记录第一方当事人的声明。",
            "The first party's declaration is recorded.",
        ),
        "declaration-1" => l.t(
            "已记录第二方当事人的声明。",
            "The second party's declaration is recorded.",
        ),
        "registration" => {
            return Some(format!(
                "{}{}",
                l.t("登记完成。结婚证字号：", "Registered. Certificate number: "),
                certificate.unwrap_or("")
            ))
        }
        "refusal" => l.t(
            "已作出不予登记决定，请打印通知单交当事人。",
            "Refused: print the notice for the couple.",
        ),
        _ => return None,
    };
    Some(text.to_owned())
}

/// The screen for `data`, with a confirmation or errors.
pub fn render(
    page: Page,
    staff: &Staff,
    status: StatusCode,
    data: Data,
    done: Option<&str>,
    errors: Errors,
    t: Typed,
) -> HttpResponse {
    let l = page.chrome.lang;
    let latest = checks::latest(&data.history)
        .into_iter()
        .flatten()
        .map(|c| row(l, c))
        .collect();
    let history = data.history.iter().rev().map(|c| row(l, c)).collect();
    let certificate = data
        .certificates
        .iter()
        .rev()
        .find(|c| c.status == "valid")
        .map(|c| c.certificate_number.clone());
    let html = Screen {
        status: words::status(l, &data.a.status),
        done: done.and_then(|d| confirmation(l, d, certificate.as_deref())),
        done_in: done.map(anchor).unwrap_or(""),
        d: DeskChrome::of(Some(staff)),
        a: data.a,
        latest,
        history,
        cleared: data.cleared,
        declared: data.declared,
        certificate,
        errors,
        t,
        idempotency_key: tokens::secret(),
        reasons: REFUSAL_REASONS
            .iter()
            .map(|r| (r.code.to_owned(), format!("{}（{}）", r.wording, r.basis)))
            .collect(),
        marital: words::MARITAL
            .iter()
            .map(|m| (m.to_string(), words::marital(l, m)))
            .collect(),
        evidence: hunyin_domain::evidence::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), words::evidence(l, k.as_str())))
            .collect(),
        c: page.chrome.clone(),
    }
    .render();
    page.answer(status, html)
}

/// The query of the screen: the confirmation to show.
#[derive(Debug, Deserialize)]
pub struct ScreenQuery {
    pub done: Option<String>,
}

/// `GET /desk/applications/{reference}`: 403 page for another office's application.
pub async fn show(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<ScreenQuery>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    let reference = reference(lang, &path)?;
    let data = read(state, staff.clone(), reference, lang).await?;
    Ok(render(
        page,
        &staff,
        StatusCode::OK,
        data,
        q.done.as_deref(),
        Errors::default(),
        Typed::default(),
    ))
}

/// Where on the screen an action's confirmation is shown (its section's id).
pub fn anchor(action: &str) -> &'static str {
    match action {
        "check-in" => "acceptance",
        "registration" | "refusal" => "registration",
        "walk-in" => "review",
        _ => "examination",
    }
}
