//! Service notices: which apply now (by the application clock) and the
//! paginated archive.

use serde_json::{Value, json};

use crate::common::{TestApp, data};

async fn titles_active(app: &TestApp) -> Vec<String> {
    let body = app
        .graphql(
            "{ serviceNotices(first: 100) { nodes { title active } } }",
            json!({}),
        )
        .await;
    data(&body)["serviceNotices"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["active"] == true)
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn notices_apply_between_their_start_and_end() {
    let app = TestApp::spawn().await;
    assert_eq!(
        titles_active(&app).await,
        ["Плановые работы в Юго-Западном округе"]
    );

    app.clock.advance(chrono::Duration::hours(5));
    assert!(
        titles_active(&app).await.is_empty(),
        "the planned works ended after four hours"
    );

    app.clock.advance(chrono::Duration::days(3));
    assert_eq!(
        titles_active(&app).await,
        ["Новые каналы в пакете «Базовый»"]
    );
}

#[tokio::test]
async fn ended_notices_are_listed_only_when_asked() {
    let app = TestApp::spawn().await;
    let current = app
        .graphql("{ serviceNotices { totalCount } }", json!({}))
        .await;
    assert_eq!(data(&current)["serviceNotices"]["totalCount"], 2);
    let all = app
        .graphql(
            "{ serviceNotices(includeEnded: true) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&all)["serviceNotices"]["totalCount"], 3);
}

const PAGE: &str = r#"query ($first: Int, $after: String, $last: Int, $before: String) {
  serviceNotices(includeEnded: true, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { id title startsAt } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"#;

#[tokio::test]
async fn the_archive_pages_forwards_and_backwards() {
    let app = TestApp::spawn().await;
    let first = app.graphql(PAGE, json!({ "first": 2 })).await;
    let page = &data(&first)["serviceNotices"];
    assert_eq!(page["totalCount"], 3);
    assert_eq!(page["edges"].as_array().unwrap().len(), 2);
    assert_eq!(page["nodes"][0]["id"], page["edges"][0]["node"]["id"]);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    assert_eq!(page["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(page["pageInfo"]["endCursor"], page["edges"][1]["cursor"]);

    let second = app
        .graphql(
            PAGE,
            json!({ "first": 2, "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    let rest = &data(&second)["serviceNotices"];
    assert_eq!(rest["edges"].as_array().unwrap().len(), 1);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    assert_eq!(rest["pageInfo"]["hasPreviousPage"], true);

    let mut seen: Vec<Value> = page["nodes"].as_array().unwrap().clone();
    seen.extend(rest["nodes"].as_array().unwrap().iter().cloned());
    seen.dedup();
    assert_eq!(seen.len(), 3, "every notice exactly once");

    let back = app
        .graphql(
            PAGE,
            json!({ "last": 1, "before": rest["pageInfo"]["startCursor"] }),
        )
        .await;
    let back = &data(&back)["serviceNotices"];
    assert_eq!(back["nodes"][0], page["nodes"][1], "the item just before");
    assert_eq!(back["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(back["pageInfo"]["hasNextPage"], true);
}

#[tokio::test]
async fn times_are_rfc3339_in_moscow_time() {
    let app = TestApp::spawn().await;
    let body = app.graphql(PAGE, json!({ "first": 3 })).await;
    for edge in data(&body)["serviceNotices"]["edges"].as_array().unwrap() {
        let at = edge["node"]["startsAt"].as_str().unwrap();
        assert!(at.ends_with("+03:00"), "{at}");
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    }
}

#[tokio::test]
async fn a_page_costs_the_same_sql_whatever_its_size() {
    let app = TestApp::spawn().await;
    let (_, one) = app
        .count_sql(app.graphql(PAGE, json!({ "first": 1 })))
        .await;
    let (_, three) = app
        .count_sql(app.graphql(PAGE, json!({ "first": 3 })))
        .await;
    assert_eq!(one, three);
    assert!(three <= 3, "the cost meter, a count and a select: {three}");
}
