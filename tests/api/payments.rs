//! Card top-ups through the built-in sandbox provider, end to end: create →
//! the provider's page → pay or decline → notification → credited exactly once.

use serde_json::{Value, json};

use crate::common::{TestApp, data, error_codes};

const CREATE: &str = "mutation ($i: CreatePaymentInput!) { createPayment(input: $i) { \
    payment { id status amount { amount } commission { amount } total { amount } method confirmationUrl expiresAt } \
    holderName userErrors { field code message } } }";

const MY_PAYMENTS: &str = "{ me { balance { amount } payments(first: 10) { totalCount nodes { id status \
    amount { amount } cancelReason finishedAt transaction { kind amount { amount } } } } \
    transactions(kinds: [PAYMENT], first: 100) { totalCount } } }";

fn input(amount: &str, key: Option<&str>) -> Value {
    json!({ "i": { "amount": amount, "returnUrl": "https://shop.example/back", "idempotencyKey": key } })
}

async fn create(app: &TestApp, token: Option<&str>, variables: Value) -> Value {
    let body = app.graphql_as(token, CREATE, variables).await;
    data(&body)["createPayment"].clone()
}

/// The checkout page's path from a confirmation URL.
fn checkout_path(payment: &Value) -> String {
    let url = payment["confirmationUrl"]
        .as_str()
        .expect("a confirmation URL");
    let at = url
        .find("/sandbox/checkout/")
        .expect("a sandbox checkout URL");
    url[at..].to_owned()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

async fn press(app: &TestApp, path: &str, button: &str) -> reqwest::Response {
    no_redirects()
        .post(app.url(&format!("{path}/{button}")))
        .send()
        .await
        .expect("the server answers")
}

async fn mine(app: &TestApp, token: &str) -> Value {
    let body = app.graphql_as(Some(token), MY_PAYMENTS, json!({})).await;
    data(&body)["me"].clone()
}

fn provider_id(path: &str) -> &str {
    path.trim_start_matches("/sandbox/checkout/")
}

async fn notify(app: &TestApp, provider: &str, id: &str) -> reqwest::StatusCode {
    app.http
        .post(app.url(&format!("/webhooks/payments/{provider}")))
        .json(&json!({ "type": "notification", "event": "payment.succeeded", "object": { "id": id, "status": "succeeded" } }))
        .send()
        .await
        .expect("the server answers")
        .status()
}

/// A `Money` in kopecks.
fn amount(v: &Value) -> i64 {
    let text = v["amount"].as_str().expect("an amount");
    let (whole, fraction) = text.split_once('.').expect("two decimals");
    let whole: i64 = whole.parse().expect("digits");
    let fraction: i64 = fraction.parse().expect("digits");
    whole * 100
        + if text.starts_with('-') {
            -fraction
        } else {
            fraction
        }
}

#[tokio::test]
async fn a_card_payment_is_credited_once_after_the_payer_pays_on_the_providers_page() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let before = mine(&app, &token).await;
    let created = create(&app, Some(&token), input("500.00", Some("k-1"))).await;
    assert_eq!(created["userErrors"], json!([]));
    let payment = &created["payment"];
    assert_eq!(payment["status"], "PENDING");
    assert_eq!(payment["method"], "BANK_CARD");
    assert_eq!(payment["amount"]["amount"], "500.00");
    assert_eq!(payment["commission"]["amount"], "0.00");
    assert!(
        created["holderName"].is_null(),
        "my own account needs no confirmation"
    );

    // The provider's page is a real page with the sum and the two buttons.
    let path = checkout_path(payment);
    let page = app.get(&path).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("500.00"), "{html}");
    assert!(html.contains(&format!("action=\"{path}/pay\"")), "{html}");
    assert!(
        html.contains(&format!("action=\"{path}/decline\"")),
        "{html}"
    );

    let paid = press(&app, &path, "pay").await;
    assert_eq!(paid.status(), 303);
    assert_eq!(paid.headers()["location"], "https://shop.example/back");

    let after = mine(&app, &token).await;
    assert_eq!(
        amount(&after["balance"]) - amount(&before["balance"]),
        50_000
    );
    let node = &after["payments"]["nodes"][0];
    assert_eq!(node["id"], payment["id"]);
    assert_eq!(node["status"], "SUCCEEDED");
    assert!(node["finishedAt"].is_string());
    assert_eq!(node["transaction"]["kind"], "PAYMENT");
    assert_eq!(node["transaction"]["amount"]["amount"], "500.00");

    // The provider repeats its notification, and the payer presses again:
    // nothing more is credited.
    for _ in 0..5 {
        assert_eq!(notify(&app, "sandbox", provider_id(&path)).await, 200);
    }
    assert_eq!(press(&app, &path, "pay").await.status(), 303);
    let again = mine(&app, &token).await;
    assert_eq!(again["balance"], after["balance"]);
    assert_eq!(
        again["transactions"]["totalCount"],
        after["transactions"]["totalCount"]
    );
    assert_eq!(
        after["transactions"]["totalCount"].as_i64().unwrap()
            - before["transactions"]["totalCount"].as_i64().unwrap(),
        1
    );
}

#[tokio::test]
async fn notifications_racing_the_payer_credit_once() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let before = mine(&app, &token).await;
    let created = create(&app, Some(&token), input("250.50", None)).await;
    let path = checkout_path(&created["payment"]);
    let id = provider_id(&path).to_owned();
    let mut racing = Vec::new();
    for n in 0..12 {
        let (app, path, id) = (&app, path.clone(), id.clone());
        racing.push(async move {
            if n == 3 {
                press(app, &path, "pay").await.status().as_u16()
            } else {
                notify(app, "sandbox", &id).await.as_u16()
            }
        });
    }
    let statuses = futures_util::future::join_all(racing).await;
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 303),
        "{statuses:?}"
    );
    for _ in 0..3 {
        assert_eq!(notify(&app, "sandbox", &id).await, 200);
    }
    let after = mine(&app, &token).await;
    assert_eq!(
        amount(&after["balance"]) - amount(&before["balance"]),
        25_050
    );
    assert_eq!(
        after["transactions"]["totalCount"].as_i64().unwrap()
            - before["transactions"]["totalCount"].as_i64().unwrap(),
        1
    );
    let balance: i64 = {
        use sea_orm::ConnectionTrait;
        let db = &app.state.db;
        let row = db
            .query_one_raw(kabinet::db::statement(
                db,
                "SELECT CAST(SUM(amount) AS BIGINT) AS total FROM ledger_entry WHERE account_id = \
                 (SELECT id FROM account WHERE number = $1)",
                vec!["100000000001".into()],
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "total").unwrap()
    };
    assert_eq!(
        balance,
        amount(&after["balance"]),
        "the balance equals its ledger"
    );
}

#[tokio::test]
async fn a_declined_payment_credits_nothing_and_says_why() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let before = mine(&app, &token).await;
    let created = create(&app, Some(&token), input("100", None)).await;
    let path = checkout_path(&created["payment"]);
    assert_eq!(press(&app, &path, "decline").await.status(), 303);
    // A later "pay" on the same page changes nothing.
    assert_eq!(press(&app, &path, "pay").await.status(), 303);
    let after = mine(&app, &token).await;
    assert_eq!(after["balance"], before["balance"]);
    let node = &after["payments"]["nodes"][0];
    assert_eq!(node["status"], "CANCELED");
    assert_eq!(node["cancelReason"], "Оплата отменена");
    assert!(node["transaction"].is_null());
    let html = app.get(&path).await.text().await.unwrap();
    assert!(html.contains("Оплата отменена"), "{html}");
}

#[tokio::test]
async fn a_payment_nobody_confirms_expires() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let before = mine(&app, &token).await;
    let created = create(&app, Some(&token), input("300", None)).await;
    let path = checkout_path(&created["payment"]);
    app.clock.advance(chrono::Duration::minutes(61));
    let mut status = Value::Null;
    for _ in 0..200 {
        status = mine(&app, &token).await["payments"]["nodes"][0]["status"].clone();
        if status == "EXPIRED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(status, "EXPIRED");
    let html = app.get(&path).await.text().await.unwrap();
    assert!(html.contains("Время на оплату истекло"), "{html}");
    assert_eq!(press(&app, &path, "pay").await.status(), 303);
    let after = mine(&app, &token).await;
    assert_eq!(after["balance"], before["balance"]);
    assert_eq!(after["payments"]["nodes"][0]["status"], "EXPIRED");
    assert!(after["payments"]["nodes"][0]["confirmationUrl"].is_null());
}

#[tokio::test]
async fn amounts_outside_the_limits_are_user_errors_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    for (sum, code) in [
        ("0.99", "AMOUNT_TOO_SMALL"),
        ("0", "AMOUNT_TOO_SMALL"),
        ("-5.00", "AMOUNT_TOO_SMALL"),
        ("100000.01", "AMOUNT_TOO_LARGE"),
    ] {
        let refused = create(&app, Some(&token), input(sum, None)).await;
        assert!(refused["payment"].is_null());
        assert_eq!(refused["userErrors"][0]["code"], code, "{sum}");
        assert_eq!(
            refused["userErrors"][0]["field"],
            json!(["input", "amount"])
        );
    }
    // The edges are allowed.
    for sum in ["1.00", "100000.00"] {
        let ok = create(&app, Some(&token), input(sum, None)).await;
        assert_eq!(ok["userErrors"], json!([]), "{sum}");
    }
    // More than two decimals is not a sum at all.
    let body = app
        .graphql_as(Some(&token), CREATE, input("10.005", None))
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
    // Not an http(s) return address; a way that does not start online.
    let bad_url = create(
        &app,
        Some(&token),
        json!({ "i": { "amount": "10", "returnUrl": "javascript:alert(1)" } }),
    )
    .await;
    assert_eq!(bad_url["userErrors"][0]["code"], "INVALID_VALUE");
    assert_eq!(
        bad_url["userErrors"][0]["field"],
        json!(["input", "returnUrl"])
    );
    let terminal = create(
        &app,
        Some(&token),
        json!({ "i": { "amount": "10", "method": "TERMINAL", "returnUrl": "https://a.example/" } }),
    )
    .await;
    assert_eq!(
        terminal["userErrors"][0]["field"],
        json!(["input", "method"])
    );
    assert_eq!(mine(&app, &token).await["payments"]["totalCount"], 2);
}

#[tokio::test]
async fn the_same_key_returns_the_first_payment_and_another_input_under_it_is_refused() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let first = create(&app, Some(&token), input("700", Some("same"))).await;
    let again = create(&app, Some(&token), input("700.00", Some("same"))).await;
    assert_eq!(again["payment"]["id"], first["payment"]["id"]);
    assert_eq!(
        again["payment"]["confirmationUrl"],
        first["payment"]["confirmationUrl"]
    );
    let other = create(&app, Some(&token), input("701", Some("same"))).await;
    assert!(other["payment"].is_null());
    assert_eq!(other["userErrors"][0]["code"], "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(mine(&app, &token).await["payments"]["totalCount"], 1);
}

#[tokio::test]
async fn anyone_may_pay_by_account_number_and_sees_only_a_masked_name() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let before = mine(&app, &token).await;
    let variables = json!({ "i": { "amount": "150", "returnUrl": "https://pay.example/",
        "accountNumber": "1000 0000 0001", "saveCard": true } });
    let created = create(&app, None, variables).await;
    assert_eq!(created["userErrors"], json!([]));
    assert_eq!(created["holderName"], "И***в И. И.");
    let path = checkout_path(&created["payment"]);
    assert_eq!(press(&app, &path, "pay").await.status(), 303);
    let after = mine(&app, &token).await;
    assert_eq!(
        amount(&after["balance"]) - amount(&before["balance"]),
        15_000
    );
    assert_eq!(after["payments"]["nodes"][0]["status"], "SUCCEEDED");

    // A stranger cannot read the payment back.
    let id = created["payment"]["id"].clone();
    let body = app
        .graphql(
            "query ($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert!(data(&body)["node"].is_null());

    let unknown = create(
        &app,
        None,
        json!({ "i": { "amount": "150", "returnUrl": "https://pay.example/", "accountNumber": "100000000099" } }),
    )
    .await;
    assert_eq!(unknown["userErrors"][0]["code"], "NOT_FOUND");
    let malformed = create(
        &app,
        None,
        json!({ "i": { "amount": "150", "returnUrl": "https://pay.example/", "accountNumber": "12" } }),
    )
    .await;
    assert_eq!(malformed["userErrors"][0]["code"], "INVALID_VALUE");
    // Without a number and without signing in there is nobody to credit.
    let nobody = app.graphql(CREATE, input("150", None)).await;
    assert_eq!(error_codes(&nobody), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn anonymous_payments_are_limited_per_client_address() {
    let app = TestApp::spawn().await;
    let variables = json!({ "i": { "amount": "10", "returnUrl": "https://pay.example/",
        "accountNumber": "100000000002" } });
    let mut codes = Vec::new();
    for _ in 0..11 {
        let body = app.graphql(CREATE, variables.clone()).await;
        codes.push(error_codes(&body));
    }
    assert!(codes[..10].iter().all(Vec::is_empty), "{codes:?}");
    assert_eq!(codes[10], ["RATE_LIMITED"]);
}

#[tokio::test]
async fn notifications_are_believed_only_as_the_provider_tells_them() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let before = mine(&app, &token).await;
    let created = create(&app, Some(&token), input("900", None)).await;
    let path = checkout_path(&created["payment"]);
    // A forged "succeeded" for a payment the provider still holds pending.
    assert_eq!(notify(&app, "sandbox", provider_id(&path)).await, 200);
    // One for a payment nobody knows: acknowledged, nothing happens.
    assert_eq!(
        notify(&app, "sandbox", "00000000-0000-0000-0000-000000000000").await,
        200
    );
    let after = mine(&app, &token).await;
    assert_eq!(after["balance"], before["balance"]);
    assert_eq!(after["payments"]["nodes"][0]["status"], "PENDING");
    // Not a notification; a provider not in use.
    let garbage = app
        .http
        .post(app.url("/webhooks/payments/sandbox"))
        .body("{\"type\": 1}")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    assert_eq!(notify(&app, "yookassa", provider_id(&path)).await, 404);
    assert_eq!(app.get("/sandbox/checkout/nope").await.status(), 404);
}

#[tokio::test]
async fn payment_methods_show_their_commission_before_paying() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "{ paymentMethods(amount: \"100.00\") { method online commissionPercent commission { amount } \
             total { amount } minAmount { amount } maxAmount { amount } name } }",
            json!({}),
        )
        .await;
    let methods = data(&body)["paymentMethods"].as_array().unwrap().clone();
    let card = methods.iter().find(|m| m["method"] == "BANK_CARD").unwrap();
    assert_eq!(card["commission"]["amount"], "0.00");
    assert_eq!(card["total"]["amount"], "100.00");
    assert_eq!(card["online"], true);
    assert_eq!(card["minAmount"]["amount"], "1.00");
    assert_eq!(card["maxAmount"]["amount"], "100000.00");
    let terminal = methods.iter().find(|m| m["method"] == "TERMINAL").unwrap();
    assert_eq!(terminal["online"], false);
    assert_eq!(terminal["commissionPercent"], "3.00");
    assert_eq!(terminal["commission"]["amount"], "3.00");
    assert_eq!(terminal["total"]["amount"], "103.00");
}

#[tokio::test]
async fn someone_elses_payment_is_not_found() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let created = create(&app, Some(&demo), input("100", None)).await;
    let id = created["payment"]["id"].clone();
    let query = "query ($id: ID!) { node(id: $id) { ... on Payment { status } } }";
    let mine = app
        .graphql_as(Some(&demo), query, json!({ "id": id }))
        .await;
    assert_eq!(data(&mine)["node"]["status"], "PENDING");
    let theirs = app
        .graphql_as(Some(&demo2), query, json!({ "id": id }))
        .await;
    assert!(data(&theirs)["node"].is_null());
}
