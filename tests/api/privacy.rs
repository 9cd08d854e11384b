//! Logs carry no personal data: the real binary runs the main flows with every log at debug
//! level, and no full ID number used in them may appear in its output.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::binary::{command, hunyin_with_stdin, TempDir};
use crate::support::lib::{keys, tokens};
use crate::support::mail::links_in_folder;
use crate::support::partner::{KeyFile, HENAN, JIANGSU, UNREACHABLE};
use crate::support::{
    add_resident, audit_details, couple, eventually, fresh_emails, marital_status, masked,
    nth_couple, nth_person, reference_and_token, spawn_app_with, Counter, TestApp, TestDb,
};

#[tokio::test]
async fn no_full_id_number_reaches_the_logs() {
    let tmp = TempDir::new("pii");
    let dir = tmp.path();
    let db = Arc::new(TestDb::create());
    let log_path = dir.join("server.log");
    // 河南's instance, in process, knows the couple at the counter below: their check and the
    // notice of their registration cross the partner protocol, logged by the binary at trace.
    let (js_key, ha_key) = (KeyFile::new(), KeyFile::new());
    let ha = spawn_app_with(|s| {
        let ops = ["household_verification", "notification"];
        let js = JIANGSU.peer(UNREACHABLE, &js_key.key, &ops);
        HENAN.configure(s, &ha_key, vec![js]);
    });
    let (man, woman) = (nth_person(901, true), nth_person(901, false));
    for (id, name) in [(&man, "王强"), (&woman, "李娜")] {
        add_resident(&ha, id, name, "410105", "unmarried");
    }
    let config = dir.join("jiangsu.toml");
    std::fs::write(
        &config,
        format!(
            "[partner]\nkey_id = \"{}\"\nprivate_key_file = \"{}\"\n\
             public_url = \"http://127.0.0.1:9\"\n\n[[partner.peers]]\n\
             name = \"{}\"\nprefixes = [\"{}\"]\nbase_url = \"{}\"\nkey_id = \"{}\"\n\
             public_key = \"{}\"\noperations = []\n",
            JIANGSU.key_id,
            js_key.path.display(),
            HENAN.name,
            HENAN.prefix,
            ha.address,
            HENAN.key_id,
            keys::public_to_text(&ha_key.key.verifying_key()),
        ),
    )
    .unwrap();
    let config = config.display().to_string();
    let mail_dir = dir.join("mail").display().to_string();
    let env = [
        ("APP__DATABASE__URL", db.url()),
        ("APP__SERVER__PORT", "0"),
        ("APP__LOG__FORMAT", "json"),
        ("APP__MAIL__FILE_DIR", &mail_dir),
        ("APP__OUTBOX__POLL_INTERVAL_MS", "50"),
        ("RUST_LOG", "trace"),
    ];
    let mut staff_add = vec!["--config", config.as_str()];
    staff_add.extend(
        "staff add --office sz-gusu --role registrar --username pii.test --name 测试".split(' '),
    );
    let added = hunyin_with_stdin(dir, &staff_add, &env, "a long password\n");
    assert!(added.status.success());

    // Serve, logging everything to a file we read afterwards.
    let log_file = std::fs::File::create(&log_path).unwrap();
    let mut server = command(dir, &["--config", &config], &env)
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .unwrap();
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
    let app = TestApp::attach(base, db.clone());
    let ids: Vec<String> = (0..3)
        .flat_map(|n| [nth_person(900 + n, true), nth_person(900 + n, false)])
        .collect();

    // Couples: eligibility, booking, view, reschedule, cancel.
    let couple_900 = json!({"parties": nth_couple(900)});
    assert_eq!(app.post_eligibility(&couple_900).await.status(), 200);
    let slots = app.slots("sz-gusu").await;
    let slot = |i: usize| slots[i]["id"].as_str().unwrap().to_owned();
    let emails = fresh_emails();
    let booked = app
        .book_with(
            "sz-gusu",
            &slot(0),
            nth_couple(900),
            [&emails[0], &emails[1]],
        )
        .await;
    assert_eq!(booked.status(), 201);
    let booked: Value = booked.json().await.unwrap();
    // Both parties confirm from the links in the mail folder; the secrets are logged nowhere.
    let secrets = links_in_folder(&dir.join("mail"), &emails).await;
    for secret in &secrets {
        assert_eq!(app.confirm(secret).await.status(), 200);
    }
    let (r, t) = reference_and_token(&booked);
    app.view_appointment(r, Some(t)).await;
    app.reschedule(r, t, &slot(1)).await;
    app.cancel(r, t).await;
    // A bad ID number is logged nowhere either.
    app.post_eligibility(&json!({"parties": [{"id_number": ids[0].replace('X', "1") + "9", "name": "x", "hukou_division_code": "320508"}, {"id_number": ids[1], "name": "y", "hukou_division_code": "320508"}]})).await;

    // The counter (a couple with 河南 hukou, verified by hand): sign in, walk-in, checks,
    // declarations, registration, lookup, audit.
    // Someone types an ID number into the user name field, then a password into it: neither
    // is logged (only an existing account's name is).
    for typed in [ids[1].as_str(), "a long password"] {
        assert_eq!(app.post_sign_in(typed, "wrong").await.status(), 401);
    }
    assert_eq!(app.post_sign_in("pii.test", "wrong").await.status(), 401);
    let token = app.sign_in("pii.test", "a long password").await;
    let desk = Counter::new(&app, &token, "sz-gusu");
    let reference = desk.walk_in(couple(&man, "410105", &woman, "410105")).await;
    desk.get_application(&reference).await;
    desk.try_run_checks(&reference).await;
    for party in 0..2 {
        desk.verify_manually(&reference, party, "unmarried", "户口簿")
            .await;
        desk.declare(&reference, party).await;
    }
    let reg = desk.register(&reference).await;
    assert_eq!(reg.status(), 201, "{}", reg.text().await.unwrap());
    desk.post(
        "/v1/registrar/audit-events/search",
        json!({"id_number": ids[2]}),
    )
    .await;
    // The notice reaches 河南 (and the outbox logs its delivery).
    eventually("the notice to 河南", || {
        marital_status(&ha, &woman) == "married"
    })
    .await;
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
    assert!(logs.contains(&masked(&ids[2])), "masked person in the logs");
    for id in &ids {
        assert!(
            !logs.contains(id.as_str()),
            "a full ID number reached the logs: {}",
            masked(id)
        );
    }
    assert!(
        !logs.contains("a long password"),
        "a password typed as a user name was logged"
    );
    assert!(
        logs.contains("pii.test"),
        "a known account's failure is logged by name"
    );
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a confirmation secret was logged"
        );
        assert!(
            !logs.contains(&tokens::hash(secret)),
            "a secret's hash was logged"
        );
    }
}
