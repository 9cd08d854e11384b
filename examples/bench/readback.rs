//! After a surge and its confirmations, the database and the mail folders read back: every 2xx
//! booking is booked, no seat is overbooked, every booking's confirmation is mailed once to each
//! party. Any miss fails the run.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use crate::instances::{Db, Server};
use crate::load::Outcomes;
use crate::{inprocess, Res};

const BOOKED: &str =
    "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM appointments WHERE status = 'booked'";

/// Slots whose counter or whose booked appointments exceed their capacity.
const OVERBOOKED: &str = "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM slots s WHERE s.booked > s.capacity \
    OR (SELECT COUNT(*) FROM appointments a WHERE a.slot_id = s.id AND a.status = 'booked') > s.capacity";

const UNDELIVERED: &str = "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM outbox WHERE kind = 'email' AND delivered_at IS NULL AND failed_at IS NULL";

/// What was found.
pub struct Readback {
    /// Bookings answered 2xx.
    pub made: i64,
    /// Bookings in the database.
    pub stored: i64,
    pub overbooked: i64,
    /// 2xx bookings not in the database.
    pub missing: i64,
    pub mails: usize,
    pub unmailed: usize,
    pub duplicates: u32,
}

/// Reads the database back, then waits for the outbox to drain and reads the mail of every
/// instance (the survivors deliver what a killed one had claimed).
pub async fn read_back(db: &Db, servers: &[Server], out: &Outcomes) -> Res<Readback> {
    let stored = inprocess::count(&db.url, BOOKED);
    let overbooked = inprocess::count(&db.url, OVERBOOKED);
    let missing = inprocess::missing_appointments(&db.url, &out.created)?;
    outbox_drained(db).await?;
    let (mails, mailed) = mail_by_reference(servers);
    let refs: HashSet<&String> = out.created.iter().collect();
    // Contact mode: each booking's confirmation goes to both parties' own emails.
    let unmailed = refs
        .iter()
        .filter(|r| mailed.get(r.as_str()).copied().unwrap_or(0) < 2)
        .count();
    Ok(Readback {
        made: out.created.len() as i64,
        stored,
        overbooked,
        missing,
        mails,
        unmailed,
        duplicates: mailed.values().map(|n| n.saturating_sub(2)).sum(),
    })
}

pub async fn outbox_drained(db: &Db) -> Res<()> {
    let deadline = Instant::now() + Duration::from_secs(90);
    while inprocess::count(&db.url, UNDELIVERED) > 0 {
        if Instant::now() > deadline {
            return Err("the outbox did not drain in 90 s".into());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Ok(())
}

/// The number of mails in the instances' folders, and how many booking confirmations (subject
/// "…预约成功 AP-……", sent once both parties confirmed) name each reference.
fn mail_by_reference(servers: &[Server]) -> (usize, BTreeMap<String, u32>) {
    let mut mails = 0;
    let mut mailed: BTreeMap<String, u32> = BTreeMap::new();
    for s in servers {
        for e in std::fs::read_dir(&s.mail_dir)
            .into_iter()
            .flatten()
            .flatten()
        {
            if e.path().extension().is_none_or(|x| x != "eml") {
                continue;
            }
            mails += 1;
            let subject = subject(&e.path());
            if !subject.contains("预约成功") {
                continue;
            }
            if let Some(i) = subject.find("AP-") {
                *mailed.entry(subject[i..i + 9].to_owned()).or_default() += 1;
            }
        }
    }
    (mails, mailed)
}

fn subject(eml: &std::path::Path) -> String {
    let raw = std::fs::read(eml).unwrap_or_default();
    mail_parser::MessageParser::default()
        .parse(&raw)
        .and_then(|m| m.subject().map(str::to_owned))
        .unwrap_or_default()
}

impl Readback {
    /// Fails unless all is well: no overbooking, nothing lost or unmailed, no 5xx (`fives`),
    /// and every one of the `seats` taken.
    pub fn check(&self, label: &str, seats: usize, fives: u64) -> Res<()> {
        let seats = seats as i64;
        let failures: Vec<String> = [
            (
                self.overbooked != 0,
                format!("{} overbooked slots", self.overbooked),
            ),
            (
                self.missing != 0,
                format!("{} confirmed bookings missing", self.missing),
            ),
            (
                self.stored != self.made,
                format!(
                    "{} booked in the database, {} confirmed",
                    self.stored, self.made
                ),
            ),
            (
                self.unmailed != 0,
                format!("{} bookings without their mail", self.unmailed),
            ),
            (fives != 0, format!("{fives} 5xx answers")),
            (
                self.stored != seats,
                format!("{} seats left", seats - self.stored),
            ),
        ]
        .into_iter()
        .filter_map(|(failed, what)| failed.then_some(what))
        .collect();
        if failures.is_empty() {
            Ok(())
        } else {
            Err(format!("{label}: {}", failures.join("; ")))
        }
    }
}
