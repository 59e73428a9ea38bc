//! The first domain slice: support contacts and the anonymous `me`.

use serde_json::json;

use crate::common::{TestApp, data};

#[tokio::test]
async fn anyone_can_read_the_support_contacts() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "{ supportContacts { phone phoneE164 email hours } }",
            json!({}),
        )
        .await;
    let contacts = &data(&body)["supportContacts"];
    assert_eq!(contacts["phone"], "8-800-707-12-12");
    assert_eq!(contacts["phoneE164"], "+78007071212");
    assert_eq!(contacts["email"], "support@onlime.ru");
    assert!(contacts["hours"].as_str().is_some_and(|h| !h.is_empty()));
}

#[tokio::test]
async fn me_is_null_for_an_anonymous_caller() {
    let app = TestApp::spawn().await;
    let body = app.graphql("{ me { number holderName } }", json!({})).await;
    assert!(data(&body)["me"].is_null());
}
