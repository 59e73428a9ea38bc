//! Refunds by an operator: partial or whole, never more than was paid (also
//! when asked at once), debited (kind REFUND) once the provider confirms.

use serde_json::{Value, json};

use crate::common::yookassa::{SECRET_KEY, SHOP_ID, YooKassaStandIn};
use crate::common::{TestApp, data, error_codes};

const CREATE: &str = "mutation ($i: CreatePaymentInput!) { createPayment(input: $i) { \
    payment { id confirmationUrl } userErrors { code } } }";
const REFUND: &str = "mutation ($i: RefundPaymentInput!) { staff { refundPayment(input: $i) { \
    refund { id status amount { amount } reason } userErrors { field code message } } } }";
const MINE: &str = "{ me { balance { amount } payments(first: 1) { nodes { refunds { status amount { amount } } } } \
    transactions(kinds: [REFUND]) { totalCount nodes { amount { amount } description } } } }";

async fn paid(app: &TestApp, token: &str, amount: &str) -> String {
    let body = app
        .graphql_as(
            Some(token),
            CREATE,
            json!({ "i": { "amount": amount, "returnUrl": "https://shop.example/" } }),
        )
        .await;
    let payment = &data(&body)["createPayment"]["payment"];
    let url = payment["confirmationUrl"].as_str().unwrap();
    let path = &url[url.find("/sandbox/").unwrap()..];
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    client
        .post(app.url(&format!("{path}/pay")))
        .send()
        .await
        .unwrap();
    payment["id"].as_str().unwrap().to_owned()
}

async fn refund(app: &TestApp, staff: &str, payment: &str, amount: &str) -> Value {
    let body = app
        .graphql_as(
            Some(staff),
            REFUND,
            json!({ "i": { "paymentId": payment, "amount": amount, "reason": "Двойная оплата" } }),
        )
        .await;
    data(&body)["staff"]["refundPayment"].clone()
}

#[tokio::test]
async fn a_payment_is_refunded_in_parts_never_beyond_what_was_paid() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let staff = app.login("operator", "operator12345").await;
    let payment = paid(&app, &token, "500").await;
    let before = data(&app.graphql_as(Some(&token), MINE, json!({})).await)["me"].clone();

    let first = refund(&app, &staff, &payment, "200").await;
    assert_eq!(first["userErrors"], json!([]), "{first}");
    assert_eq!(first["refund"]["status"], "SUCCEEDED");
    let too_much = refund(&app, &staff, &payment, "300.01").await;
    assert_eq!(too_much["userErrors"][0]["code"], "AMOUNT_TOO_LARGE");
    assert!(
        too_much["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("300.00")
    );
    let rest = refund(&app, &staff, &payment, "300").await;
    assert_eq!(rest["refund"]["status"], "SUCCEEDED");
    assert_eq!(
        refund(&app, &staff, &payment, "0.01").await["userErrors"][0]["code"],
        "AMOUNT_TOO_LARGE"
    );
    assert_eq!(
        refund(&app, &staff, &payment, "0").await["userErrors"][0]["code"],
        "AMOUNT_TOO_SMALL"
    );

    let after = data(&app.graphql_as(Some(&token), MINE, json!({})).await)["me"].clone();
    assert_eq!(after["transactions"]["totalCount"], 2);
    assert_eq!(
        after["transactions"]["nodes"][0]["amount"]["amount"],
        "-300.00"
    );
    assert!(
        after["transactions"]["nodes"][0]["description"]
            .as_str()
            .unwrap()
            .contains("Двойная оплата")
    );
    let cents = |v: &Value| -> i64 {
        let t = v["balance"]["amount"].as_str().unwrap().replace('.', "");
        t.parse().unwrap()
    };
    assert_eq!(cents(&before) - cents(&after), 50_000);
    assert_eq!(
        after["payments"]["nodes"][0]["refunds"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn refunds_asked_at_once_never_add_up_to_more_than_was_paid() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let staff = app.login("operator", "operator12345").await;
    let payment = paid(&app, &token, "500").await;
    let all =
        futures_util::future::join_all((0..6).map(|_| refund(&app, &staff, &payment, "200"))).await;
    let done = all
        .iter()
        .filter(|r| r["refund"]["status"] == "SUCCEEDED")
        .count();
    assert_eq!(done, 2, "{all:#?}");
    let me = data(&app.graphql_as(Some(&token), MINE, json!({})).await)["me"].clone();
    assert_eq!(me["transactions"]["totalCount"], 2);
}

#[tokio::test]
async fn only_staff_refund_and_only_paid_payments() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let staff = app.login("operator", "operator12345").await;
    let body = app
        .graphql_as(
            Some(&token),
            CREATE,
            json!({ "i": { "amount": "100", "returnUrl": "https://shop.example/" } }),
        )
        .await;
    let pending = data(&body)["createPayment"]["payment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = refund(&app, &staff, &pending, "50").await;
    assert_eq!(refused["userErrors"][0]["code"], "INVALID_VALUE");
    let not_a_payment = refund(&app, &staff, "bm9wZQ", "50").await;
    assert_eq!(not_a_payment["userErrors"][0]["code"], "NOT_FOUND");
    let subscriber = app
        .graphql_as(
            Some(&token),
            REFUND,
            json!({ "i": { "paymentId": pending, "amount": "1", "reason": "x" } }),
        )
        .await;
    assert_eq!(error_codes(&subscriber), ["FORBIDDEN"]);
}

#[tokio::test]
async fn a_provider_refund_is_debited_when_the_provider_confirms_it() {
    let stand_in = YooKassaStandIn::start().await;
    let url = stand_in.url.clone();
    let app = TestApp::spawn_with(move |s| {
        s.yookassa_shop_id = Some(SHOP_ID.into());
        s.yookassa_secret_key = Some(SECRET_KEY.into());
        s.yookassa_api_url = url;
    })
    .await;
    let token = app.login("demo", "demo12345").await;
    let staff = app.login("operator", "operator12345").await;
    let body = app
        .graphql_as(
            Some(&token),
            CREATE,
            json!({ "i": { "amount": "800", "returnUrl": "https://shop.example/" } }),
        )
        .await;
    let payment = data(&body)["createPayment"]["payment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = stand_in.payments()[0]["id"].as_str().unwrap().to_owned();
    stand_in.set_status(&id, "succeeded");
    let notify = |event: &'static str, id: String| {
        let app = &app;
        async move {
            app.http
                .post(app.url("/webhooks/payments/yookassa"))
                .json(&json!({ "type": "notification", "event": event, "object": { "id": id } }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(notify("payment.succeeded", id.clone()).await, 200);

    let asked = refund(&app, &staff, &payment, "800").await;
    assert_eq!(asked["refund"]["status"], "PENDING", "{asked}");
    let sent = stand_in
        .requests()
        .into_iter()
        .find(|r| r.route == "POST /v3/refunds")
        .expect("a refund request");
    assert_eq!(sent.body["payment_id"], id.as_str());
    assert_eq!(
        sent.body["amount"],
        json!({ "value": "800.00", "currency": "RUB" })
    );
    assert!(sent.idempotence_key.is_some());
    let me = data(&app.graphql_as(Some(&token), MINE, json!({})).await)["me"].clone();
    assert_eq!(
        me["transactions"]["totalCount"], 0,
        "nothing moves before the provider confirms"
    );

    let refund_id = stand_in.refunds()[0]["id"].as_str().unwrap().to_owned();
    // A claim the provider does not back is not believed.
    assert_eq!(notify("refund.succeeded", refund_id.clone()).await, 200);
    assert_eq!(
        data(&app.graphql_as(Some(&token), MINE, json!({})).await)["me"]["transactions"]["totalCount"],
        0
    );
    stand_in.set_refund_status(&refund_id, "succeeded");
    for _ in 0..3 {
        assert_eq!(notify("refund.succeeded", refund_id.clone()).await, 200);
    }
    let me = data(&app.graphql_as(Some(&token), MINE, json!({})).await)["me"].clone();
    assert_eq!(me["transactions"]["totalCount"], 1);
    assert_eq!(
        me["transactions"]["nodes"][0]["amount"]["amount"],
        "-800.00"
    );
    assert_eq!(
        me["payments"]["nodes"][0]["refunds"][0]["status"],
        "SUCCEEDED"
    );
}
