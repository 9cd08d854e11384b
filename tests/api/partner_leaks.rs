//! What a partner request can learn and what it can plant: a verification whose name does not
//! match learns nothing more; a refused request's claimed key id is neither an actor, nor a
//! statistics group, nor a spreadsheet formula.

use reqwest::Method;
use serde_json::Value;

use crate::support::lib::client::CallError;
use crate::support::lib::{keys, schema};
use crate::support::partner::{
    call_as, verification_body, Jiangsu, KeyFile, ALL_OPS, HENAN, JIANGSU, UNREACHABLE,
};
use crate::support::{add_resident, audit_details, id_number};

const PATH: &str = "/v1/partner/household-verifications";

#[tokio::test]
async fn a_verification_whose_name_does_not_match_learns_only_that() {
    let js = Jiangsu::knowing_henan(UNREACHABLE, &["household_verification"]);
    let id = id_number("320508", "19950101", false);
    add_resident(&js.app, &id, "张敏", "320508", "married");
    // verification_body asks about 李娜: the register says 张敏.
    let resp = js
        .forge(PATH, Some(verification_body(&id)))
        .send(&js.app)
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["found"], true);
    assert_eq!(v["name_matches"], false);
    assert_eq!(v["marital_status"], Value::Null, "{v}");
    assert_eq!(v["hukou_division_code"], Value::Null, "{v}");
    assert_eq!(v["pending_application"], false, "{v}");
    // With the right name, the answer is whole.
    let mut body = verification_body(&id);
    body["name"] = "张敏".into();
    let v: Value = js
        .forge(PATH, Some(body))
        .send(&js.app)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["name_matches"], true);
    assert_eq!(v["marital_status"], "married");
    assert_eq!(v["hukou_division_code"], "320508");
}

#[tokio::test]
async fn a_refused_key_id_is_not_an_actor_a_statistic_or_a_formula() {
    use diesel::prelude::*;
    let js = Jiangsu::knowing_henan(UNREACHABLE, &["household_verification"]);
    let app = &js.app;
    let planted = format!(
        "=HYPERLINK(\"http://evil.example/{}\",\"click\")",
        "x".repeat(200)
    );
    let id = id_number("320508", "19950101", false);
    let mut f = js.forge(PATH, Some(verification_body(&id)));
    f.key_id = planted.clone();
    assert_eq!(f.send(app).await.status(), 401);
    // Audited with no actor; the claimed key id only in the details, cut short.
    let actors: Vec<Option<String>> = {
        use schema::audit_events::dsl;
        dsl::audit_events
            .filter(dsl::action.eq("partner.request_refused"))
            .select(dsl::actor_id)
            .load(&mut app.connect())
            .unwrap()
    };
    assert_eq!(actors, vec![None]);
    let refused = audit_details(app, "partner.request_refused");
    let kept = refused[0]["key_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", refused[0]));
    assert!(kept.chars().count() <= 64, "{kept}");
    assert!(planted.starts_with(kept.trim_end_matches('…')), "{kept}");
    // Not counted: the statistics know only directory partners.
    let auditor = app.auditor("sz-gusu").await;
    let day = crate::support::today();
    for group_by in ["partner_region", "office"] {
        let v: Value = app
            .get_authed(
                &format!("/v1/registrar/statistics?from={day}&to={day}&group_by={group_by}"),
                &auditor,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["total"]["partner_checks_received"], 0, "{group_by}: {v}");
        let text = v.to_string();
        assert!(!text.contains("HYPERLINK"), "{group_by}: {text}");
    }
    // And no CSV cell reads as a formula.
    let csv = app
        .authed(
            Method::GET,
            &format!("/v1/registrar/statistics?from={day}&to={day}&group_by=partner_region"),
            &auditor,
        )
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(!cell.contains("HYPERLINK"), "{cell}");
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
        }
    }
}

#[tokio::test]
async fn our_error_answers_are_signed_so_a_partner_can_believe_them() {
    let js = Jiangsu::knowing_henan(UNREACHABLE, &["registration_status"]);
    // 河南's own client, with 江苏 in its directory.
    let path = std::env::temp_dir().join(format!("hunyin-key-{}.pem", uuid::Uuid::new_v4()));
    std::fs::write(&path, keys::private_to_pem(&js.henan)).unwrap();
    let henan_key = KeyFile {
        path,
        key: js.henan.clone(),
    };
    let peer = JIANGSU.peer(&js.app.address, &js.key.key, &ALL_OPS);
    let henan = HENAN.partners(&henan_key, vec![peer]);
    let number = "/v1/partner/registrations/J320508-2026-999999".to_owned();
    let got = call_as(henan, "jiangsu", "GET", number, None).await;
    assert_eq!(
        got.unwrap_err(),
        CallError::Refused(404, "not_found".into())
    );
    // An operation 河南 may not use: refused, and the refusal is signed too.
    let henan = HENAN.partners(
        &henan_key,
        vec![JIANGSU.peer(&js.app.address, &js.key.key, &ALL_OPS)],
    );
    let body = Some(verification_body(&id_number("320508", "19950101", false)));
    let path = "/v1/partner/household-verifications".to_owned();
    let got = call_as(henan, "jiangsu", "POST", path, body).await;
    assert_eq!(
        got.unwrap_err(),
        CallError::Refused(403, "operation_forbidden".into())
    );
}

#[test]
fn peers_without_a_public_url_refuse_to_start() {
    let key = KeyFile::new();
    let mut s = crate::support::test_settings("sqlite://unused");
    let henan = keys::generate().unwrap();
    JIANGSU.configure(
        &mut s,
        &key,
        vec![HENAN.peer(UNREACHABLE, &henan, &ALL_OPS)],
    );
    // Without it, @target-uri would come from whatever Host the caller sent.
    s.partner.public_url = String::new();
    let err = crate::support::lib::partners(&s.partner, &s.instance)
        .err()
        .expect("refused");
    assert!(err.contains("partner.public_url"), "{err}");
    s.partner.public_url = "https://hunyin.js.example".into();
    assert!(crate::support::lib::partners(&s.partner, &s.instance).is_ok());
}
