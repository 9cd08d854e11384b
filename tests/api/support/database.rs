//! The databases the suite runs on, and what tests read and arrange in them directly (not
//! through the app): residents in the register, staff, slot times, audit events.

use std::path::PathBuf;

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::PgConnection;
use serde_json::Value;

use super::app::TestApp;
use super::lib::{self, schema, IdNumber, Sex};
use super::template;

/// The PostgreSQL server the suite runs on, if any.
pub fn postgres_server_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A database made for one test and removed when the test ends.
pub enum TestDb {
    Sqlite {
        dir: PathBuf,
        url: String,
    },
    Postgres {
        server_url: String,
        name: String,
        url: String,
    },
}

impl TestDb {
    /// A fresh database on the suite's engine with every migration applied (on PostgreSQL a
    /// copy of the suite's migrated template: migrating once per test was most of the run).
    pub fn create() -> TestDb {
        match postgres_server_url() {
            Some(server_url) => {
                let template = template::migrated(&server_url);
                TestDb::try_create_postgres(&server_url, &format!("TEMPLATE {template}"))
                    .unwrap_or_else(|_| {
                        template::rebuild(&server_url);
                        TestDb::create_postgres(server_url, &format!("TEMPLATE {template}"))
                    })
            }
            None => TestDb::create_sqlite(),
        }
    }

    /// A fresh database with nothing in it, not even the migrations (for `migrate` itself).
    pub fn create_empty() -> TestDb {
        match postgres_server_url() {
            Some(server_url) => TestDb::create_postgres(server_url, ""),
            None => TestDb::create_sqlite(),
        }
    }

    fn create_postgres(server_url: String, options: &str) -> TestDb {
        TestDb::try_create_postgres(&server_url, options).expect("create test database")
    }

    fn try_create_postgres(server_url: &str, options: &str) -> diesel::QueryResult<TestDb> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let name = format!("hunyin_test_{id}");
        let mut admin = PgConnection::establish(server_url)
            .expect("TEST_DATABASE_URL must reach a PostgreSQL server");
        admin.batch_execute(&format!("CREATE DATABASE {name} {options}"))?;
        let url = with_database(server_url, &name);
        Ok(TestDb::Postgres {
            server_url: server_url.to_owned(),
            name,
            url,
        })
    }

    /// A fresh SQLite database in its own folder, whatever the suite's engine.
    pub fn create_sqlite() -> TestDb {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let dir = std::env::temp_dir().join(format!("hunyin-test-{id}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}", dir.join("hunyin.db").display());
        TestDb::Sqlite { dir, url }
    }

    /// The URL the app is given.
    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDb::Postgres { .. })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite { dir, .. } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres {
                server_url, name, ..
            } => {
                if let Ok(mut admin) = PgConnection::establish(server_url) {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{base}/{name}{query}")
}

/// Puts residents (ID number, name, marital status) of 苏州 姑苏区 straight into the register.
pub fn add_residents(app: &TestApp, rows: &[(&str, &str, &str)]) {
    for (id, name, status) in rows {
        add_resident(app, id, name, "320508", status);
    }
}

/// Puts one resident with hukou in division `hukou` straight into the register.
pub fn add_resident(app: &TestApp, id: &str, name: &str, hukou: &str, status: &str) {
    let parsed = IdNumber::parse(id, chrono::NaiveDate::MAX).expect("valid id");
    let sex = match parsed.sex() {
        Sex::Male => "male",
        Sex::Female => "female",
    };
    app.connect()
        .batch_execute(&format!(
            "INSERT INTO household_records (id_number, name, sex, birth_date, hukou_division_code, marital_status, updated_at) VALUES ('{id}', '{name}', '{sex}', '{}', '{hukou}', '{status}', '2026-01-01 00:00:00')",
            parsed.birth_date()
        ))
        .expect("insert resident");
}

/// A resident's marital status in the register.
pub fn marital_status(app: &TestApp, id: &str) -> String {
    use schema::household_records::dsl;
    dsl::household_records
        .find(id)
        .select(dsl::marital_status)
        .first(&mut app.connect())
        .unwrap()
}

/// Changes a resident's marital status in the register, as a later record would.
pub fn set_marital_status(app: &TestApp, id: &str, status: &str) {
    app.connect()
        .batch_execute(&format!(
            "UPDATE household_records SET marital_status = '{status}' WHERE id_number = '{id}'"
        ))
        .unwrap();
}

/// Dates every household check of application `reference` back to 2020, as if run long ago.
pub fn age_checks(app: &TestApp, reference: &str) {
    app.connect()
        .batch_execute(&format!(
            "UPDATE household_checks SET checked_at = '2020-01-01 00:00:00' \
             WHERE appointment_id = (SELECT id FROM appointments WHERE reference = '{reference}')"
        ))
        .unwrap();
}

/// Frees the parties of application `reference` from the one-active-appointment index, as rows
/// restored from a backup or written by an older version might be: what the registration guard
/// must hold without.
pub fn free_parties(app: &TestApp, reference: &str) {
    app.connect()
        .batch_execute(&format!(
            "UPDATE appointment_parties SET active = FALSE \
             WHERE appointment_id = (SELECT id FROM appointments WHERE reference = '{reference}')"
        ))
        .unwrap();
}

/// Moves a slot to run from `starts` to `ends` (UTC).
pub fn move_slot(app: &TestApp, slot: &str, starts: NaiveDateTime, ends: NaiveDateTime) {
    let fmt = |t: NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S").to_string();
    app.connect()
        .batch_execute(&format!(
            "UPDATE slots SET starts_at = '{}', ends_at = '{}' WHERE id = '{slot}'",
            fmt(starts),
            fmt(ends),
        ))
        .unwrap();
}

/// Moves a slot to start in a minute, so that its appointments are today's.
pub fn slot_today(app: &TestApp, slot: &str) {
    let now = chrono::Utc::now().naive_utc();
    move_slot(
        app,
        slot,
        now + chrono::Duration::minutes(1),
        now + chrono::Duration::minutes(30),
    );
}

/// The details of the audit events of `action`, oldest first.
pub fn audit_details(app: &TestApp, action: &str) -> Vec<Value> {
    use schema::audit_events::dsl;
    let rows: Vec<String> = dsl::audit_events
        .filter(dsl::action.eq(action))
        .order(dsl::id)
        .select(dsl::details)
        .load(&mut app.connect())
        .unwrap();
    rows.iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

/// How many audit events of `action` there are.
pub fn audit_count(app: &TestApp, action: &str) -> i64 {
    use schema::audit_events::dsl;
    dsl::audit_events
        .filter(dsl::action.eq(action))
        .count()
        .get_result(&mut app.connect())
        .unwrap()
}

/// Moves the deadline of every hold into the past, as if `booking.confirm_minutes` had passed.
pub fn expire_holds(app: &TestApp) {
    use diesel::connection::SimpleConnection;
    app.connect()
        .batch_execute("UPDATE appointment_holds SET expires_at = '2000-01-01 00:00:00'")
        .unwrap();
}

/// How many parties confirmed a hold through their link, over all appointments.
pub fn confirmed_parties(app: &TestApp) -> i64 {
    use schema::appointment_contacts::dsl;
    dsl::appointment_contacts
        .filter(dsl::confirmed_at.is_not_null())
        .count()
        .get_result(&mut app.connect())
        .unwrap()
}

/// How many certificates were issued.
pub fn certificate_count(app: &TestApp) -> i64 {
    use schema::certificates::dsl;
    dsl::certificates
        .count()
        .get_result(&mut app.connect())
        .unwrap()
}

impl TestApp {
    /// Creates a staff account directly in the database.
    pub fn add_staff(&self, office: &str, role: &str, username: &str, password: &str) {
        let hash = lib::hash_password(password).expect("hash");
        let created = lib::db::staff::insert(
            &mut self.connect(),
            &lib::db::staff::NewStaff {
                office_id: office,
                username,
                display_name: "测试登记员",
                role,
                password_hash: &hash,
                disabled: false,
                created_at: chrono::Utc::now().naive_utc(),
            },
        )
        .expect("insert staff");
        assert!(created, "username {username} taken");
    }
}

/// The seats a slot counts as taken, and the appointments that hold one (booked or awaiting
/// confirmation): the two must agree.
pub fn seats_and_holders(app: &TestApp, slot: &str) -> (i64, i64) {
    let mut conn = app.connect();
    let booked: i32 = {
        use schema::slots::dsl;
        dsl::slots
            .filter(dsl::id.eq(slot))
            .select(dsl::booked)
            .first(&mut conn)
            .unwrap_or(0)
    };
    use schema::appointments::dsl;
    let holders: i64 = dsl::appointments
        .filter(dsl::slot_id.eq(slot))
        .filter(dsl::status.eq_any(["booked", "pending_confirmation"]))
        .count()
        .get_result(&mut conn)
        .unwrap();
    (i64::from(booked), holders)
}
