//! Who reaches what: a subscriber only their own account, staff only through
//! `staff`, anonymous callers only public data.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use crate::common::{TestApp, data, error_codes};

#[tokio::test]
async fn demo2_cannot_reach_demos_account_by_any_id() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;

    let body = app
        .graphql_as(
            Some(&demo),
            "{ me { id number loginSessions { id } } }",
            json!({}),
        )
        .await;
    let demo_account_id = data(&body)["me"]["id"].clone();
    let demo_session_id = data(&body)["me"]["loginSessions"][0]["id"].clone();
    assert_eq!(data(&body)["me"]["number"], "100000000001");

    let body = app
        .graphql_as(Some(&demo2), "{ me { number } }", json!({}))
        .await;
    assert_eq!(
        data(&body)["me"]["number"],
        "100000000002",
        "me is always one's own"
    );

    let query =
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Account { number holderName } } }";
    let body = app
        .graphql_as(
            Some(&demo2),
            query,
            json!({ "ids": [demo_account_id, demo_session_id] }),
        )
        .await;
    assert_eq!(data(&body)["nodes"], json!([null, null]));

    // Guessing IDs of every shape gives nothing either.
    for guess in ["Account:1", "Account:2", "LoginSession:1"] {
        let id = URL_SAFE_NO_PAD.encode(guess);
        let body = app
            .graphql_as(
                Some(&demo2),
                "query ($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        let own = guess == "Account:2";
        assert_eq!(data(&body)["node"].is_null(), !own, "{guess}");
    }
    // The owner reaches the same IDs.
    let body = app
        .graphql_as(
            Some(&demo),
            "query ($id: ID!) { node(id: $id) { ... on Account { number } } }",
            json!({ "id": demo_account_id }),
        )
        .await;
    assert_eq!(data(&body)["node"]["number"], "100000000001");
}

const STAFF: &str =
    "{ staff { me { login name } account(number: \"100000000002\") { number holderName } } }";

#[tokio::test]
async fn staff_fields_are_for_staff_only() {
    let app = TestApp::spawn().await;
    let anonymous = app.graphql(STAFF, json!({})).await;
    assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"]);

    let subscriber = app.login("demo", "demo12345").await;
    let body = app.graphql_as(Some(&subscriber), STAFF, json!({})).await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
    assert!(body["data"].is_null() || body["data"]["staff"].is_null());
}

#[tokio::test]
async fn staff_sign_in_with_the_same_login_and_see_no_account_of_their_own() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "mutation { login(input: {login: \"operator\", password: \"operator12345\"}) { token role account { number } } }",
            json!({}),
        )
        .await;
    let payload = &data(&body)["login"];
    assert_eq!(payload["role"], "STAFF");
    assert!(payload["account"].is_null());
    let token = payload["token"].as_str().unwrap();

    let body = app.graphql_as(Some(token), STAFF, json!({})).await;
    let staff = &data(&body)["staff"];
    assert_eq!(staff["me"]["login"], "operator");
    assert_eq!(staff["me"]["name"], "Оператор Демо");
    assert_eq!(staff["account"]["holderName"], "Петрова Анна Сергеевна");

    let body = app
        .graphql_as(Some(token), "{ me { number } }", json!({}))
        .await;
    assert!(
        data(&body)["me"].is_null(),
        "a staff session has no account of its own"
    );
}

#[tokio::test]
async fn a_websocket_signs_in_with_its_connection_init_payload() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let ws = app
        .ws(
            "graphql-transport-ws",
            json!({ "authorization": format!("Bearer {token}") }),
        )
        .await;
    assert_eq!(ws.ack["type"], "connection_ack");

    // A bad token is refused at connection_init.
    let refused = tokio::spawn({
        let address = app.address;
        async move {
            crate::common::WsClient::connect(
                address,
                "graphql-transport-ws",
                json!({ "authorization": "Bearer nope" }),
            )
            .await
        }
    })
    .await;
    assert!(refused.is_err(), "no connection_ack for an invalid token");
}
