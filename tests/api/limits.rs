//! Query limits: depth, aliases, root fields, complexity, page size, and no
//! schema hints in errors. A refused query does no work.

use serde_json::json;

use crate::common::{TestApp, data, error_codes};

#[tokio::test]
async fn a_too_deep_query_is_refused() {
    let app = TestApp::spawn().await;
    let deep = format!("{{ {} x {} }}", "a { ".repeat(30), "} ".repeat(30));
    let (body, statements) = app.count_sql(app.graphql(&deep, json!({}))).await;
    assert_eq!(error_codes(&body), ["QUERY_TOO_COMPLEX"], "{body}");
    assert_eq!(statements, 0);
}

#[tokio::test]
async fn the_depth_limit_is_configurable_and_counts_fragments() {
    let app = TestApp::spawn_with(|s| s.max_depth = 3).await;
    let shallow = app
        .graphql("{ serviceNotices { nodes { id } } }", json!({}))
        .await;
    data(&shallow);
    let deep = app
        .graphql("{ serviceNotices { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(error_codes(&deep), ["QUERY_TOO_COMPLEX"]);
    let via_fragment = app
        .graphql(
            "query { ...F } fragment F on Query { serviceNotices { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&via_fragment), ["QUERY_TOO_COMPLEX"]);
}

#[tokio::test]
async fn an_alias_flood_is_refused() {
    let app = TestApp::spawn().await;
    let aliases: String = (0..200)
        .map(|i| format!("a{i}: supportContacts {{ phone }} "))
        .collect();
    let (body, statements) = app
        .count_sql(app.graphql(&format!("{{ {aliases} }}"), json!({})))
        .await;
    assert_eq!(error_codes(&body), ["QUERY_TOO_COMPLEX"], "{body}");
    assert_eq!(statements, 0, "no resolver ran");
}

#[tokio::test]
async fn too_many_root_fields_are_refused() {
    let app = TestApp::spawn().await;
    let fields = "__typename ".repeat(50);
    let body = app.graphql(&format!("{{ {fields} }}"), json!({})).await;
    assert_eq!(error_codes(&body), ["QUERY_TOO_COMPLEX"]);
}

#[tokio::test]
async fn complexity_is_limited() {
    let app = TestApp::spawn_with(|s| s.max_complexity = 50).await;
    let body = app
        .graphql(
            "{ serviceNotices(first: 100) { nodes { id title body } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["QUERY_TOO_COMPLEX"], "{body}");
    let small = app
        .graphql("{ serviceNotices(first: 2) { nodes { id } } }", json!({}))
        .await;
    data(&small);
}

#[tokio::test]
async fn pages_are_capped_at_100() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql("{ serviceNotices(first: 101) { nodes { id } } }", json!({}))
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
    assert_eq!(body["errors"][0]["extensions"]["argument"], "first");
    let negative = app
        .graphql("{ serviceNotices(last: -1) { nodes { id } } }", json!({}))
        .await;
    assert_eq!(error_codes(&negative), ["BAD_USER_INPUT"]);
    let both = app
        .graphql(
            "{ serviceNotices(first: 1, last: 1) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&both), ["BAD_USER_INPUT"]);
    let hundred = app
        .graphql("{ serviceNotices(first: 100) { nodes { id } } }", json!({}))
        .await;
    data(&hundred);
}

#[tokio::test]
async fn errors_do_not_suggest_field_names() {
    let app = TestApp::spawn().await;
    let body = app.graphql("{ supportContact { phon } }", json!({})).await;
    assert_eq!(error_codes(&body), ["GRAPHQL_VALIDATION_FAILED"]);
    let text = body.to_string();
    assert!(!text.contains("Did you mean"), "{text}");
    assert!(!text.contains("supportContacts"), "{text}");
}

#[tokio::test]
async fn a_document_that_does_not_parse_has_a_code() {
    let app = TestApp::spawn().await;
    let body = app.graphql("{ supportContacts { ", json!({})).await;
    assert_eq!(error_codes(&body), ["GRAPHQL_PARSE_FAILED"]);
}
