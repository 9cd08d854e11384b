//! What a partner request can learn and what it can plant: a verification whose name does not
//! match learns nothing more; a refused request's claimed key id is neither an actor, nor a
//! statistics group, nor a spreadsheet formula.

use serde_json::Value;

use crate::support::partner::{verification_body, Jiangsu, UNREACHABLE};
use crate::support::{add_resident, id_number};

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
