//! `/book`: the slot chosen on the calendar, both parties (prefilled from the eligibility page
//! through the posted form) and their own emails; a review page; then the booking and its
//! confirmation page: the reference, what happens next, the documents checklist, the manage
//! token and the calendar file.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use hunyin_app::booking::{self, AppointmentView, BookingRequest, Rules, SlotChoice, VisitKind};
use hunyin_app::citizen::{Citizen, CitizenView};
use hunyin_app::eligibility;
use hunyin_domain::policy::Service;
use hunyin_http::routes::appointments::{parse_contact, Contact};
use hunyin_http::routes::eligibility::parse_parties;
use hunyin_http::routes::with_db;
use hunyin_http::WebState;

use super::parties::{self, Input, PartyInputs};
use super::{errors_of, message, now_for, service_of, when, Fields};
use crate::cookies::{self, SameSite};
use crate::form::{self, field_id, Errors};
use crate::lang::Lang;
use crate::page::{see_other, Chrome, Page, PageError};

/// The fields the booking pages carry besides the parties.
fn carried() -> Vec<String> {
    let mut out = parties::carried();
    for k in ["contact-emails-0", "contact-emails-1", "contact-phone"] {
        out.push(k.to_owned());
    }
    out
}

#[derive(Template)]
#[template(path = "couples/book.html")]
struct DetailsPage {
    c: Chrome,
    errors: Errors,
    slot: SlotChoice,
    when: String,
    parties: Vec<PartyInputs>,
    emails: [Input; 2],
    phone: Input,
    carry_parties: Vec<(String, String)>,
    oidc: bool,
    /// Oidc mode, signed in: the first party, from the session (masked, not typed).
    me: Option<CitizenView>,
    /// `marriage` or `divorce` (the application visit of a divorce), carried on.
    service: &'static str,
}

#[derive(Template)]
#[template(path = "couples/review.html")]
struct ReviewPage {
    c: Chrome,
    slot: SlotChoice,
    when: String,
    rows: Vec<(String, String)>,
    carry: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "couples/booked.html")]
struct BookedPage {
    c: Chrome,
    v: AppointmentView,
    when: String,
    token: String,
    documents: Vec<String>,
    confirm_minutes: u32,
    oidc: bool,
}

fn details(
    page: Page,
    status: StatusCode,
    fields: &Fields,
    errors: Errors,
    slot: SlotChoice,
    mode: &Mode,
) -> HttpResponse {
    let l = page.chrome.lang;
    let input = |id: &str| Input::new(id.to_owned(), fields, &errors);
    let html = DetailsPage {
        when: when(l, &slot.start, &slot.end),
        parties: parties::inputs(l, fields, &errors),
        emails: [input("contact-emails-0"), input("contact-emails-1")],
        phone: input("contact-phone"),
        carry_parties: fields.carry(&parties::carried()),
        c: page.chrome.clone(),
        errors,
        slot,
        oidc: mode.oidc,
        me: mode.who.as_ref().map(Citizen::view),
        service: service_of(fields).as_str(),
    }
    .render();
    page.answer(status, html)
}

/// The identity mode of a booking, and in oidc mode who is signed in.
struct Mode {
    oidc: bool,
    who: Option<Citizen>,
}

/// The first party's fields, which in oidc mode come from the session only.
const FIRST: [&str; 2] = ["parties-0-id_number", "parties-0-name"];

/// The parties and contact of the form, or the errors beside their fields.
fn parse(l: Lang, fields: &Fields, who: Option<&Citizen>) -> Result<BookingRequest, Errors> {
    let mut fields = fields.clone();
    if let Some(w) = who {
        fields.set(FIRST[0], Some(&w.id_number));
        fields.set(FIRST[1], Some(&w.name));
    }
    let fields = &fields;
    let today = hunyin_app::clock::today();
    let contact = Contact {
        emails: vec![
            fields.get("contact-emails-0").to_owned(),
            fields.get("contact-emails-1").to_owned(),
        ],
        phone: fields.opt("contact-phone"),
    };
    let mut invalid = Vec::new();
    let emails = parse_contact(&contact, &mut invalid);
    let parties = parse_parties(&parties::read(fields), today);
    let mut errors = Errors::default();
    if let Err(e) = &parties {
        errors = errors_of(l, &e.problem, "parties-0-id_number");
    }
    for p in &invalid {
        errors.push(field_id(&p.name), message(l, &p.code, &p.name, &p.reason));
    }
    match (parties, emails) {
        (Ok(parties), Some(emails)) if errors.is_empty() => Ok(BookingRequest {
            office_id: fields.get("office_id").to_owned(),
            slot_id: fields.get("slot_id").to_owned(),
            parties,
            emails,
            phone: contact.phone.map(|p| p.trim().to_owned()),
            // Oidc mode: the session's person books as the first party (without a session
            // the use case answers 401 and the page offers the sign-in).
            signed_in: who.cloned(),
        }),
        _ => Err(errors),
    }
}

fn review_rows(l: Lang, r: &BookingRequest, signed_in: bool) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for (i, p) in r.parties.iter().enumerate() {
        let who = if i == 0 {
            l.t("第一方", "First party")
        } else {
            l.t("第二方", "Second party")
        };
        rows.push((format!("{who} · {}", l.t("姓名", "name")), p.name.clone()));
        rows.push((
            format!("{who} · {}", l.t("身份证号", "ID number")),
            if signed_in && i == 0 {
                p.id_number.masked()
            } else {
                p.id_number.as_str().to_owned()
            },
        ));
        rows.push((
            format!("{who} · {}", l.t("户口所在地", "hukou")),
            format!("{} ({})", p.hukou.name(), p.hukou),
        ));
        if let Some(rp) = &p.residence_permit {
            rows.push((
                format!("{who} · {}", l.t("居住证", "residence permit")),
                format!(
                    "{} ({}) {} {}",
                    rp.division.name(),
                    rp.division,
                    l.t("有效期至", "valid until"),
                    rp.valid_until
                ),
            ));
        }
        rows.push((
            format!("{who} · {}", l.t("邮箱", "email")),
            r.emails[i].clone(),
        ));
    }
    if let Some(p) = &r.phone {
        rows.push((l.t("联系电话", "Phone").to_owned(), p.clone()));
    }
    rows
}

/// `POST /book`.
pub async fn post(
    state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let mut fields = Fields::from_pairs(form::read(&req, &body)?);
    let page = Page::new(&req);
    let l = page.chrome.lang;
    let oidc = !state.identity.confirms_by_contact();
    let who = match oidc {
        true => super::mine::who(&req, l).await?,
        false => None,
    };
    if who.is_some() {
        // Never typed, never carried in the pages' hidden fields: the session says who.
        for k in FIRST {
            fields.set(k, None);
        }
    }
    let mode = Mode { oidc, who };
    let (office_id, slot_id) = (
        fields.get("office_id").to_owned(),
        fields.get("slot_id").to_owned(),
    );
    let service = service_of(&fields);
    let now = now_for(&state.clock, service);
    let slot = with_db(state.clone(), move |conn, st| {
        booking::slot_choice(conn, &Rules::of(st), &office_id, &slot_id, now)
    })
    .await
    .map_err(|e| PageError::of(l, &e.problem))?;
    let action = fields.get("action").to_owned();
    if !matches!(action.as_str(), "review" | "book") {
        return Ok(details(
            page,
            StatusCode::OK,
            &fields,
            Errors::default(),
            slot,
            &mode,
        ));
    }
    let request = match parse(l, &fields, mode.who.as_ref()) {
        Ok(r) => r,
        Err(errors) => {
            return Ok(details(
                page,
                StatusCode::BAD_REQUEST,
                &fields,
                errors,
                slot,
                &mode,
            ))
        }
    };
    if action == "review" {
        let (parties, office_id, day) = (
            request.parties.clone(),
            slot.office.id.clone(),
            slot.start[..10].to_owned(),
        );
        let day = hunyin_app::clock::parse_date(&day).unwrap_or_else(hunyin_app::clock::today);
        let v = with_db(state.clone(), move |conn, st| {
            eligibility::check(conn, &st.policy, &parties, day, service, Some(&office_id))
        })
        .await
        .map_err(|e| PageError::of(l, &e.problem))?;
        if !v.eligible {
            let mut errors = Errors::default();
            for p in &v.problems {
                errors.push(
                    "parties-0-id_number",
                    l.t(&p.message_zh, &p.message).to_owned(),
                );
            }
            return Ok(details(
                page,
                StatusCode::UNPROCESSABLE_ENTITY,
                &fields,
                errors,
                slot,
                &mode,
            ));
        }
        let mut carry = fields.carry(&carried());
        carry.push(("slot_id".into(), slot.slot_id.clone()));
        carry.push(("office_id".into(), slot.office.id.clone()));
        let html = ReviewPage {
            when: when(l, &slot.start, &slot.end),
            rows: review_rows(l, &request, mode.who.is_some()),
            carry,
            c: page.chrome.clone(),
            slot,
        }
        .render();
        return Ok(page.answer(StatusCode::OK, html));
    }
    hunyin_http::ratelimit::limit(&state, &req, "appointments")
        .await
        .map_err(|e| PageError::of(l, &e.problem))?;
    let office = request.office_id.clone();
    let st = state.clone();
    let booked = with_db(state.clone(), move |conn, st| {
        let kind = match service {
            Service::Divorce => VisitKind::Divorce,
            Service::Marriage => VisitKind::Marriage,
        };
        booking::book_visit(
            conn,
            &Rules::of(st),
            &request,
            kind,
            now_for(&st.clock, service),
        )
    })
    .await;
    let v = match booked {
        Ok(v) => v,
        Err(e) if e.status.is_client_error() => {
            let errors = errors_of(l, &e.problem, "slot");
            return Ok(details(page, e.status, &fields, errors, slot, &mode));
        }
        Err(e) => return Err(PageError::of(l, &e.problem)),
    };
    st.listings.invalidate(&office);
    Ok(done_redirect(&req, &v))
}

/// Post/Redirect/Get: the confirmation page reads the booking back from a short-lived cookie
/// (never the URL), so reloading it books nothing again.
pub fn done_redirect(req: &HttpRequest, v: &AppointmentView) -> HttpResponse {
    let mut resp = see_other("/book/done");
    let token = v.manage_token.as_deref().unwrap_or_default();
    let value = format!("{}_{token}", v.reference);
    let secure = cookies::secure(req);
    // Sent back only to the confirmation page, and for a few minutes: on a shared computer the
    // next person cannot read the manage code from it later.
    let cookie = cookies::set_at(
        BOOKED,
        &value,
        "/book/done",
        5 * 60,
        SameSite::Strict,
        secure,
    );
    if let Ok(h) = header::HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, h);
    }
    resp
}

/// The cookie carrying a just made booking's reference and manage code to its page.
const BOOKED: &str = "hunyin_booked";

/// `GET /book/done`: the confirmation page of the booking just made in this browser.
pub async fn done(state: web::Data<WebState>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let page = Page::new(&req);
    let l = page.chrome.lang;
    let Some((reference, token)) = cookies::read(&req, BOOKED)
        .and_then(|v| v.split_once('_').map(|(r, t)| (r.to_owned(), t.to_owned())))
    else {
        return Ok(see_other("/appointment"));
    };
    let t = token.clone();
    let v = with_db(state.clone(), move |conn, st| {
        booking::view(conn, &Rules::of(st), &reference, Some(&t))
    })
    .await
    .map_err(|e| PageError::of(l, &e.problem))?;
    let html = BookedPage {
        when: v
            .slot
            .as_ref()
            .map(|s| when(l, &s.start, &s.end))
            .unwrap_or_default(),
        token,
        documents: super::documents(l, &v.documents),
        confirm_minutes: state.identity.confirm_minutes,
        oidc: !state.identity.confirms_by_contact(),
        c: page.chrome.clone(),
        v,
    }
    .render();
    Ok(page.answer(StatusCode::OK, html))
}
