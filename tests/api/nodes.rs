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
    assert_eq!(
        statements, 2,
        "the cost meter and one batched query for three notices"
    );
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
    assert_eq!(
        statements, 1,
        "the cost meter only: the account is not even loaded"
    );
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

/// The ids of the demo account's transactions, services, equipment and tariff.
async fn own_ids(app: &TestApp, token: &str) -> Vec<Value> {
    let body = app
        .graphql_as(
            Some(token),
            "{ me { transactions(first: 1) { nodes { id } } subscriptions { id } equipment { id } tariff { id } } }",
            json!({}),
        )
        .await;
    let me = &data(&body)["me"];
    vec![
        me["transactions"]["nodes"][0]["id"].clone(),
        me["subscriptions"][0]["id"].clone(),
        me["equipment"][0]["id"].clone(),
        me["tariff"]["id"].clone(),
    ]
}

#[tokio::test]
async fn transactions_services_equipment_and_the_catalog_are_nodes_for_their_owner() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let ids = own_ids(&app, &demo).await;
    let service = {
        let body = app
            .graphql("{ serviceCatalog { id code } }", json!({}))
            .await;
        data(&body)["serviceCatalog"][0].clone()
    };
    let mut all = ids.clone();
    all.push(service["id"].clone());
    let query = "query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id
        ... on Transaction { amount { amount } }
        ... on SubscribedService { name }
        ... on Equipment { name ownership }
        ... on Tariff { code speedMbps }
        ... on Service { code } } }";
    let body = app
        .graphql_as(Some(&demo), query, json!({ "ids": all }))
        .await;
    let nodes = data(&body)["nodes"].as_array().unwrap().clone();
    let types: Vec<&str> = nodes
        .iter()
        .map(|n| n["__typename"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "Transaction",
            "SubscribedService",
            "Equipment",
            "Tariff",
            "Service"
        ]
    );
    for (node, id) in nodes.iter().zip(&all) {
        assert_eq!(&node["id"], id);
    }
    assert_eq!(nodes[4]["code"], service["code"]);

    // Another subscriber gets null for the account's own objects, the catalog alike.
    let demo2 = app.login("demo2", "demo12345").await;
    let body = app
        .graphql_as(Some(&demo2), query, json!({ "ids": all }))
        .await;
    let theirs = data(&body)["nodes"].as_array().unwrap().clone();
    assert!(theirs[..3].iter().all(Value::is_null), "{theirs:?}");
    assert_eq!(theirs[3]["__typename"], "Tariff");
    assert_eq!(theirs[4]["__typename"], "Service");

    // An ID of one kind does not pass for another.
    let key = |id: &Value| {
        let text =
            String::from_utf8(URL_SAFE_NO_PAD.decode(id.as_str().unwrap()).unwrap()).unwrap();
        text.split_once(':').unwrap().1.to_owned()
    };
    let as_equipment = URL_SAFE_NO_PAD.encode(format!("Equipment:{}", key(&ids[1])));
    let as_service = URL_SAFE_NO_PAD.encode(format!("Service:{}", key(&ids[3])));
    let body = app
        .graphql_as(
            Some(&demo),
            "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [as_equipment, as_service] }),
        )
        .await;
    assert_eq!(data(&body)["nodes"], json!([null, null]));
}

#[tokio::test]
async fn inputs_take_the_global_ids_of_tariffs_and_services() {
    let app = TestApp::spawn().await;
    let demo2 = app.login("demo2", "demo12345").await;
    let body = app
        .graphql(
            "{ tariffs { id code } serviceCatalog { id code } }",
            json!({}),
        )
        .await;
    let tariff = data(&body)["tariffs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "internet-500")
        .unwrap()
        .clone();
    let service = data(&body)["serviceCatalog"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "kak-doma")
        .unwrap()
        .clone();
    let body = app
        .graphql_as(
            Some(&demo2),
            "query ($t: ID!, $s: ID) { me {
                byId: tariffChangePreview(tariffId: $t) { tariff { code } newMonthlyTotal { amount } }
                byCode: tariffChangePreview(tariffId: \"internet-500\") { newMonthlyTotal { amount } }
                service: serviceChangePreview(serviceId: $s) { service { code } } } }",
            json!({ "t": tariff["id"], "s": service["id"] }),
        )
        .await;
    let me = &data(&body)["me"];
    assert_eq!(me["byId"]["tariff"]["code"], "internet-500");
    assert_eq!(
        me["byId"]["newMonthlyTotal"],
        me["byCode"]["newMonthlyTotal"]
    );
    assert_eq!(me["service"]["service"]["code"], "kak-doma");
}
