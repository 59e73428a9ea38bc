//! Global IDs: `node` and `nodes` resolve objects through DataLoaders and check
//! ownership (someone else's object is simply null).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::common::{TestApp, data};

async fn notice_ids(app: &TestApp) -> Vec<Value> {
    let body = app
        .graphql(
            "{ serviceNotices(includeEnded: true) { nodes { id } } }",
            json!({}),
        )
        .await;
    data(&body)["serviceNotices"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].clone())
        .collect()
}

#[tokio::test]
async fn node_fetches_a_public_object_by_its_id() {
    let app = TestApp::spawn().await;
    let id = notice_ids(&app).await.remove(0);
    let body = app
        .graphql(
            "query ($id: ID!) { node(id: $id) { __typename id ... on ServiceNotice { title } } }",
            json!({ "id": id }),
        )
        .await;
    let node = &data(&body)["node"];
    assert_eq!(node["__typename"], "ServiceNotice");
    assert_eq!(node["id"], id);
}

#[tokio::test]
async fn nodes_are_loaded_in_one_statement() {
    let app = TestApp::spawn().await;
    let ids = notice_ids(&app).await;
    assert_eq!(ids.len(), 3);
    let query =
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on ServiceNotice { title kind } } }";
    let (body, statements) = app
        .count_sql(app.graphql(query, json!({ "ids": ids })))
        .await;
    let nodes = data(&body)["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3);
    for (node, id) in nodes.iter().zip(&ids) {
        assert_eq!(&node["id"], id, "in the order asked");
    }
    assert_eq!(statements, 1, "one batched query for three notices");
}

#[tokio::test]
async fn an_account_is_not_found_by_someone_who_does_not_own_it() {
    let app = TestApp::spawn().await;
    // An attacker can guess the shape of an ID; it must not help.
    let guessed = URL_SAFE_NO_PAD.encode("Account:1");
    let (body, statements) = app
        .count_sql(app.graphql(
            "query ($id: ID!) { node(id: $id) { id ... on Account { number holderName } } }",
            json!({ "id": guessed }),
        ))
        .await;
    assert!(data(&body)["node"].is_null());
    assert_eq!(statements, 0, "not even loaded");
    let body = app
        .graphql(
            "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [guessed] }),
        )
        .await;
    assert_eq!(data(&body)["nodes"], json!([null]));
}

#[tokio::test]
async fn an_unknown_id_of_a_known_kind_is_null() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "query ($id: ID!) { node(id: $id) { id } }",
            json!({ "id": URL_SAFE_NO_PAD.encode("ServiceNotice:424242") }),
        )
        .await;
    assert!(data(&body)["node"].is_null());
}
