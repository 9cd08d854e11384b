//! Logs carry no personal data: the real binary runs the main flows with every log at debug
//! level, and no full ID number used in them may appear in its output.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{add_resident, nth_couple, nth_person, spawn_app_on, TestDb};
use crate::partner::{audit_details, configure, marital_status, peer, KeyFile};

#[tokio::test]
async fn no_full_id_number_reaches_the_logs() {
    let dir = std::env::temp_dir().join(format!("hunyin-pii-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = TestDb::create();
    let log_path = dir.join("server.log");
    // 河南's instance, in process, knows the couple at the counter below: their check and the
    // notice of their registration cross the partner protocol, logged by the binary at trace.
    let (js_key, ha_key) = (KeyFile::new(), KeyFile::new());
    let ha_db = std::sync::Arc::new(TestDb::create());
    let ha = spawn_app_on(ha_db.clone(), ha_db.url(), |s| {
        let js = peer(
            "jiangsu",
            &["32"],
            "http://127.0.0.1:9",
            "jiangsu-pii",
            &js_key.key,
            &["household_verification", "notification"],
        );
        configure(s, "41", "henan-pii", &ha_key, vec![js]);
    });
    for (id, name) in [
        (nth_person(901, true), "王强"),
        (nth_person(901, false), "李娜"),
    ] {
        add_resident(&ha, &id, name, "410105", "unmarried");
    }
    let config = dir.join("jiangsu.toml");
    std::fs::write(
        &config,
        format!(
            "[partner]\nkey_id = \"jiangsu-pii\"\nprivate_key_file = \"{}\"\n\n[[partner.peers]]\n\
             name = \"henan\"\nprefixes = [\"41\"]\nbase_url = \"{}\"\nkey_id = \"henan-pii\"\n\
             public_key = \"{}\"\noperations = []\n",
            js_key.path.display(),
            ha.address,
            hunyin::partner::keys::public_to_text(&ha_key.key.verifying_key()),
        ),
    )
    .unwrap();
    let config = config.display().to_string();
    let env = [
        ("APP__DATABASE__URL", db.url().to_owned()),
        ("APP__SERVER__PORT", "0".to_owned()),
        ("APP__LOG__FORMAT", "json".to_owned()),
        (
            "APP__MAIL__FILE_DIR",
            dir.join("mail").display().to_string(),
        ),
        ("APP__OUTBOX__POLL_INTERVAL_MS", "50".to_owned()),
        ("RUST_LOG", "trace".to_owned()),
    ];
    let bin = env!("CARGO_BIN_EXE_hunyin");
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut cmd = Command::new(bin);
        cmd.current_dir(&dir)
            .args(["--config", config.as_str()])
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(input) = stdin {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        child.wait_with_output().unwrap()
    };
    let added = run(
        &[
            "staff",
            "add",
            "--office",
            "sz-gusu",
            "--role",
            "registrar",
            "--username",
            "pii.test",
            "--name",
            "测试",
        ],
        Some("a long password\n"),
    );
    assert!(added.status.success());

    // Serve, logging everything to a file we read afterwards.
    let log_file = std::fs::File::create(&log_path).unwrap();
    let mut cmd = Command::new(bin);
    cmd.current_dir(&dir)
        .args(["--config", config.as_str()])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in &env {
        cmd.env(k, v);
    }
    let mut server = cmd.stdout(Stdio::null()).stderr(log_file).spawn().unwrap();
    let mut port = None;
    for _ in 0..200 {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        port = BufReader::new(text.as_bytes())
            .lines()
            .map_while(Result::ok)
            .find_map(|l| {
                let v: Value = serde_json::from_str(&l).ok()?;
                (v["message"] == "listening")
                    .then(|| v["port"].as_u64())
                    .flatten()
            });
        if port.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let base = format!(
        "http://127.0.0.1:{}",
        port.expect("the server logged its port")
    );
    let client = reqwest::Client::new();
    let ids: Vec<String> = (0..3)
        .flat_map(|n| [nth_person(900 + n, true), nth_person(900 + n, false)])
        .collect();

    // Couples: eligibility, booking, view, reschedule, cancel.
    let resp = client
        .post(format!("{base}/v1/eligibility"))
        .json(&json!({"parties": nth_couple(900)}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let slots: Value = client
        .get(format!("{base}/v1/offices/sz-gusu/slots"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let slot = |i: usize| slots["slots"][i]["id"].as_str().unwrap().to_owned();
    let booked: Value = client
        .post(format!("{base}/v1/appointments"))
        .json(&json!({"office_id": "sz-gusu", "slot_id": slot(0), "parties": nth_couple(900), "contact": {"email": "a@example.com"}}))
        .send().await.unwrap().json().await.unwrap();
    let (r, t) = (
        booked["reference"].as_str().unwrap(),
        booked["manage_token"].as_str().unwrap(),
    );
    let path = format!("{base}/v1/appointments/{r}");
    client
        .get(&path)
        .header("x-manage-token", t)
        .send()
        .await
        .unwrap();
    client
        .request(Method::PATCH, &path)
        .header("x-manage-token", t)
        .json(&json!({"slot_id": slot(1)}))
        .send()
        .await
        .unwrap();
    client
        .delete(&path)
        .header("x-manage-token", t)
        .send()
        .await
        .unwrap();
    // A bad ID number is logged nowhere either.
    client.post(format!("{base}/v1/eligibility")).json(&json!({"parties": [{"id_number": ids[0].replace('X', "1") + "9", "name": "x", "hukou_division_code": "320508"}, {"id_number": ids[1], "name": "y", "hukou_division_code": "320508"}]})).send().await.unwrap();

    // The counter (a couple with 河南 hukou, verified by hand): sign in, walk-in, checks, declarations, registration, lookup, audit.
    let session: Value = client
        .post(format!("{base}/v1/registrar/sessions"))
        .json(&json!({"username": "pii.test", "password": "a long password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    let walk: Value = client
        .post(format!("{base}/v1/registrar/offices/sz-gusu/walk-ins"))
        .bearer_auth(&token)
        .json(&json!({"parties": [
            crate::helpers::party(&nth_person(901, true), "王强", "410105", None),
            crate::helpers::party(&nth_person(901, false), "李娜", "410105", None),
        ]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let app = format!(
        "{base}/v1/registrar/applications/{}",
        walk["reference"].as_str().unwrap()
    );
    client.get(&app).bearer_auth(&token).send().await.unwrap();
    client
        .post(format!("{app}/household-checks"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    for party in 0..2 {
        client
            .post(format!("{app}/manual-verifications"))
            .bearer_auth(&token)
            .json(&json!({"party": party, "marital_status": "unmarried", "note": "户口簿"}))
            .send()
            .await
            .unwrap();
        client.post(format!("{app}/declarations")).bearer_auth(&token)
            .json(&json!({"party": party, "no_spouse": true, "no_prohibited_kinship": true, "voluntary": true})).send().await.unwrap();
    }
    let reg = client
        .post(format!("{app}/registration"))
        .bearer_auth(&token)
        .json(&json!({"both_parties_present": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(reg.status(), 201, "{}", reg.text().await.unwrap());
    client
        .post(format!("{base}/v1/registrar/audit-events/search"))
        .bearer_auth(&token)
        .json(&json!({"id_number": ids[2]}))
        .send()
        .await
        .unwrap();
    // The notice reaches 河南 (and the outbox logs its delivery).
    for _ in 0..200 {
        if marital_status(&ha, &nth_person(901, false)) == "married" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(marital_status(&ha, &nth_person(901, false)), "married");
    assert_eq!(
        audit_details(&ha, "partner.household_verification.received").len(),
        2
    );
    tokio::time::sleep(Duration::from_millis(300)).await;

    let _ = server.kill();
    let _ = server.wait();
    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(logs.lines().count() > 50, "debug logging was on");
    // The flows did log these people, masked: the search below is not vacuous.
    assert!(
        logs.contains(&crate::helpers::masked(&ids[2])),
        "masked person in the logs"
    );
    for id in &ids {
        assert!(
            !logs.contains(id.as_str()),
            "a full ID number reached the logs: {}",
            crate::helpers::masked(id)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
