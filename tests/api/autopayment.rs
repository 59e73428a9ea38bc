//! Saved cards and autopayment: a card saved by a payment, forgotten on
//! request; autopayment in each mode charging once per trigger (clock driven),
//! the SMS the day before a monthly debit, retries that never charge twice.

use serde_json::{Value, json};

use crate::common::yookassa::{SECRET_KEY, SHOP_ID, YooKassaStandIn};
use crate::common::{TestApp, data};

const CREATE: &str = "mutation ($i: CreatePaymentInput!) { createPayment(input: $i) { \
    payment { id confirmationUrl } userErrors { code } } }";
const SET: &str = "mutation ($i: SetAutopaymentInput!) { setAutopayment(input: $i) { \
    autopayment { enabled mode amount { amount } threshold { amount } dayOfMonth card { id maskedNumber } } \
    userErrors { field code message } } }";
const STATE: &str = "{ me { balance { amount } savedCards { id maskedNumber expiry cardType } \
    autopayment { enabled mode disabledReason lastAttempt { status number nextRetryAt payment { status amount { amount } } } } \
    transactions(kinds: [PAYMENT], first: 100) { totalCount nodes { amount { amount } description } } } }";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Pays `amount` in the sandbox, saving the card; returns the card's id.
async fn save_a_card(app: &TestApp, token: &str, amount: &str) -> String {
    let body = app
        .graphql_as(
            Some(token),
            CREATE,
            json!({ "i": { "amount": amount, "returnUrl": "https://shop.example/", "saveCard": true } }),
        )
        .await;
    let url = data(&body)["createPayment"]["payment"]["confirmationUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = &url[url.find("/sandbox/").unwrap()..];
    let paid = no_redirects()
        .post(app.url(&format!("{path}/pay")))
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 303);
    let me = state(app, token).await;
    me["savedCards"][0]["id"]
        .as_str()
        .expect("a saved card")
        .to_owned()
}

async fn state(app: &TestApp, token: &str) -> Value {
    data(&app.graphql_as(Some(token), STATE, json!({})).await)["me"].clone()
}

async fn set(app: &TestApp, token: &str, input: Value) -> Value {
    let body = app
        .graphql_as(Some(token), SET, json!({ "i": input }))
        .await;
    data(&body)["setAutopayment"].clone()
}

fn autopayments(me: &Value) -> usize {
    me["transactions"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["description"].as_str().unwrap_or("").contains("картой"))
        .count()
}

/// Waits until `check` holds for the account state (the worker runs every
/// 750 ms in tests), up to 10 s.
async fn wait_for(app: &TestApp, token: &str, check: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let me = state(app, token).await;
        if check(&me) {
            return me;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("never happened: {:#}", state(app, token).await);
}

/// Lets the worker run a few more rounds.
async fn a_few_rounds() {
    tokio::time::sleep(std::time::Duration::from_millis(1800)).await;
}

#[tokio::test]
async fn a_card_saved_by_a_payment_is_listed_and_can_be_forgotten() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let card = save_a_card(&app, &token, "10").await;
    let me = state(&app, &token).await;
    assert_eq!(me["savedCards"].as_array().unwrap().len(), 1);
    assert_eq!(me["savedCards"][0]["maskedNumber"], "•••• 4242");
    assert_eq!(me["savedCards"][0]["expiry"], "12/30");

    // Another subscriber cannot forget it.
    let other = app.login("demo2", "demo12345").await;
    let remove = "mutation ($i: RemoveSavedCardInput!) { removeSavedCard(input: $i) { \
        removedCardId autopayment { enabled disabledReason } userErrors { code } } }";
    let theirs = app
        .graphql_as(Some(&other), remove, json!({ "i": { "cardId": card } }))
        .await;
    assert_eq!(
        data(&theirs)["removeSavedCard"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );

    let set = set(
        &app,
        &token,
        json!({ "enabled": true, "mode": "BELOW_THRESHOLD", "amount": "300", "cardId": card, "threshold": "-100000" }),
    )
    .await;
    assert_eq!(set["userErrors"][0]["code"], "INVALID_VALUE", "{set}");
    let on = self::set(
        &app,
        &token,
        json!({ "enabled": true, "mode": "BELOW_THRESHOLD", "amount": "300", "cardId": card, "threshold": "0" }),
    )
    .await;
    assert_eq!(on["autopayment"]["enabled"], true, "{on}");

    let removed = app
        .graphql_as(Some(&token), remove, json!({ "i": { "cardId": card } }))
        .await;
    let removed = &data(&removed)["removeSavedCard"];
    assert_eq!(removed["removedCardId"], card.as_str());
    assert_eq!(removed["autopayment"]["enabled"], false);
    assert!(
        removed["autopayment"]["disabledReason"]
            .as_str()
            .unwrap()
            .contains("Карта удалена")
    );
    assert_eq!(state(&app, &token).await["savedCards"], json!([]));
}

#[tokio::test]
async fn below_the_threshold_it_tops_up_once_per_day() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let card = save_a_card(&app, &token, "10").await;
    let before = state(&app, &token).await;
    let paid_before = autopayments(&before);
    // A threshold far above the balance: below it all day, yet charged once.
    let set = set(
        &app,
        &token,
        json!({ "enabled": true, "mode": "BELOW_THRESHOLD", "amount": "500", "cardId": card, "threshold": "99999" }),
    )
    .await;
    assert_eq!(set["userErrors"], json!([]), "{set}");
    let charged = wait_for(&app, &token, |me| {
        me["autopayment"]["lastAttempt"]["status"] == "SUCCEEDED"
    })
    .await;
    assert_eq!(
        charged["autopayment"]["lastAttempt"]["payment"]["amount"]["amount"],
        "500.00"
    );
    a_few_rounds().await;
    let later = state(&app, &token).await;
    assert_eq!(
        autopayments(&later) - paid_before,
        1,
        "once for today's trigger"
    );

    // The next Moscow day is a new occasion.
    app.clock.advance(chrono::Duration::days(1));
    let next_day = wait_for(&app, &token, |me| autopayments(me) - paid_before == 2).await;
    a_few_rounds().await;
    assert_eq!(
        autopayments(&state(&app, &token).await),
        autopayments(&next_day)
    );
}

#[tokio::test]
async fn on_a_day_of_the_month_it_warns_the_day_before_and_charges_once() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let card = save_a_card(&app, &token, "10").await;
    let paid_before = autopayments(&state(&app, &token).await);
    // The test clock starts on 2026-11-25 (Moscow): debit on the 26th.
    let set = set(
        &app,
        &token,
        json!({ "enabled": true, "mode": "DAY_OF_MONTH", "amount": "750.50", "cardId": card, "dayOfMonth": 26 }),
    )
    .await;
    assert_eq!(set["autopayment"]["dayOfMonth"], 26, "{set}");
    let sms = app.wait_for_sms(1).await;
    let text = sms.last().unwrap()["text"].as_str().unwrap().to_owned();
    assert!(
        text.contains("750.50") && text.contains("26.11") && text.contains("*4242"),
        "{text}"
    );
    a_few_rounds().await;
    assert_eq!(
        autopayments(&state(&app, &token).await),
        paid_before,
        "not before the day"
    );
    assert_eq!(app.sms_messages().len(), sms.len(), "one warning");

    app.clock.advance(chrono::Duration::days(1));
    wait_for(&app, &token, |me| autopayments(me) == paid_before + 1).await;
    a_few_rounds().await;
    assert_eq!(autopayments(&state(&app, &token).await), paid_before + 1);
}

#[tokio::test]
async fn before_blocking_it_tops_up_an_account_about_to_be_blocked() {
    let app = TestApp::spawn().await;
    // demo2 covers less than a day: days until blocking are at most one.
    let token = app.login("demo2", "demo12345").await;
    let card = save_a_card(&app, &token, "1").await;
    let set = set(
        &app,
        &token,
        json!({ "enabled": true, "mode": "BEFORE_BLOCKING", "amount": "1000", "cardId": card }),
    )
    .await;
    assert_eq!(set["userErrors"], json!([]), "{set}");
    let me = wait_for(&app, &token, |me| {
        me["autopayment"]["lastAttempt"]["status"] == "SUCCEEDED"
    })
    .await;
    assert_eq!(me["autopayment"]["lastAttempt"]["number"], 1);
}

#[tokio::test]
async fn a_charge_the_provider_does_not_answer_is_retried_under_the_same_key() {
    let stand_in = YooKassaStandIn::start().await;
    let url = stand_in.url.clone();
    let app = TestApp::spawn_with(move |s| {
        s.yookassa_shop_id = Some(SHOP_ID.into());
        s.yookassa_secret_key = Some(SECRET_KEY.into());
        s.yookassa_api_url = url;
    })
    .await;
    let token = app.login("demo", "demo12345").await;
    // A first payment saves the card at the provider.
    let body = app
        .graphql_as(
            Some(&token),
            CREATE,
            json!({ "i": { "amount": "10", "returnUrl": "https://shop.example/", "saveCard": true } }),
        )
        .await;
    assert_eq!(data(&body)["createPayment"]["userErrors"], json!([]));
    let first = stand_in.payments()[0]["id"].as_str().unwrap().to_owned();
    stand_in.set_status(&first, "succeeded");
    let hook = app
        .http
        .post(app.url("/webhooks/payments/yookassa"))
        .json(&json!({ "type": "notification", "event": "payment.succeeded", "object": { "id": first } }))
        .send()
        .await
        .unwrap();
    assert_eq!(hook.status(), 200);
    let me = state(&app, &token).await;
    assert_eq!(me["savedCards"][0]["maskedNumber"], "•••• 0042");
    let card = me["savedCards"][0]["id"].as_str().unwrap().to_owned();
    let paid_before = autopayments(&me);

    stand_in.set_down(true);
    set(
        &app,
        &token,
        json!({ "enabled": true, "mode": "BELOW_THRESHOLD", "amount": "400", "cardId": card, "threshold": "99999" }),
    )
    .await;
    let failed = wait_for(&app, &token, |me| {
        me["autopayment"]["lastAttempt"]["status"] == "FAILED"
    })
    .await;
    let attempt = &failed["autopayment"]["lastAttempt"];
    assert_eq!(attempt["number"], 1);
    assert!(attempt["nextRetryAt"].is_string());

    // Backoff over, the provider back: the retry asks about the same charge.
    stand_in.set_down(false);
    app.clock.advance(chrono::Duration::minutes(11));
    let done = wait_for(&app, &token, |me| {
        me["autopayment"]["lastAttempt"]["status"] == "SUCCEEDED"
    })
    .await;
    assert_eq!(done["autopayment"]["lastAttempt"]["number"], 2);
    a_few_rounds().await;
    assert_eq!(autopayments(&state(&app, &token).await), paid_before + 1);
    let charges: Vec<Value> = stand_in
        .requests()
        .into_iter()
        .filter(|r| r.route == "POST /v3/payments" && r.body.get("payment_method_id").is_some())
        .map(|r| json!({ "key": r.idempotence_key, "body": r.body }))
        .collect();
    assert_eq!(charges.len(), 2, "asked twice: {charges:#?}");
    assert_eq!(charges[0]["key"], charges[1]["key"], "under one key");
    assert_eq!(
        charges[0]["body"]["payment_method_id"],
        format!("pm-{first}")
    );
    assert_eq!(charges[0]["body"]["amount"]["value"], "400.00");
    assert_eq!(charges[0]["body"]["capture"], true);
    assert!(charges[0]["body"].get("confirmation").is_none());
    let made = stand_in
        .payments()
        .iter()
        .filter(|p| p["amount"]["value"] == "400.00")
        .count();
    assert_eq!(made, 1, "charged once");
}
