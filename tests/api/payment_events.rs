//! Live events over WebSocket: `accountEvents` for the signed-in account only,
//! `paymentStatus` following one payment to its final status, and (on
//! PostgreSQL) events crossing replicas.

use serde_json::{Value, json};

use std::time::{Duration, Instant};

use crate::common::process::GatewayProcess;
use crate::common::{Gateway, TestApp, WsClient, data, test_epoch};

const CREATE: &str = "mutation ($i: CreatePaymentInput!) { createPayment(input: $i) { \
    payment { id confirmationUrl } userErrors { code } } }";
const EVENTS: &str = "subscription { accountEvents { __typename \
    ... on BalanceChanged { balance { amount } at } \
    ... on PaymentStatusChanged { status payment { id status amount { amount } } } } }";

pub async fn create(app: &impl Gateway, token: &str, amount: &str) -> (String, String) {
    let body = app
        .graphql_as(
            Some(token),
            CREATE,
            json!({ "i": { "amount": amount, "returnUrl": "https://shop.example/" } }),
        )
        .await;
    let payment = &data(&body)["createPayment"]["payment"];
    let url = payment["confirmationUrl"].as_str().unwrap();
    let path = url[url.find("/sandbox/").unwrap()..].to_owned();
    (payment["id"].as_str().unwrap().to_owned(), path)
}

pub async fn press(app: &impl Gateway, path: &str, button: &str) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client
        .post(app.url(&format!("{path}/{button}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
}

pub async fn signed_in_socket(app: &TestApp, token: &str) -> WsClient {
    app.ws(
        "graphql-transport-ws",
        json!({ "authorization": format!("Bearer {token}") }),
    )
    .await
}

pub fn payload(message: &Value, field: &str) -> Value {
    assert_eq!(message["type"], "next", "{message}");
    message["payload"]["data"][field].clone()
}

/// Subscribes to `accountEvents` and makes sure the server has started it:
/// a `paymentStatus` on the same socket answers at once, after it.
pub async fn listen(ws: &mut WsClient, probe_payment: &str) {
    ws.subscribe("events", EVENTS).await;
    ws.subscribe(
        "probe",
        &format!("subscription {{ paymentStatus(paymentId: \"{probe_payment}\") {{ status }} }}"),
    )
    .await;
    let first = ws.next().await;
    assert_eq!(first["id"], "probe", "{first}");
    ws.send(json!({ "id": "probe", "type": "complete" })).await;
    let done = ws.next().await;
    assert_eq!(done, json!({ "id": "probe", "type": "complete" }));
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
}

#[tokio::test]
async fn a_paid_payment_reaches_the_account_events_of_its_account_only() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let (probe, _) = create(&app, &demo, "1").await;
    let (probe2, _) = create(&app, &demo2, "1").await;
    let mut mine = signed_in_socket(&app, &demo).await;
    let mut theirs = signed_in_socket(&app, &demo2).await;
    listen(&mut mine, &probe).await;
    listen(&mut theirs, &probe2).await;

    let (id, path) = create(&app, &demo, "400").await;
    press(&app, &path, "pay").await;
    let status = payload(&mine.next().await, "accountEvents");
    assert_eq!(status["__typename"], "PaymentStatusChanged");
    assert_eq!(status["status"], "SUCCEEDED");
    assert_eq!(status["payment"]["id"], id.as_str());
    assert_eq!(status["payment"]["amount"]["amount"], "400.00");
    let balance = payload(&mine.next().await, "accountEvents");
    assert_eq!(balance["__typename"], "BalanceChanged");
    let body = app
        .graphql_as(Some(&demo), "{ me { balance { amount } } }", json!({}))
        .await;
    assert_eq!(balance["balance"], data(&body)["me"]["balance"]);

    // demo2's socket heard nothing of it: its first event is its own.
    let (_, path2) = create(&app, &demo2, "50").await;
    press(&app, &path2, "decline").await;
    let first = payload(&theirs.next().await, "accountEvents");
    assert_eq!(first["__typename"], "PaymentStatusChanged");
    assert_eq!(first["status"], "CANCELED");
}

#[tokio::test]
async fn payment_status_follows_a_payment_to_its_end() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let (id, path) = create(&app, &demo, "120").await;
    let mut ws = signed_in_socket(&app, &demo).await;
    ws.subscribe(
        "1",
        &format!("subscription {{ paymentStatus(paymentId: \"{id}\") {{ id status transaction {{ kind }} }} }}"),
    )
    .await;
    let now = payload(&ws.next().await, "paymentStatus");
    assert_eq!(now["status"], "PENDING");
    assert_eq!(now["id"], id.as_str());
    press(&app, &path, "pay").await;
    let paid = payload(&ws.next().await, "paymentStatus");
    assert_eq!(paid["status"], "SUCCEEDED");
    assert_eq!(paid["transaction"]["kind"], "PAYMENT");
    let end = ws.next().await;
    assert_eq!(end["type"], "complete", "{end}");
}

#[tokio::test]
async fn someone_elses_payment_cannot_be_followed_and_events_need_a_session() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let (id, _) = create(&app, &demo, "120").await;
    let mut ws = signed_in_socket(&app, &demo2).await;
    ws.subscribe(
        "1",
        &format!("subscription {{ paymentStatus(paymentId: \"{id}\") {{ status }} }}"),
    )
    .await;
    let refused = ws.next().await;
    assert!(refused["payload"]["data"].is_null(), "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );

    let mut anonymous = app.ws("graphql-transport-ws", json!({})).await;
    anonymous.subscribe("2", EVENTS).await;
    let refused = anonymous.next().await;
    assert!(refused["payload"]["data"].is_null(), "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn on_postgresql_an_event_made_by_one_gateway_process_reaches_a_subscriber_of_another_within_a_second()
 {
    let app = TestApp::spawn().await;
    if !app.state.settings.is_postgres() {
        return; // One process on SQLite: nothing to cross.
    }
    // Two `kabinet serve` processes sharing only the database.
    let url = &app.state.settings.database_url;
    let (a, b) = tokio::join!(
        GatewayProcess::start(url, test_epoch(), &app.sms_outbox),
        GatewayProcess::start(url, test_epoch(), &app.sms_outbox),
    );
    let demo = crate::common::login(&a, "demo", "demo12345").await;
    let (probe, _) = create(&a, &demo, "1").await;
    let mut ws = b
        .ws(
            "graphql-transport-ws",
            json!({ "authorization": format!("Bearer {demo}") }),
        )
        .await;
    listen(&mut ws, &probe).await;
    let (paid, path) = create(&a, &demo, "75").await;
    let pressed = Instant::now();
    press(&a, &path, "pay").await;
    let event = payload(&ws.next().await, "accountEvents");
    let took = pressed.elapsed();
    assert_eq!(event["__typename"], "PaymentStatusChanged");
    assert_eq!(event["status"], "SUCCEEDED");
    assert_eq!(event["payment"]["id"], paid.as_str());
    assert!(took < Duration::from_secs(1), "the event took {took:?}");
}

#[tokio::test]
async fn the_nights_charges_reach_the_account_events() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let (probe, _) = create(&app, &demo, "1").await;
    let mut ws = signed_in_socket(&app, &demo).await;
    listen(&mut ws, &probe).await;
    // 12:00 Moscow time on the 25th → 00:10 on the 26th: the worker bills the day.
    app.clock.advance(chrono::Duration::minutes(12 * 60 + 10));
    // (The probe payment expires on the way: that event comes too.)
    let mut event = payload(&ws.next().await, "accountEvents");
    if event["__typename"] == "PaymentStatusChanged" {
        assert_eq!(event["status"], "EXPIRED");
        event = payload(&ws.next().await, "accountEvents");
    }
    assert_eq!(event["__typename"], "BalanceChanged", "{event}");
    let body = app
        .graphql_as(Some(&demo), "{ me { balance { amount } } }", json!({}))
        .await;
    assert_eq!(event["balance"], data(&body)["me"]["balance"]);
}
