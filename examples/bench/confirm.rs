//! The surge's second half in contact mode: both parties of every hold confirm, from the links
//! the instances delivered to their mail folders (as a couple opens them), spread over the live
//! instances and many clients.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::json;

use crate::instances::{Db, Server};
use crate::load::{client, drive, Outcomes};
use crate::survival::Live;
use crate::Res;

/// Waits for the outbox to deliver every link, then confirms each once through `live`.
pub async fn confirm_all(db: &Db, servers: &[Server], live: &[Server]) -> Res<Outcomes> {
    crate::readback::outbox_drained(db).await?;
    // Delivery is at least once (a killed instance's claimed mail goes out again): one each.
    let secrets: Vec<String> = links(servers).into_iter().collect();
    let (n, secrets, live, c) = (secrets.len(), Arc::new(secrets), Live::new(live), client());
    let make = move |i: usize| {
        let port = live.pick(i);
        Some(
            c.post(format!("http://127.0.0.1:{port}/v1/confirmations"))
                .header(
                    "x-forwarded-for",
                    format!("10.200.{}.{}", (i / 256) % 256, i % 256),
                )
                .json(&json!({ "token": secrets[i] })),
        )
    };
    Ok(drive(n, 64, make, None).await)
}

/// The secrets of the confirmation links in the instances' mail folders.
fn links(servers: &[Server]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in servers {
        for e in std::fs::read_dir(&s.mail_dir)
            .into_iter()
            .flatten()
            .flatten()
        {
            let raw = std::fs::read(e.path()).unwrap_or_default();
            let Some(m) = mail_parser::MessageParser::default().parse(&raw) else {
                continue;
            };
            if !m.subject().is_some_and(|s| s.starts_with("请确认")) {
                continue;
            }
            let text = m.body_text(0).unwrap_or_default();
            if let Some(at) = text.find("/confirm#") {
                let secret: String = text[at + 9..]
                    .chars()
                    .take_while(char::is_ascii_hexdigit)
                    .collect();
                if secret.len() == 64 {
                    out.insert(secret);
                }
            }
        }
    }
    out
}
