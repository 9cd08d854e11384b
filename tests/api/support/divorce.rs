//! The divorce counter from a test's side: an instance whose holiday calendar reaches into
//! next year (a test fixture: the shipped file lists the published notices only, and a period
//! received in December runs into January), moving its clock, and the requests of each step.

use std::path::PathBuf;

use chrono::{NaiveDate, Utc};
use reqwest::Response;
use serde_json::{json, Value};

use super::app::{spawn_app_with, TestApp};
use super::counter::Counter;
use super::lib::{schema, Settings};

/// The shipped holiday calendar.
const SHIPPED: &str = include_str!("../../../data/holidays-cn.toml");

/// A holiday file: the shipped calendar and, for each later year up to two years on, a
/// test-only entry with the statutory fixed-date holidays alone (no claim about that year's
/// notice: enough for the periods to be counted).
pub fn holiday_file() -> PathBuf {
    let mut text = SHIPPED.to_owned();
    let this = chrono::Datelike::year(&Utc::now().date_naive());
    for year in (this..=this + 2).filter(|y| !SHIPPED.contains(&format!("year = {y}"))) {
        text.push_str(&format!(
            "\n[[year]]\nyear = {year}\nnotice = \"test fixture\"\noff = [\"{year}-01-01\", \"{year}-05-01..{year}-05-02\", \"{year}-10-01..{year}-10-03\"]\nwork = []\n"
        ));
    }
    let path = std::env::temp_dir().join(format!(
        "hunyin-holidays-{}.toml",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&path, text).unwrap();
    path
}

/// Points `s` at a holiday file that reaches into next year.
pub fn with_calendar(s: &mut Settings) {
    s.booking.holidays_file = holiday_file().display().to_string();
}

/// An instance for divorce tests.
pub fn spawn_divorce_app() -> TestApp {
    spawn_app_with(with_calendar)
}

/// The instance's divorce-counter day, today unless moved.
pub fn clock_today(app: &TestApp) -> NaiveDate {
    app.context.as_ref().expect("started here").clock.today()
}

/// Moves the instance's clock so that its day is `day`.
pub fn move_to(app: &TestApp, day: NaiveDate) {
    let clock = &app.context.as_ref().expect("started here").clock;
    clock.advance(chrono::Duration::days((day - clock.today()).num_days()));
}

/// The dates of an answer.
pub fn date(v: &Value, field: &str) -> NaiveDate {
    v[field].as_str().unwrap().parse().unwrap()
}

/// A receive body for the two parties, the marriage `certificate`.
pub fn receive_body(parties: &[(&str, &str, &str)], certificate: &str) -> Value {
    json!({
        "parties": parties.iter().map(|(id, name, hukou)| json!({
            "id_number": id, "name": name, "hukou_division_code": hukou,
        })).collect::<Vec<_>>(),
        "marriage_certificate": certificate,
        "agreement": {
            "children": "婚生子王小明由女方抚养，男方每月支付抚养费二千元。",
            "property": "共有住房归女方所有，女方补偿男方三十万元。",
            "debts": "无共同债务。",
        },
        "agreement_complete": true,
        "both_parties_present": true,
    })
}

impl Counter<'_> {
    /// Receives a divorce at this office with `body` as given.
    pub async fn receive_divorce(&self, body: Value) -> Response {
        let path = format!("/v1/registrar/offices/{}/divorces", self.office);
        self.post(&path, body).await
    }

    /// A divorce step (`withdrawal`, `issue`, `refusal`) of `reference`.
    pub async fn divorce_step(&self, reference: &str, step: &str, body: Value) -> Response {
        self.post(&format!("/v1/registrar/divorces/{reference}/{step}"), body)
            .await
    }

    /// Issues with both present.
    pub async fn issue_divorce(&self, reference: &str) -> Response {
        let body = json!({"both_parties_present": true});
        self.divorce_step(reference, "issue", body).await
    }

    /// The application as the counter reads it.
    pub async fn divorce(&self, reference: &str) -> Value {
        let resp = self
            .get(&format!("/v1/registrar/divorces/{reference}"))
            .await;
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }
}

/// How many divorce applications the database holds.
pub fn divorce_count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    schema::divorce_applications::table
        .count()
        .get_result(&mut app.connect())
        .unwrap()
}

/// The stored status of a certificate.
pub fn certificate_status(app: &TestApp, number: &str) -> String {
    use diesel::prelude::*;
    schema::certificates::table
        .find(number)
        .select(schema::certificates::status)
        .first(&mut app.connect())
        .unwrap()
}

/// The last serial an office's counter of `kind` gave, if it gave any.
pub fn last_serial(app: &TestApp, office: &str, kind: &str) -> Option<i32> {
    use diesel::prelude::*;
    use schema::certificate_counters::dsl;
    dsl::certificate_counters
        .filter(dsl::office_id.eq(office))
        .filter(dsl::kind.eq(kind))
        .select(dsl::last_serial)
        .first(&mut app.connect())
        .optional()
        .unwrap()
}
