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

#[tokio::test]
async fn a_notice_that_starts_while_subscribed_is_pushed() {
    use kabinet::clock::Clock;
    use kabinet::notices::{NewNotice, NoticeKind};
    let app = TestApp::spawn().await;
    let mut ws = app.ws("graphql-transport-ws", json!({})).await;
    ws.subscribe("1", ACTIVE_NOTICES).await;
    let first = ws.next().await;
    assert_eq!(
        first["payload"]["data"]["serviceNotices"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    kabinet::notices::create(
        &app.state.db,
        app.clock.as_ref(),
        NewNotice {
            kind: NoticeKind::Outage,
            title: "Авария на линии".to_owned(),
            body: "Ремонтная бригада выехала.".to_owned(),
            starts_at: app.clock.now() + chrono::Duration::minutes(1),
            ends_at: None,
        },
    )
    .await
    .unwrap();
    app.clock.advance(chrono::Duration::minutes(2));
    let next = ws.next().await;
    let titles: Vec<&str> = next["payload"]["data"]["serviceNotices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Авария на линии"), "{next}");
    assert_eq!(titles.len(), 2);
}

#[tokio::test]
async fn open_subscriptions_share_one_reader() {
    let app = TestApp::spawn().await;
    let mut sockets = Vec::new();
    for _ in 0..10 {
        let mut ws = app.ws("graphql-transport-ws", json!({})).await;
        ws.subscribe("1", ACTIVE_NOTICES).await;
        assert_eq!(ws.next().await["type"], "next");
        sockets.push(ws);
    }
    // While they stay open, no subscriber reads anything itself, and the one
    // reader reads once a poll (25 ms in tests), however many listen.
    let requests = app.state.sql.statements();
    let reads = app.state.live_notices.reads();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.state.sql.statements(), requests);
    let read = app.state.live_notices.reads() - reads;
    // Twenty polls in half a second; ten readers would make two hundred.
    assert!(read <= 40, "{read} readings in half a second");
}
