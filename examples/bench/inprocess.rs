//! Everything the bench calls in the service's crates, and only here: when their paths change,
//! this file alone follows. The rest of the bench drives the binary over HTTP and its command
//! line.
//!
//! Used: `hunyin::{configuration::Settings, seed, wiring}`; `hunyin_store::{DbConn, Manager,
//! schema::appointments}`; `hunyin_app::{clock, booking::{Rules, BookingRequest, list_slots,
//! book}}`; `hunyin_domain::{IdNumber, DivisionCode, eligibility::Party,
//! id_number::check_character}`; `hunyin_partner::{Directory, keys, httpsig}`.

use std::time::Instant;

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use ed25519_dalek::SigningKey;
use hunyin::configuration::Settings;
use hunyin::{seed, wiring};
use hunyin_app::booking::{self, BookingRequest, Rules};
use hunyin_app::clock;
use hunyin_domain::eligibility::Party;
use hunyin_domain::{id_number, DivisionCode, IdNumber};
use hunyin_partner::{httpsig, keys, Directory};
use hunyin_store::{schema, DbConn, Manager};

use crate::people::person;
use crate::{engine, text, Res};

/// The service's settings for the database at `url`, `env` on top (as `APP__*` variables).
pub fn settings(url: &str, env: &[(String, String)]) -> Settings {
    let mut vars: Vec<(String, String)> = vec![("APP__DATABASE__URL".into(), url.into())];
    vars.extend(env.iter().cloned());
    Settings::load(None, vars).expect("settings")
}

/// A connection the way the service opens one, either engine.
fn connect(url: &str) -> DbConn {
    let s = settings(url, &[]);
    Manager::new(&wiring::db_config(&s))
        .open()
        .expect("connect")
}

/// The one `n` that `sql` selects (`... AS n`), on a connection of its own.
pub fn count(url: &str, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let rows: Vec<N> = diesel::sql_query(sql).load(&mut connect(url)).expect(sql);
    rows.first().map(|r| r.n).unwrap_or(0)
}

/// How many of `references` have no appointment (in chunks: bounded bind parameters).
pub fn missing_appointments(url: &str, references: &[String]) -> Res<i64> {
    use schema::appointments::dsl;
    let mut conn = connect(url);
    let mut missing = 0;
    for chunk in references.chunks(500) {
        let found: i64 = dsl::appointments
            .filter(dsl::reference.eq_any(chunk))
            .count()
            .get_result(&mut conn)
            .map_err(text)?;
        missing += chunk.len() as i64 - found;
    }
    Ok(missing)
}

/// The GB 11643 check character of the first 17 characters of an ID number.
pub fn check_character(body: &[u8; 17]) -> char {
    id_number::check_character(body)
}

/// The in-process booking rate, and the slot it left free for the same over HTTP.
pub struct Ceiling {
    pub per_sec: f64,
    pub http_slot: String,
    /// Two more hot slots, for the engine's figures.
    pub spare_slots: [String; 2],
}

/// What booking needs that a `Rules` borrows, owned.
struct Owned {
    policy: hunyin_domain::Policy,
    scheduling: hunyin_app::scheduling::Scheduling,
    mail_from: lettre::message::Mailbox,
    directory: Directory,
    identity: hunyin_app::booking::Identity,
    clock: hunyin_app::clock::Clock,
}

impl Owned {
    fn of(s: &Settings) -> Res<Owned> {
        Ok(Owned {
            policy: seed::load_policy(s)?,
            scheduling: wiring::scheduling(&s.booking)?,
            mail_from: s.mail.from.parse().map_err(text)?,
            directory: Directory::default(),
            identity: wiring::identity(s),
            clock: hunyin_app::clock::Clock::default(),
        })
    }

    fn rules(&self) -> Rules<'_> {
        Rules {
            identity: &self.identity,
            policy: &self.policy,
            scheduling: &self.scheduling,
            mail_from: &self.mail_from,
            reminder_hours: 24,
            checks_max_age_minutes: 240,
            region_prefix: "32",
            directory: &self.directory,
            clock: &self.clock,
        }
    }
}

/// Seeds the database at `url` and books `n` distinct couples into one slot of 姑苏 by calling
/// `booking::book` in a loop on one connection: the same transaction as HTTP, without HTTP.
/// `setup` runs first on that connection (SQL; "" for none): the bench's own
/// `PRAGMA synchronous = NORMAL`, to measure what the service's FULL costs.
pub fn booking_ceiling(url: &str, env: &[(String, String)], n: usize, setup: &str) -> Res<Ceiling> {
    let s = settings(url, env);
    let mut conn = connect(url);
    if !setup.is_empty() {
        diesel::connection::SimpleConnection::batch_execute(&mut conn, setup).map_err(text)?;
    }
    seed::prepare(&mut conn, &s)?;
    let owned = Owned::of(&s)?;
    let rules = owned.rules();
    let [slot, http_slot, a, b] = hot_slots(&mut conn, &rules)?;
    let per_sec = book_in_a_loop(&mut conn, &rules, &slot, n, 1_000_000)?;
    Ok(Ceiling {
        per_sec,
        http_slot,
        spare_slots: [a, b],
    })
}

/// The engine's figures of a seeded database.
pub struct EngineFigures {
    /// One conditional seat update per transaction, 16 connections.
    pub raw: f64,
    /// `booking::book` on 16 connections at once.
    pub concurrent: f64,
    /// What one booking runs, in the steady state of a connection.
    pub per_booking: engine::Counts,
}

/// The raw ceiling, `n` bookings on 16 connections into `slots[0]`, and the statements of ten
/// bookings into `slots[1]` counted on a fresh connection after one that fills its caches.
pub fn engine_figures(
    url: &str,
    env: &[(String, String)],
    n: usize,
    slots: &[String; 2],
) -> Res<EngineFigures> {
    let s = settings(url, env);
    let owned = std::sync::Arc::new(Owned::of(&s)?);
    let raw = engine::raw_ceiling(url, env, 3.0)?;
    let slot = slots[0].clone();
    let shared = owned.clone();
    let concurrent = engine::concurrently(url, env, n, move |i, conn| {
        let req = request(&slot, 3_000_000 + i as u64);
        booking::book(conn, &shared.rules(), &req, now()).map_err(text)?;
        Ok(())
    })?;
    let mut conn = connect(url);
    let counts = engine::instrument(&mut conn);
    let rules = owned.rules();
    book_in_a_loop(&mut conn, &rules, &slots[1], 1, 4_000_000)?;
    let warm = *counts.lock().unwrap();
    let k = 10;
    book_in_a_loop(&mut conn, &rules, &slots[1], k, 4_000_001)?;
    let total = counts.lock().unwrap().minus(&warm);
    engine::uninstrument(&mut conn);
    let per = |x: u64| x / k as u64;
    Ok(EngineFigures {
        raw,
        concurrent,
        per_booking: engine::Counts {
            statements: per(total.statements),
            in_tx: per(total.in_tx),
            prepared: per(total.prepared),
            uncached: per(total.uncached),
        },
    })
}

/// Wall-clock time in 上海, as the service reads it.
fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now()
        .with_timezone(&clock::shanghai())
        .naive_local()
}

/// Four hot slots: the in-process loop, HTTP, and the engine's two (a slot holds at most
/// 1,000).
fn hot_slots(conn: &mut DbConn, rules: &Rules) -> Res<[String; 4]> {
    // From tomorrow: a slot of today may close (minimum notice) during the run.
    let from = clock::today() + chrono::Duration::days(1);
    let to = from + chrono::Duration::days(14);
    let listed = booking::list_slots(conn, rules, "sz-gusu", from, to, now()).map_err(text)?;
    match &listed[..] {
        [a, b, c, d, ..] => Ok([a, b, c, d].map(|s| s.id.to_string())),
        _ => Err("fewer than four slots".into()),
    }
}

fn request(slot: &str, couple: u64) -> BookingRequest {
    let today = clock::today();
    BookingRequest {
        office_id: "sz-gusu".into(),
        slot_id: slot.to_owned(),
        parties: [true, false].map(|male| party(&person(couple, male), today)),
        // One pair of contacts per couple: the holds-per-contact limit counts per email.
        emails: [
            format!("a{couple}@example.com"),
            format!("b{couple}@example.com"),
        ],
        phone: None,
        signed_in: None,
    }
}

/// Bookings per second of `n` couples (numbered from `first`) into `slot`.
fn book_in_a_loop(conn: &mut DbConn, rules: &Rules, slot: &str, n: usize, first: u64) -> Res<f64> {
    let began = Instant::now();
    for i in 0..n {
        let req = request(slot, first + i as u64);
        booking::book(conn, rules, &req, now()).map_err(text)?;
    }
    Ok(n as f64 / began.elapsed().as_secs_f64())
}

fn party(id_number: &str, today: chrono::NaiveDate) -> Party {
    Party {
        id_number: IdNumber::parse(id_number, today).unwrap(),
        name: "王强".into(),
        hukou: DivisionCode::parse("320508").unwrap(),
        residence_permit: None,
    }
}

/// A new partner signing key.
pub fn new_key() -> Res<SigningKey> {
    keys::generate()
}

/// The private key as the service reads it from `partner.private_key_file`.
pub fn private_pem(key: &SigningKey) -> String {
    keys::private_to_pem(key)
}

/// The public key as a peer's `public_key` in the service's configuration.
pub fn public_text(key: &SigningKey) -> String {
    keys::public_to_text(&key.verifying_key())
}

/// The headers of a GET of `target` signed by peer "henan-bench" (RFC 9421, a fresh nonce).
pub fn signed_get(key: &SigningKey, target: &str) -> Vec<(String, String)> {
    let now = chrono::Utc::now().timestamp();
    let mut req = get(
        target,
        vec![("content-digest".into(), httpsig::content_digest(b""))],
    );
    let nonce = uuid::Uuid::new_v4().to_string();
    let (input, sig) = httpsig::sign(
        httpsig::Message::Request(&req),
        key,
        &httpsig::SignSpec {
            label: "sig1",
            components: httpsig::components(&["@method", "@target-uri", "content-digest"]),
            created: now,
            expires: now + 60,
            keyid: "henan-bench",
            nonce: &nonce,
        },
    )
    .unwrap();
    req.headers.push(("signature-input".into(), input));
    req.headers.push(("signature".into(), sig));
    req.headers
}

/// Signs a GET of `target` and verifies it again, as a client and the service would.
pub fn sign_and_verify(key: &SigningKey, target: &str) -> Res<()> {
    let req = get(target, signed_get(key, target));
    let got = httpsig::read(&req.headers).map_err(text)?;
    let msg = httpsig::Message::Request(&req);
    httpsig::verify(msg, &got, &key.verifying_key()).map_err(text)
}

fn get(target: &str, headers: Vec<(String, String)>) -> httpsig::RequestParts {
    httpsig::RequestParts {
        method: "GET".into(),
        target_uri: target.into(),
        headers,
    }
}
