//! The 5-20 surge: 100 offices, 10 slots each on one day, three attempts per seat by distinct
//! couples from many clients, against one or more servers on one database; optionally kill -9
//! one of them at 40 % of the attempts (a single instance: kill -9 and start it again on the same
//! database and mail folder). Each 201 is a hold (contact mode); then both parties of every
//! hold confirm from the links in the mail folders. Then the database and the mail are read back.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::cli::Opts;
use crate::confirm::confirm_all;
use crate::instances::{start, Db, Server};
use crate::load::{client, drive, json_of, reads_during, Outcomes};
use crate::people::couple;
use crate::readback::{read_back, Readback};
use crate::report::{p50_p99, Table};
use crate::survival::{reap, survivors_peak, Again, Live, Restarted};
use crate::{text, Res};

/// One surge of the run.
pub struct Surge<'a> {
    label: &'a str,
    instances: usize,
    /// Kill the first instance at 40 % of the attempts (a single instance is started again).
    kill: bool,
}

impl<'a> Surge<'a> {
    pub fn new(label: &'a str, instances: usize, kill: bool) -> Surge<'a> {
        Surge {
            label,
            instances,
            kill,
        }
    }

    /// The label as a file name.
    fn slug(&self) -> String {
        self.label.replace([' ', ','], "-")
    }
}

/// The surge at a scale: 20,000 seats and 60,000 attempts at 1, at least 10 seats an office.
struct Size {
    offices: usize,
    /// Seats of each slot.
    capacity: usize,
    seats: usize,
    attempts: usize,
}

impl Size {
    fn at(scale: f64) -> Size {
        let offices = 100usize;
        let per_office_seats = ((200.0 * scale).round() as usize).max(10);
        let capacity = per_office_seats / 10;
        let seats = offices * capacity * 10;
        Size {
            offices,
            capacity,
            seats,
            attempts: seats * 3,
        }
    }
}

/// Runs one surge and its checks; returns the survivors' peak memory (KiB).
pub async fn surge(o: &Opts, db: &Db, dir: &Path, t: &mut Table, s: &Surge<'_>) -> Res<u64> {
    let size = Size::at(o.scale);
    let config = write_config(dir, s, &size)?;
    let mut servers = start_all(o, db, dir, s, &config)?;
    let day_slots = day_slots(&servers[0]).await?;
    let live = Live::new(&servers);
    let restarted = Restarted::default();
    let at = size.attempts * 2 / 5;
    let hook = match (s.kill, s.instances) {
        (false, _) => None,
        (true, 1) => {
            let again = Again::new(&o.bin, db, dir, format!("{}-0", s.slug()), &config);
            Some(live.restart_first_at(at, &servers[0], again, restarted.clone()))
        }
        (true, _) => Some(live.kill_first_at(at, &servers[0])),
    };
    let make = bookings(live, day_slots, &size);
    let began = Instant::now();
    // Couples looking at the calendar page of an office during the surge, and the bare
    // `/healthz` of the same instance as its ceiling, two readers each.
    let calendar = servers[0].url(CALENDAR);
    let bare = servers[0].url("/healthz");
    let surge = drive(size.attempts, 64, make, hook);
    let ((out, pages), bare) = reads_during(bare, 2, reads_during(calendar, 2, surge)).await;
    let took = began.elapsed();
    if s.kill {
        reap(&mut servers[0]);
    }
    if let Some((again, down)) = restarted.lock().unwrap().take() {
        println!(
            "  started again after the kill -9 in {:.0} ms",
            down.as_secs_f64() * 1e3
        );
        servers[0] = again?;
    }
    // Contact mode: every hold is confirmed by both parties from the mail folders.
    let killed = s.kill && s.instances > 1;
    let began = Instant::now();
    let confirmed = confirm_all(db, &servers, &servers[usize::from(killed)..]).await?;
    println!(
        "  {}: {} confirmations in {:.1} s; {:?}",
        s.label,
        confirmed.count(),
        began.elapsed().as_secs_f64(),
        confirmed.status
    );
    let back = read_back(db, &servers, &out).await?;
    report(t, s, &size, &out, &back, took);
    if !s.kill {
        page_row(t, s.label, &pages, &bare);
    }
    t.row(
        &format!("  {}: confirmations 200, 409, 5xx", s.label),
        format!(
            "{} {} {}",
            confirmed.n("200"),
            confirmed
                .status
                .iter()
                .filter(|(k, _)| k.starts_with("409"))
                .map(|(_, v)| v)
                .sum::<u64>(),
            confirmed.fives()
        ),
        p50_p99(&confirmed),
        "-".into(),
    );
    back.check(s.label, size.seats, out.fives() + confirmed.fives())?;
    Ok(survivors_peak(&servers, s.kill && s.instances > 1))
}

/// The calendar page of the first office, this month.
const CALENDAR: &str = "/offices/o-000/calendar";

/// The calendar page's latency during the surge against the bare route's, and its answers
/// (every one must be a 200).
fn page_row(t: &mut Table, label: &str, pages: &Outcomes, bare: &Outcomes) {
    let ratio = pages.percentile(0.5).as_secs_f64() / bare.percentile(0.5).as_secs_f64().max(1e-6);
    t.row(
        &format!(
            "  {label}: calendar page during the surge ({} reads) vs bare /healthz",
            pages.count()
        ),
        p50_p99(pages),
        p50_p99(bare),
        format!("p50 x{ratio:.1}"),
    );
    let not_ok = pages.count() as u64 - pages.n("200");
    t.must_be_zero(
        &format!("  {label}: calendar page answers other than 200"),
        not_ok,
    );
}

/// The offices (cycling through the current county-level divisions of 江苏) and a
/// configuration: two periods a day, rate limits by `X-Forwarded-For`, a short outbox lease.
fn write_config(dir: &Path, s: &Surge, size: &Size) -> Res<PathBuf> {
    let codes: Vec<String> = include_str!("../../data/gb2260.tsv")
        .lines()
        .filter(|l| l.starts_with("32") && l.contains("current") && !l[..6].ends_with("00"))
        .map(|l| l[..6].to_owned())
        .collect();
    let mut file = String::new();
    for (i, code) in codes.iter().cycle().take(size.offices).enumerate() {
        file.push_str(&format!("[[office]]\nid = \"o-{i:03}\"\nname = \"婚姻登记处 {i}\"\ndivision_code = \"{code}\"\naddress = \"-\"\nphone = \"-\"\n\n"));
    }
    let offices_file = dir.join(format!("offices-{}.toml", s.slug()));
    std::fs::write(&offices_file, file).map_err(text)?;
    let config = dir.join(format!("surge-{}.toml", s.slug()));
    std::fs::write(&config, format!(
        "[rules]\noffices_file = \"{}\"\n[booking]\nperiods = [\"09:00-12:00\", \"13:00-15:00\"]\ncapacity = {}\n\
         [rate_limit]\ntrust_forwarded_for = true\nper_minute = 20\nburst = 10\n\
         [outbox]\nlease_secs = 10\npoll_interval_ms = 200\nbatch_size = 50\n[database]\nmax_connections = 12\nacquire_timeout_ms = 10000\n",
        offices_file.display(), size.capacity)).map_err(text)?;
    Ok(config)
}

/// The instances, one after the other: the first migrates and seeds before the others start.
fn start_all(o: &Opts, db: &Db, dir: &Path, s: &Surge, config: &Path) -> Res<Vec<Server>> {
    (0..s.instances)
        .map(|i| {
            let name = format!("{}-{i}", s.slug());
            Ok(start(&o.bin, db, dir, &name, &[], Some(config))?.0)
        })
        .collect()
}

/// The ten slots (without the office part of their id) of the first day whose slots are all
/// still bookable.
async fn day_slots(server: &Server) -> Res<Vec<String>> {
    let listing: Value = json_of(client().get(server.url("/v1/offices/o-000/slots"))).await?;
    let ids: Vec<&str> = listing["slots"]
        .as_array()
        .ok_or("no slots")?
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    let day = ids
        .iter()
        .map(|id| &id[6..14])
        .find(|d| ids.iter().filter(|id| &id[6..14] == *d).count() == 10)
        .ok_or("no day with 10 bookable slots")?;
    Ok(ids
        .iter()
        .filter(|id| &id[6..14] == day)
        .map(|id| id[6..].to_owned())
        .collect())
}

/// Attempt `i`: a distinct couple for an office and slot, from one of many clients, to a
/// living instance.
fn bookings(
    live: Live,
    day_slots: Vec<String>,
    size: &Size,
) -> impl Fn(usize) -> Option<reqwest::RequestBuilder> + Send + Sync + 'static {
    let c = client();
    let offices = size.offices;
    let clients = (size.attempts / 12).max(50);
    move |i: usize| {
        // Every seat gets three attempts, spread over offices and time (7919 is prime).
        let k = (i * 7919) % (offices * 10);
        let (office, slot) = (k / 10, &day_slots[k % 10]);
        let port = live.pick(i);
        let client = i % clients;
        Some(c.post(format!("http://127.0.0.1:{port}/v1/appointments"))
            .header("x-forwarded-for", format!("10.{}.{}.{}", client / 65536, (client / 256) % 256, client % 256))
            .json(&json!({
                "office_id": format!("o-{office:03}"), "slot_id": format!("o-{office:03}.{slot}"),
                "parties": couple(10_000_000 + i as u64),
                "contact": {"emails": [format!("a{i}@bench.invalid"), format!("b{i}@bench.invalid")]},
            })))
    }
}

/// A line of outcomes, then three rows: bookings against seats, refusals and errors with the
/// latencies, and the read-back.
fn report(t: &mut Table, s: &Surge, size: &Size, out: &Outcomes, back: &Readback, took: Duration) {
    let (label, seats, attempts) = (s.label, size.seats, size.attempts);
    println!(
        "  {label}: {attempts} attempts in {:.1} s over {} instance(s){}; {:?}",
        took.as_secs_f64(),
        s.instances,
        if s.kill { ", one killed at 40 %" } else { "" },
        out.status
    );
    t.row(
        &format!(
            "5-20 surge, {label}: bookings made / seats ({} offices)",
            size.offices
        ),
        format!("{} / {seats}", back.made),
        format!("left {}", seats as i64 - back.stored),
        format!("{:.0}/s", attempts as f64 / took.as_secs_f64()),
    );
    t.row(
        &format!("  {label}: 409 full/booked, 429, 5xx, connection errors"),
        format!(
            "{} {} {} {}",
            out.n("409 slot_full") + out.n("409 already_booked"),
            out.n("429 too_many_requests"),
            out.fives(),
            out.n("connection error")
        ),
        p50_p99(out),
        "-".into(),
    );
    let Readback {
        overbooked,
        missing,
        unmailed,
        duplicates,
        mails,
        ..
    } = back;
    t.row(
        &format!("  {label}: overbooked seats, lost 2xx bookings, unmailed, duplicate mails"),
        format!("{overbooked} {missing} {unmailed} {duplicates}"),
        format!("{mails} mails"),
        "-".into(),
    );
}
