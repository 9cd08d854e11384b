//! The world of the starvation server: a partner instance ("henan") that accepts TCP
//! connections and never answers, a configuration that sends 河南 hukou checks to it, and ten
//! checked-in couples of a 姑苏 man and a 河南 woman, each waiting for a household check.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::json;

use crate::people::{birth_of, person, person_of};
use crate::registered::Registrar;
use crate::{inprocess, text, Res};

/// The couples waiting for a check.
pub const COUPLES: u64 = 10;

/// The first couple's number (distinct from every other couple of the run).
const FIRST: u64 = 30_000_000;

/// A listener that accepts every connection and holds it open, unanswered, until dropped.
pub struct Hanging {
    pub url: String,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Hanging {
    pub fn start() -> Res<Hanging> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(text)?;
        listener.set_nonblocking(true).map_err(text)?;
        let url = format!("http://{}", listener.local_addr().map_err(text)?);
        let (accepted, stop) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let (n, done) = (accepted.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !done.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((socket, _)) => {
                        held.push(socket);
                        n.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Ok(Hanging {
            url,
            accepted,
            stop,
            thread: Some(thread),
        })
    }

    /// Connections accepted so far (each attempt of a partner call opens one).
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }
}

impl Drop for Hanging {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The server's key and a configuration: peer "henan" (prefix 41) at `partner_url`, client
/// addresses from `X-Forwarded-For`; every other setting is the shipped default (a pool of 10
/// connections, 2 s to get one; partner calls 2 s to connect, 5 s per attempt, 2 retries).
pub fn write_config(dir: &Path, partner_url: &str) -> Res<PathBuf> {
    let (own, henan) = (inprocess::new_key()?, inprocess::new_key()?);
    let key_path = dir.join("starvation-key.pem");
    std::fs::write(&key_path, inprocess::private_pem(&own)).map_err(text)?;
    let config = dir.join("starvation.toml");
    std::fs::write(&config, format!(
        "[rate_limit]\ntrust_forwarded_for = true\n\
         [partner]\nkey_id = \"jiangsu-bench\"\nprivate_key_file = \"{}\"\n[[partner.peers]]\nname = \"henan\"\nprefixes = [\"41\"]\n\
         base_url = \"{partner_url}\"\nkey_id = \"henan-bench\"\npublic_key = \"{}\"\n\
         operations = [\"household_verification\", \"notification\", \"registration_status\"]\n",
        key_path.display(), inprocess::public_text(&henan))).map_err(text)?;
    Ok(config)
}

/// The couples' men as unmarried residents of 姑苏, in the household import's CSV (the women's
/// register is the partner's).
pub fn write_residents(dir: &Path) -> Res<PathBuf> {
    let mut csv =
        String::from("id_number,name,sex,birth_date,hukou_division_code,marital_status\n");
    for n in FIRST..FIRST + COUPLES {
        let he = person(n, true);
        csv.push_str(&format!(
            "{he},王强,male,{},320508,unmarried\n",
            birth_of(&he)
        ));
    }
    let path = dir.join("starvation-residents.csv");
    std::fs::write(&path, csv).map_err(text)?;
    Ok(path)
}

/// Walks the couples in as registrar "bench"; returns the applications' paths.
pub async fn walk_ins(registrar: &Registrar<'_>) -> Res<Vec<String>> {
    let mut applications = Vec::new();
    for n in FIRST..FIRST + COUPLES {
        let parties = json!([
            {"id_number": person(n, true), "name": "王强", "hukou_division_code": "320508"},
            {"id_number": person_of("410105", n, false), "name": "李娜", "hukou_division_code": "410105"},
        ]);
        let walk = registrar
            .post(
                "/v1/registrar/offices/sz-gusu/walk-ins",
                json!({"parties": parties}),
            )
            .await?;
        let r = walk["reference"]
            .as_str()
            .ok_or(format!("walk-in: {walk}"))?;
        applications.push(format!("/v1/registrar/applications/{r}"));
    }
    Ok(applications)
}
