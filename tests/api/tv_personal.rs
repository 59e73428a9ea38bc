//! The signed-in side of the TV guide: ratings and notification settings.

use serde_json::{Value, json};

use crate::common::{TestApp, data, error_codes};

/// Two airings of «Тёмный сезон» (the demo guide repeats its shows).
async fn two_airings(app: &TestApp) -> (Value, Value) {
    let body = app
        .graphql(
            "{ tvChannels(first: 40) { nodes { programmes(date: \"2026-11-25\") { id title } } } }",
            json!({}),
        )
        .await;
    let ids: Vec<Value> = data(&body)["tvChannels"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["programmes"].as_array().unwrap().clone())
        .filter(|p| p["title"] == "Тёмный сезон")
        .map(|p| p["id"].clone())
        .collect();
    assert!(ids.len() >= 2, "{ids:?}");
    (ids[0].clone(), ids[ids.len() - 1].clone())
}

const RATE: &str =
    "mutation ($id: ID!, $stars: Int!) { rateProgramme(input: {programmeId: $id, stars: $stars}) {
  programme { rating { average count myStars } } userErrors { field code } } }";
const RATING: &str = "query ($id: ID!) { node(id: $id) { ... on TvProgramme { title rating { average count myStars } } } }";

#[tokio::test]
async fn ratings_are_one_per_subscriber_and_title_and_public() {
    let app = TestApp::spawn().await;
    let (first, second) = two_airings(&app).await;
    let anonymous = app.graphql(RATING, json!({ "id": first })).await;
    assert_eq!(
        data(&anonymous)["node"]["rating"],
        json!({ "average": null, "count": 0, "myStars": null })
    );

    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let body = app
        .graphql_as(Some(&demo), RATE, json!({ "id": first, "stars": 5 }))
        .await;
    assert_eq!(
        data(&body)["rateProgramme"]["programme"]["rating"],
        json!({ "average": 5.0, "count": 1, "myStars": 5 })
    );
    // Another airing of the same title shares the ratings.
    app.graphql_as(Some(&demo2), RATE, json!({ "id": second, "stars": 2 }))
        .await;
    let body = app.graphql(RATING, json!({ "id": first })).await;
    assert_eq!(
        data(&body)["node"]["rating"],
        json!({ "average": 3.5, "count": 2, "myStars": null })
    );
    // Rating again changes the vote, it does not add one.
    app.graphql_as(Some(&demo), RATE, json!({ "id": second, "stars": 3 }))
        .await;
    let body = app
        .graphql_as(Some(&demo), RATING, json!({ "id": first }))
        .await;
    assert_eq!(
        data(&body)["node"]["rating"],
        json!({ "average": 2.5, "count": 2, "myStars": 3 })
    );

    for stars in [0, 6, -1] {
        let body = app
            .graphql_as(Some(&demo), RATE, json!({ "id": first, "stars": stars }))
            .await;
        assert_eq!(
            data(&body)["rateProgramme"]["userErrors"][0]["field"],
            json!(["input", "stars"]),
            "{stars}"
        );
    }
    let unknown = kabinet::graphql::node::GlobalId::encode(
        kabinet::graphql::node::NodeKind::TvProgramme,
        999_999_999,
    );
    let body = app
        .graphql_as(Some(&demo), RATE, json!({ "id": unknown, "stars": 4 }))
        .await;
    assert_eq!(
        data(&body)["rateProgramme"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
    let body = app.graphql(RATE, json!({ "id": first, "stars": 4 })).await;
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
    let body = app.graphql(RATING, json!({ "id": first })).await;
    assert_eq!(
        data(&body)["node"]["rating"]["count"],
        2,
        "refusals changed nothing"
    );
}

const SETTINGS: &str =
    "{ me { notificationSettings { smsNews smsBilling smsTv email updatedAt } } }";
const UPDATE: &str =
    "mutation ($i: UpdateNotificationSettingsInput!) { updateNotificationSettings(input: $i) {
  notificationSettings { smsNews smsBilling smsTv email updatedAt } userErrors { field code } } }";

#[tokio::test]
async fn notification_settings_default_to_billing_warnings_and_change_in_part() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let body = app.graphql_as(Some(&demo), SETTINGS, json!({})).await;
    assert_eq!(
        data(&body)["me"]["notificationSettings"],
        json!({ "smsNews": false, "smsBilling": true, "smsTv": false, "email": false, "updatedAt": null })
    );
    let body = app
        .graphql_as(Some(&demo), UPDATE, json!({ "i": { "smsTv": true } }))
        .await;
    let settings = &data(&body)["updateNotificationSettings"]["notificationSettings"];
    assert_eq!(settings["smsTv"], true);
    assert_eq!(settings["smsBilling"], true, "untouched");
    assert_eq!(settings["updatedAt"], "2026-11-25T12:00:00+03:00");
    let body = app
        .graphql_as(Some(&demo), UPDATE, json!({ "i": { "smsBilling": false } }))
        .await;
    let settings = &data(&body)["updateNotificationSettings"]["notificationSettings"];
    assert_eq!(
        (settings["smsTv"].clone(), settings["smsBilling"].clone()),
        (json!(true), json!(false))
    );

    let body = app
        .graphql_as(Some(&demo), UPDATE, json!({ "i": { "email": true } }))
        .await;
    assert_eq!(
        data(&body)["updateNotificationSettings"]["userErrors"][0]["code"],
        "REQUIRED",
        "no e-mail in the contract"
    );
    let body = app.graphql_as(Some(&demo), SETTINGS, json!({})).await;
    assert_eq!(data(&body)["me"]["notificationSettings"]["email"], false);

    let other = app.login("demo2", "demo12345").await;
    let body = app.graphql_as(Some(&other), SETTINGS, json!({})).await;
    assert_eq!(
        data(&body)["me"]["notificationSettings"]["smsTv"],
        false,
        "per subscriber"
    );
    let body = app.graphql(UPDATE, json!({ "i": { "smsTv": true } })).await;
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
}
