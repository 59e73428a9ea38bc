//! Turbo and parental control (shared/DOMAIN.md, "Services and tariffs"): a
//! speed boost for hours at a one-off price shown first, charged once and
//! ending by itself; blocked categories of sites.

use serde_json::{Value, json};

use crate::common::{TestApp, data, error_codes};
use crate::services::{codes, connect, kopecks, me, moscow, wait_applied};

async fn activate(app: &TestApp, token: &str, option: &str) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            "mutation ($i: ActivateTurboInput!) { activateTurbo(input: $i) {
               turbo { speedMbps price { amount } startedAt endsAt } userErrors { code message } } }",
            json!({ "i": { "optionId": option } }),
        )
        .await;
    data(&body)["activateTurbo"].clone()
}

async fn turbo(app: &TestApp, token: &str) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            "{ me { turbo { speedMbps endsAt } } }",
            json!({}),
        )
        .await;
    data(&body)["me"]["turbo"].clone()
}

fn turbo_charges(account: &Value) -> Vec<i64> {
    account["transactions"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["description"].as_str().unwrap().starts_with("Турбо"))
        .map(|n| kopecks(&n["amount"]))
        .collect()
}

#[tokio::test]
async fn anyone_sees_the_turbo_options_with_their_price() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "{ turboOptions { id speedMbps hours price { amount } } }",
            json!({}),
        )
        .await;
    let options = data(&body)["turboOptions"].as_array().unwrap().clone();
    assert_eq!(options.len(), 3);
    assert_eq!(
        options[0],
        json!({ "id": "turbo-1000-1h", "speedMbps": 1000, "hours": 1, "price": { "amount": "49.00" } })
    );
}

#[tokio::test]
async fn a_turbo_is_charged_once_at_its_price_and_ends_by_itself() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let before = kopecks(&me(&app, &demo).await["balance"]);
    let bought = activate(&app, &demo, "turbo-1000-3h").await;
    assert_eq!(codes(&bought), Vec::<String>::new(), "{bought}");
    assert_eq!(bought["turbo"]["speedMbps"], 1000);
    assert_eq!(bought["turbo"]["startedAt"], "2026-11-25T12:00:00+03:00");
    assert_eq!(bought["turbo"]["endsAt"], "2026-11-25T15:00:00+03:00");
    let account = me(&app, &demo).await;
    assert_eq!(turbo_charges(&account), [-9_900]);
    assert_eq!(kopecks(&account["balance"]), before - 9_900);

    // One at a time; a repeat charges nothing.
    assert_eq!(
        codes(&activate(&app, &demo, "turbo-1000-1h").await),
        ["ALREADY_ACTIVE"]
    );
    assert_eq!(turbo_charges(&me(&app, &demo).await), [-9_900]);

    // A second before the end it is on; at the end it is gone, and a new one can be bought.
    app.clock.set(moscow(25, 14, 59, 59));
    assert_eq!(turbo(&app, &demo).await["speedMbps"], 1000);
    app.clock.set(moscow(25, 15, 0, 0));
    assert_eq!(turbo(&app, &demo).await, Value::Null);
    assert_eq!(
        codes(&activate(&app, &demo, "turbo-1000-1h").await),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn many_turbo_purchases_at_once_charge_once() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let results =
        futures_util::future::join_all((0..6).map(|_| activate(&app, &demo, "turbo-1000-24h")))
            .await;
    let bought = results.iter().filter(|r| r["turbo"].is_object()).count();
    assert_eq!(bought, 1, "{results:?}");
    assert_eq!(turbo_charges(&me(&app, &demo).await), [-19_900]);
}

#[tokio::test]
async fn a_turbo_must_be_faster_than_the_tariff_and_paid_for() {
    let app = TestApp::spawn().await;
    let demo2 = app.login("demo2", "demo12345").await;
    // demo2's balance does not cover it.
    let poor = activate(&app, &demo2, "turbo-1000-1h").await;
    assert_eq!(codes(&poor), ["INSUFFICIENT_FUNDS"]);
    assert!(
        poor["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("49.00")
    );
    assert_eq!(
        codes(&activate(&app, &demo2, "turbo-nope").await),
        ["NOT_FOUND"]
    );
    assert_eq!(turbo(&app, &demo2).await, Value::Null);

    // On a gigabit tariff a gigabit turbo adds nothing.
    let staff = crate::money::staff_token(&app).await;
    crate::money::adjust(&app, &staff, "100000000002", "5000.00").await;
    let preview = crate::services::tariff_preview(&app, &demo2, "internet-1000").await;
    let made = crate::services::change(
        &app,
        &demo2,
        "changeTariff",
        json!({ "tariffId": "internet-1000", "expectedMonthlyTotal": preview["newMonthlyTotal"]["amount"] }),
    )
    .await;
    app.clock.set(moscow(26, 0, 0, 1));
    wait_applied(&app, &demo2, &made["scheduledChange"]["id"]).await;
    assert_eq!(
        codes(&activate(&app, &demo2, "turbo-1000-1h").await),
        ["NOT_AVAILABLE_FOR_TARIFF"]
    );
    let body = app
        .graphql(
            "mutation { activateTurbo(input: {optionId: \"turbo-1000-1h\"}) { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
}

async fn set_parental(app: &TestApp, token: &str, enabled: bool, categories: Value) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            "mutation ($i: SetParentalControlInput!) { setParentalControl(input: $i) {
               parentalControl { enabled blockedCategories } userErrors { field code message } } }",
            json!({ "i": { "enabled": enabled, "blockedCategories": categories } }),
        )
        .await;
    data(&body)["setParentalControl"].clone()
}

#[tokio::test]
async fn parental_control_blocks_the_chosen_categories_once_the_service_is_connected() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let body = app
        .graphql_as(
            Some(&demo),
            "{ me { parentalControl { enabled blockedCategories updatedAt } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&body)["me"]["parentalControl"],
        json!({ "enabled": false, "blockedCategories": [], "updatedAt": null })
    );
    // Not without the service.
    let refused = set_parental(&app, &demo, true, json!(["ADULT"])).await;
    assert_eq!(codes(&refused), ["REQUIRES_SERVICE"]);

    let parental = connect(&app, &demo, "parental").await;
    app.clock.set(moscow(26, 0, 0, 1));
    wait_applied(&app, &demo, &parental["scheduledChange"]["id"]).await;
    let none = set_parental(&app, &demo, true, json!([])).await;
    assert_eq!(codes(&none), ["REQUIRED"]);
    assert_eq!(
        none["userErrors"][0]["field"],
        json!(["input", "blockedCategories"])
    );
    let set = set_parental(
        &app,
        &demo,
        true,
        json!(["GAMBLING", "ADULT", "DRUGS", "ADULT"]),
    )
    .await;
    assert_eq!(codes(&set), Vec::<String>::new());
    assert_eq!(
        set["parentalControl"],
        json!({ "enabled": true, "blockedCategories": ["ADULT", "GAMBLING", "DRUGS"] })
    );
    let body = app
        .graphql_as(
            Some(&demo),
            "{ me { parentalControl { enabled blockedCategories } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&body)["me"]["parentalControl"], set["parentalControl"]);
    // Others see their own; off always works.
    let body = app
        .graphql_as(
            Some(&demo2),
            "{ me { parentalControl { enabled } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&body)["me"]["parentalControl"]["enabled"], false);
    let off = set_parental(&app, &demo2, false, json!([])).await;
    assert_eq!(codes(&off), Vec::<String>::new());
}
