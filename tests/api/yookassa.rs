//! The ЮKassa adapter against a local stand-in that speaks the documented API:
//! what is sent (idempotence key, amount format, redirect confirmation,
//! capture, metadata), and that a notification is believed only as the API
//! tells it when read back.

use base64::Engine;
use serde_json::{Value, json};

use crate::common::yookassa::{SECRET_KEY, SHOP_ID, YooKassaStandIn};
use crate::common::{TestApp, data};

const CREATE: &str = "mutation ($i: CreatePaymentInput!) { createPayment(input: $i) { \
    payment { id status confirmationUrl } userErrors { code message } } }";
const MINE: &str = "{ me { balance { amount } payments(first: 5) { totalCount nodes { status cancelReason } } \
    transactions(kinds: [PAYMENT]) { totalCount } } }";

async fn with_yookassa(
    configure: impl FnOnce(&mut kabinet::config::Settings),
) -> (TestApp, YooKassaStandIn) {
    let stand_in = YooKassaStandIn::start().await;
    let url = stand_in.url.clone();
    let app = TestApp::spawn_with(move |s| {
        s.yookassa_shop_id = Some(SHOP_ID.into());
        s.yookassa_secret_key = Some(SECRET_KEY.into());
        s.yookassa_api_url = url;
        configure(s);
    })
    .await;
    (app, stand_in)
}

async fn notify(app: &TestApp, event: &str, id: &str) -> u16 {
    app.http
        .post(app.url("/webhooks/payments/yookassa"))
        .json(&json!({ "type": "notification", "event": event, "object": { "id": id, "status": "succeeded", "paid": true } }))
        .send()
        .await
        .expect("the server answers")
        .status()
        .as_u16()
}

async fn mine(app: &TestApp, token: &str) -> Value {
    data(&app.graphql_as(Some(token), MINE, json!({})).await)["me"].clone()
}

fn input(amount: &str, key: &str) -> Value {
    json!({ "i": { "amount": amount, "returnUrl": "https://kabinet.example/paid", "saveCard": true, "idempotencyKey": key } })
}

#[tokio::test]
async fn a_payment_is_created_as_the_api_documents_and_credited_once_when_read_back() {
    let (app, stand_in) = with_yookassa(|_| {}).await;
    let token = app.login("demo", "demo12345").await;
    let before = mine(&app, &token).await;
    let body = app
        .graphql_as(Some(&token), CREATE, input("500", "a-1"))
        .await;
    let created = &data(&body)["createPayment"];
    assert_eq!(created["userErrors"], json!([]));
    assert_eq!(created["payment"]["status"], "PENDING");
    let url = created["payment"]["confirmationUrl"].as_str().unwrap();
    assert!(
        url.starts_with("https://yoomoney.example/checkout/"),
        "{url}"
    );

    let sent = stand_in.requests();
    assert_eq!(sent.len(), 1);
    let request = &sent[0];
    assert_eq!(request.route, "POST /v3/payments");
    let key = request
        .idempotence_key
        .clone()
        .expect("an Idempotence-Key header");
    assert!(!key.is_empty() && key.len() <= 64);
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{SHOP_ID}:{SECRET_KEY}"));
    assert_eq!(
        request.authorization.as_deref(),
        Some(format!("Basic {basic}").as_str())
    );
    assert_eq!(
        request.body["amount"],
        json!({ "value": "500.00", "currency": "RUB" })
    );
    assert_eq!(request.body["capture"], true);
    assert_eq!(
        request.body["confirmation"],
        json!({ "type": "redirect", "return_url": "https://kabinet.example/paid" })
    );
    assert_eq!(request.body["save_payment_method"], true);
    assert_eq!(request.body["metadata"]["kabinet_payment"], key.as_str());
    assert!(
        request.body["description"]
            .as_str()
            .unwrap()
            .contains("100000000001")
    );

    // The same client key: the same payment, and no second one at the provider.
    let again = app
        .graphql_as(Some(&token), CREATE, input("500", "a-1"))
        .await;
    assert_eq!(
        data(&again)["createPayment"]["payment"]["id"],
        created["payment"]["id"]
    );
    assert_eq!(stand_in.payments().len(), 1);

    let id = stand_in.payments()[0]["id"].as_str().unwrap().to_owned();
    stand_in.set_status(&id, "succeeded");
    for _ in 0..5 {
        assert_eq!(notify(&app, "payment.succeeded", &id).await, 200);
    }
    let after = mine(&app, &token).await;
    assert_eq!(after["payments"]["nodes"][0]["status"], "SUCCEEDED");
    assert_eq!(
        after["transactions"]["totalCount"].as_i64().unwrap()
            - before["transactions"]["totalCount"].as_i64().unwrap(),
        1
    );
    // The gateway read the payment back from the API for every notification.
    let reads = stand_in
        .requests()
        .iter()
        .filter(|r| r.route == format!("GET /v3/payments/{id}"))
        .count();
    assert_eq!(reads, 5);
}

#[tokio::test]
async fn a_forged_notification_credits_nothing_and_a_cancellation_is_recorded() {
    let (app, stand_in) = with_yookassa(|_| {}).await;
    let token = app.login("demo", "demo12345").await;
    let before = mine(&app, &token).await;
    app.graphql_as(Some(&token), CREATE, input("1000", "f-1"))
        .await;
    let id = stand_in.payments()[0]["id"].as_str().unwrap().to_owned();
    // The API still says pending: the "succeeded" claim is not believed.
    assert_eq!(notify(&app, "payment.succeeded", &id).await, 200);
    assert_eq!(
        notify(&app, "payment.succeeded", "2fdoesnotexist").await,
        200
    );
    assert_eq!(
        notify(&app, "payment.succeeded", "../../etc/passwd").await,
        200
    );
    let after = mine(&app, &token).await;
    assert_eq!(after["balance"], before["balance"]);
    assert_eq!(after["payments"]["nodes"][0]["status"], "PENDING");

    stand_in.set_status(&id, "canceled");
    assert_eq!(notify(&app, "payment.canceled", &id).await, 200);
    let canceled = mine(&app, &token).await;
    assert_eq!(canceled["payments"]["nodes"][0]["status"], "CANCELED");
    assert_eq!(
        canceled["payments"]["nodes"][0]["cancelReason"],
        "Банк или платёжная система отклонили оплату"
    );
    assert_eq!(canceled["balance"], before["balance"]);
    // Late and out of order: a "succeeded" for a payment the API says was
    // cancelled changes nothing.
    assert_eq!(notify(&app, "payment.succeeded", &id).await, 200);
    assert_eq!(
        mine(&app, &token).await["payments"]["nodes"][0]["status"],
        "CANCELED"
    );
}

#[tokio::test]
async fn a_provider_that_is_down_leaves_no_half_made_payment() {
    let (app, stand_in) = with_yookassa(|_| {}).await;
    let token = app.login("demo", "demo12345").await;
    stand_in.set_down(true);
    let body = app
        .graphql_as(Some(&token), CREATE, input("300", "d-1"))
        .await;
    let refused = &data(&body)["createPayment"];
    assert!(refused["payment"].is_null());
    assert_eq!(refused["userErrors"][0]["code"], "PROVIDER_UNAVAILABLE");
    assert_eq!(mine(&app, &token).await["payments"]["totalCount"], 0);
    // A notification that cannot be checked is refused, so the provider repeats it.
    assert_eq!(notify(&app, "payment.succeeded", "2f01").await, 503);

    // Back up: the same key now makes the payment.
    stand_in.set_down(false);
    let body = app
        .graphql_as(Some(&token), CREATE, input("300", "d-1"))
        .await;
    assert_eq!(data(&body)["createPayment"]["payment"]["status"], "PENDING");
    assert_eq!(mine(&app, &token).await["payments"]["totalCount"], 1);
}

#[tokio::test]
async fn with_a_real_provider_the_sandbox_is_gone() {
    let (app, _stand_in) = with_yookassa(|_| {}).await;
    assert_eq!(app.get("/sandbox/checkout/anything").await.status(), 404);
    let sandbox_hook = app
        .http
        .post(app.url("/webhooks/payments/sandbox"))
        .json(&json!({ "type": "notification", "event": "payment.succeeded", "object": { "id": "x" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(sandbox_hook.status(), 404);
}

#[tokio::test]
async fn notifications_from_outside_the_allowed_networks_are_refused() {
    let (app, stand_in) = with_yookassa(|s| {
        s.payment_webhook_networks = vec!["185.71.76.0/27".into(), "77.75.156.11".into()];
    })
    .await;
    let token = app.login("demo", "demo12345").await;
    app.graphql_as(Some(&token), CREATE, input("100", "n-1"))
        .await;
    let id = stand_in.payments()[0]["id"].as_str().unwrap().to_owned();
    stand_in.set_status(&id, "succeeded");
    assert_eq!(notify(&app, "payment.succeeded", &id).await, 403);
    assert_eq!(
        mine(&app, &token).await["payments"]["nodes"][0]["status"],
        "PENDING"
    );

    let (local, stand_in) = with_yookassa(|s| {
        s.payment_webhook_networks = vec!["127.0.0.0/8".into()];
    })
    .await;
    let token = local.login("demo", "demo12345").await;
    local
        .graphql_as(Some(&token), CREATE, input("100", "n-2"))
        .await;
    let id = stand_in.payments()[0]["id"].as_str().unwrap().to_owned();
    stand_in.set_status(&id, "succeeded");
    assert_eq!(notify(&local, "payment.succeeded", &id).await, 200);
    assert_eq!(
        mine(&local, &token).await["payments"]["nodes"][0]["status"],
        "SUCCEEDED"
    );
}
