//! The supervisor's staff page: the accounts of the office, a form to create a registrar or an
//! auditor, disabling an account (its sessions stop at once), enabling it again, and setting a
//! new password (its sessions stop too). Only supervisors: anyone else gets a 403 page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use hunyin_app::auth::{Role, Staff};
use hunyin_app::staff_accounts::{self, NewAccount, StaffView};
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::DoneQuery;
use super::{belongs_to_form, fail, fail_api, form_errors, session, words, DeskChrome, DeskError};
use crate::form::{self, Errors};
use crate::lang::Lang;
use crate::page::{see_other, Page};

#[derive(Template)]
#[template(path = "desk/staff.html")]
struct StaffPage {
    c: crate::page::Chrome,
    d: DeskChrome,
    me: i64,
    staff: Vec<StaffView>,
    errors: Errors,
    f: NewForm,
    done: Option<String>,
}

impl StaffPage {
    fn role(&self, r: &str) -> String {
        words::role(self.c.lang, r)
    }
}

/// The new account's fields, as typed (the password is never sent back).
#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub password: String,
    /// The account whose password is reset.
    #[serde(default)]
    pub account: String,
}

/// 403 page unless a supervisor (the use cases check again).
fn supervisor_only(lang: Lang, staff: &Staff) -> Result<(), DeskError> {
    staff
        .require_role(&[Role::Supervisor])
        .map_err(|e| fail(lang, &e))
}

async fn render(
    state: web::Data<WebState>,
    page: Page,
    staff: Staff,
    status: StatusCode,
    errors: Errors,
    f: NewForm,
    done: Option<String>,
) -> Result<HttpResponse, DeskError> {
    let lang = page.chrome.lang;
    let d = DeskChrome::of(Some(&staff));
    let me = staff.id;
    let list = with_db(state, move |c, _| {
        staff_accounts::list(c, &staff, &staff.office_id)
    })
    .await
    .map_err(fail_api(lang))?;
    let html = StaffPage {
        c: page.chrome.clone(),
        d,
        me,
        staff: list.staff,
        errors,
        f: NewForm {
            password: String::new(),
            ..f
        },
        done,
    }
    .render();
    Ok(page.answer(status, html))
}

/// `GET /desk/staff`
pub async fn show(
    state: web::Data<WebState>,
    req: HttpRequest,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    supervisor_only(lang, &staff)?;
    let done = match q.done.as_deref() {
        Some("created") => Some(lang.t("账号已创建。", "The account is created.").to_owned()),
        Some("disabled") => Some(
            lang.t("账号已停用。", "The account is disabled.")
                .to_owned(),
        ),
        Some("enabled") => Some(
            lang.t("账号已启用。", "The account is enabled again.")
                .to_owned(),
        ),
        Some("reset") => Some(
            lang.t(
                "密码已重置，该账号须用新密码重新登录。",
                "The password is reset: the account signs in again with it.",
            )
            .to_owned(),
        ),
        _ => None,
    };
    let f = NewForm {
        role: "registrar".into(),
        ..NewForm::default()
    };
    render(
        state,
        page,
        staff,
        StatusCode::OK,
        Errors::default(),
        f,
        done,
    )
    .await
}

/// `POST /desk/staff`: a new registrar or auditor of the office.
pub async fn create(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let f: NewForm = form::read(&req, &body)?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    supervisor_only(lang, &staff)?;
    let account = NewAccount {
        username: f.username.trim().to_owned(),
        display_name: f.display_name.clone(),
        role: f.role.clone(),
        password: f.password.clone(),
    };
    let s = staff.clone();
    let answer = with_db(state.clone(), move |c, _| {
        staff_accounts::create(c, &s, &s.office_id, &account)
    })
    .await;
    match answer {
        Ok(_) => Ok(see_other("/desk/staff?done=created")),
        Err(e) if belongs_to_form(&e.problem) => {
            let field_of = |name: &str| Some(format!("new-{name}"));
            let errors = form_errors(lang, &e.problem, "new-username", field_of);
            render(state, page, staff, e.status, errors, f, None).await
        }
        Err(e) => Err(fail(lang, &e.problem)),
    }
}

/// An empty form (its token only).
#[derive(Debug, Deserialize)]
pub struct Empty {}

/// `POST /desk/staff/{id}/disable` and `…/enable`
pub async fn change(
    state: web::Data<WebState>,
    req: HttpRequest,
    path: web::Path<(i64, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let _: Empty = form::read(&req, &body)?;
    let lang = Lang::of(&req);
    supervisor_only(lang, &staff)?;
    let (id, what) = path.into_inner();
    let enable = match what.as_str() {
        "enable" => true,
        "disable" => false,
        _ => {
            return Err(crate::page::PageError::new(
                StatusCode::NOT_FOUND,
                lang,
                "没有此操作。",
                "There is no such action.",
            )
            .into())
        }
    };
    with_db(state, move |c, _| {
        if enable {
            staff_accounts::enable(c, &staff, id)
        } else {
            staff_accounts::disable(c, &staff, id)
        }
    })
    .await
    .map_err(fail_api(lang))?;
    let done = if enable { "enabled" } else { "disabled" };
    Ok(see_other(&format!("/desk/staff?done={done}")))
}

/// `POST /desk/staff/password`: a new password for an account of the office.
pub async fn reset(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, DeskError> {
    let staff = session::staff(&req, &state).await?;
    let f: NewForm = form::read(&req, &body)?;
    let page = Page::new(&req);
    let lang = page.chrome.lang;
    supervisor_only(lang, &staff)?;
    let Ok(id) = f.account.parse::<i64>() else {
        let mut errors = Errors::default();
        errors.push("reset-account", lang.t("请选择账号", "Choose the account"));
        let status = StatusCode::BAD_REQUEST;
        return render(state, page, staff, status, errors, NewForm::default(), None).await;
    };
    let (s, password) = (staff.clone(), f.password.clone());
    let answer = with_db(state.clone(), move |c, _| {
        staff_accounts::reset_password(c, &s, id, &password)
    })
    .await;
    match answer {
        Ok(_) => Ok(see_other("/desk/staff?done=reset")),
        Err(e) if belongs_to_form(&e.problem) => {
            let field_of = |name: &str| Some(format!("reset-{name}"));
            let errors = form_errors(lang, &e.problem, "reset-account", field_of);
            let kept = NewForm {
                account: f.account,
                role: "registrar".into(),
                ..NewForm::default()
            };
            render(state, page, staff, e.status, errors, kept, None).await
        }
        Err(e) => Err(fail(lang, &e.problem)),
    }
}
