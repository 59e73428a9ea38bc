//! Subscriptions over WebSocket on /graphql, with both subprotocols.

use serde_json::json;

use crate::common::TestApp;

const ACTIVE_NOTICES: &str = "subscription { serviceNotices { title kind active } }";

#[tokio::test]
async fn graphql_transport_ws_round_trip() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws("graphql-transport-ws", json!({})).await;
    ws.subscribe("1", ACTIVE_NOTICES).await;
    let message = ws.next().await;
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(message["id"], "1");
    let notices = message["payload"]["data"]["serviceNotices"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(notices.len(), 1, "only the notice active now: {notices:?}");
    assert_eq!(notices[0]["kind"], "PLANNED_WORKS");
    assert_eq!(notices[0]["active"], true);
    ws.send(json!({ "id": "1", "type": "complete" })).await;
}

#[tokio::test]
async fn legacy_graphql_ws_round_trip() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws("graphql-ws", json!({})).await;
    ws.subscribe("7", ACTIVE_NOTICES).await;
    let message = ws.next().await;
    assert_eq!(message["type"], "data", "{message}");
    assert_eq!(message["id"], "7");
    assert_eq!(
        message["payload"]["data"]["serviceNotices"][0]["kind"],
        "PLANNED_WORKS"
    );
    ws.send(json!({ "id": "7", "type": "stop" })).await;
}

#[tokio::test]
async fn the_clock_decides_which_notices_a_new_subscriber_sees() {
    let app = TestApp::spawn().await;
    // Five hours later the planned works (which end after four) are over.
    app.clock.advance(chrono::Duration::hours(5));
    let mut ws = app.ws("graphql-transport-ws", json!({})).await;
    ws.subscribe("1", ACTIVE_NOTICES).await;
    let message = ws.next().await;
    assert_eq!(message["payload"]["data"]["serviceNotices"], json!([]));
}

#[tokio::test]
async fn an_invalid_subscription_gets_an_error_message_with_a_code() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws("graphql-transport-ws", json!({})).await;
    ws.subscribe("1", "subscription { noSuchField }").await;
    let message = ws.next().await;
    // async-graphql reports a refused document as a result with errors.
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(
        message["payload"]["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    assert!(message["payload"]["data"].is_null());
}
