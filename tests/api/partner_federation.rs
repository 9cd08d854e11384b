//! The partner protocol between two real instances on loopback: a 江苏 instance (SQLite) and a
//! 河南 instance (PostgreSQL when the suite runs on it, else a second SQLite), each with its own
//! database, key and directory.

use std::sync::Arc;

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::support::lib::{partner_outbound, schema, Partners};
use crate::support::partner::{agent, call_as, KeyFile, ALL_OPS, HENAN, JIANGSU};
use crate::support::proxy::free_port;
use crate::support::{
    add_resident, audit_details, couple, eventually, id_number, marital_status, masked, party,
    problem, spawn_app_on, spawn_app_with, Counter, TestApp, TestDb,
};

const JS_OFFICE: &str = "sz-gusu";
const HA_OFFICE: &str = "zz-jinshui";

/// Two regions that know each other.
struct Federation {
    js: TestApp,
    ha: TestApp,
    js_key: KeyFile,
    ha_key: KeyFile,
    js_url: String,
}

impl Federation {
    fn start() -> Federation {
        let (js_key, ha_key) = (KeyFile::new(), KeyFile::new());
        let js_port = free_port();
        let js_url = format!("http://127.0.0.1:{js_port}");
        let ha = spawn_app_with(|s| {
            let js = JIANGSU.peer(&js_url, &js_key.key, &ALL_OPS);
            HENAN.configure(s, &ha_key, vec![js]);
        });
        let js_db = Arc::new(TestDb::create_sqlite());
        let js = spawn_app_on(js_db.clone(), js_db.url(), |s| {
            s.server.port = js_port;
            let ha_peer = HENAN.peer(&ha.address, &ha_key.key, &ALL_OPS);
            JIANGSU.configure(s, &js_key, vec![ha_peer]);
        });
        Federation {
            js,
            ha,
            js_key,
            ha_key,
            js_url,
        }
    }

    /// The 河南 instance's partner client, as a client of 江苏.
    fn henan_partners(&self) -> Partners {
        let js = JIANGSU.peer(&self.js_url, &self.js_key.key, &ALL_OPS);
        HENAN.partners(&self.ha_key, vec![js])
    }

    /// The 江苏 instance's partner client, as a client of 河南.
    fn jiangsu_partners(&self) -> Partners {
        let ha = HENAN.peer(&self.ha.address, &self.ha_key.key, &ALL_OPS);
        JIANGSU.partners(&self.js_key, vec![ha])
    }
}

#[tokio::test]
async fn two_regions_verify_register_notify_and_answer_status_queries() {
    let f = Federation::start();
    let (js, ha) = (&f.js, &f.ha);
    let man = id_number("320508", "19950312", true);
    let woman = id_number("410105", "19960101", false);
    let henan_man = id_number("410105", "19940505", true);
    add_resident(js, &man, "王强", "320508", "unmarried");
    add_resident(ha, &woman, "李娜", "410105", "unmarried");
    add_resident(ha, &henan_man, "张伟", "410105", "unmarried");

    // A 河南 resident and a 江苏 resident book at a 江苏 office, for today.
    let parties = couple(&man, "320508", &woman, "410105");
    let reference = js.booked_today(JS_OFFICE, parties).await;
    let desk = Counter::open(js, JS_OFFICE).await;
    assert_eq!(desk.check_in(&reference).await.status(), 200);

    // The 河南 party's check is answered by the 河南 instance.
    let v = desk.run_checks(&reference).await;
    assert_eq!(v["cleared"], true, "{v}");
    assert_eq!(v["checks"][0]["source"], "local_register");
    assert_eq!(v["checks"][1]["source"], "partner");
    assert_eq!(v["checks"][1]["marital_status"], "unmarried");
    assert_eq!(v["checks"][1]["hukou_division_code"], "410105");
    let received = audit_details(ha, "partner.household_verification.received");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["partner"], "jiangsu");
    assert_eq!(received[0]["key_id"], "jiangsu-test");
    assert_eq!(received[0]["purpose"], "marriage_registration");
    assert_eq!(
        received[0]["case"]["application_reference"],
        reference.as_str()
    );
    assert_eq!(received[0]["case"]["office_id"], JS_OFFICE);
    let sent = audit_details(js, "household.checked");
    assert_eq!(sent[1]["partner"], "henan");
    assert_eq!(sent[1]["person"], masked(&woman));

    // Declarations, then registration.
    let resp = desk.declare_and_register(&reference).await;
    assert_eq!(resp.status(), 201);
    let number = resp.json::<Value>().await.unwrap()["certificate_number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(marital_status(js, &man), "married");

    // 河南 receives the notification, acknowledges it, and marks its resident married.
    eventually("the notification to 河南", || {
        marital_status(ha, &woman) == "married"
    })
    .await;
    let got = audit_details(ha, "partner.notification.received");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["type"], "marriage_registered");
    assert_eq!(got[0]["applied"], 1);
    assert_eq!(
        got[0]["parties"].as_array().unwrap().len(),
        1,
        "only 河南's party is sent to 河南"
    );
    eventually("the acknowledged delivery", || {
        audit_details(js, "partner.notification.sent").len() == 1
    })
    .await;

    // The same 河南 resident's later application in 河南 is blocked as married.
    let ha_desk = Counter::open(ha, HA_OFFICE).await;
    let parties = json!([
        party(&henan_man, "张伟", "410105", None),
        party(&woman, "李娜", "410105", None)
    ]);
    let later = ha_desk.walk_in(parties).await;
    let v = ha_desk.run_checks(&later).await;
    assert_eq!(v["checks"][1]["outcome"], "failed");
    assert_eq!(v["checks"][1]["reason"], "married");
    let resp = ha_desk.register(&later).await;
    assert_eq!(problem(resp).await["code"], "checks_incomplete");

    // 河南 asks 江苏 about the registration: valid, parties masked; the answer is signed.
    let path = format!("/v1/partner/registrations/{number}");
    let (status, v) = call_as(f.henan_partners(), "jiangsu", "GET", path.clone(), None)
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(v["status"], "valid");
    assert_eq!(v["office"]["id"], JS_OFFICE);
    assert_eq!(v["parties"][1]["id_number_masked"], masked(&woman));
    assert!(
        !v.to_string().contains(&woman),
        "no full ID number in a status answer"
    );
    assert_eq!(
        audit_details(js, "partner.registration_status.received").len(),
        1
    );

    // A repeated delivery of the same event is acknowledged and changes nothing.
    let payload: String = {
        use schema::outbox::dsl;
        dsl::outbox
            .filter(dsl::kind.eq("partner_notification"))
            .select(dsl::payload)
            .first(&mut js.connect())
            .unwrap()
    };
    let partners = f.jiangsu_partners();
    let mut conn = js.connect();
    tokio::task::spawn_blocking(move || {
        let out: partner_outbound::Outgoing = serde_json::from_str(&payload).unwrap();
        partner_outbound::deliver(&mut conn, &partners, &agent(), &out)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(audit_details(ha, "partner.notification.received").len(), 1);
    let stored: i64 = schema::partner_notifications::table
        .count()
        .get_result(&mut ha.connect())
        .unwrap();
    assert_eq!(stored, 1);

    // Revocation at 江苏 gives the 河南 resident her previous status back.
    let sup = js.supervisor(JS_OFFICE).await;
    let resp = js
        .post_authed(
            &format!("/v1/registrar/certificates/{number}/revocation"),
            &sup,
            &json!({"basis": "court_judgment", "document_reference": "(2026)苏0508民初1号"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    eventually("the revocation notice to 河南", || {
        marital_status(ha, &woman) == "unmarried"
    })
    .await;
    let (_, v) = call_as(f.henan_partners(), "jiangsu", "GET", path, None)
        .await
        .unwrap();
    assert_eq!(v["status"], "revoked");
}
