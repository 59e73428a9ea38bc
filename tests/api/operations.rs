//! What an operator relies on: health, readiness, metrics, request ids.

use serde_json::json;

use crate::common::{TestApp, data};

#[tokio::test]
async fn typename_answers() {
    let app = TestApp::spawn().await;
    let body = app.graphql("{ __typename }", json!({})).await;
    assert_eq!(data(&body)["__typename"], "Query");
}

#[tokio::test]
async fn healthz_is_always_ok() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_follows_the_database() {
    let app = TestApp::spawn().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);

    // The database goes away: the pool is closed under the running server.
    app.state.db.close_by_ref().await.unwrap();
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    // Liveness does not depend on the database.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

fn counter_value(metrics: &str, series_prefix: &str) -> f64 {
    metrics
        .lines()
        .filter(|line| line.starts_with(series_prefix))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn metrics_count_operations_by_name_and_outcome() {
    let app = TestApp::spawn().await;
    let series = "kabinet_graphql_requests_total{operation=\"MetricsProbe\",outcome=\"ok\"}";
    let before = counter_value(&app.get("/metrics").await.text().await.unwrap(), series);
    for _ in 0..3 {
        let body = app
            .post_graphql(None, &json!({ "query": "query MetricsProbe { __typename }", "operationName": "MetricsProbe" }))
            .await;
        assert_eq!(body.status(), 200);
    }
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/plain"))
    );
    let text = response.text().await.unwrap();
    assert_eq!(counter_value(&text, series) - before, 3.0, "{text}");
    assert!(
        text.contains("kabinet_http_requests_total"),
        "HTTP requests are counted"
    );
    assert!(
        text.contains("kabinet_graphql_request_duration_seconds_bucket"),
        "latency is a histogram"
    );
    assert!(
        text.contains("kabinet_db_pool_connections"),
        "the pool is reported"
    );
    assert!(
        text.contains("kabinet_db_statements_total"),
        "SQL statements are counted"
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let generated = app.get("/healthz").await;
    let id = generated
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert!(
        id.is_some_and(|id| id.len() >= 16),
        "an id is generated when absent"
    );

    let echoed = app
        .http
        .get(app.url("/healthz"))
        .header("x-request-id", "front-42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        echoed.headers()["x-request-id"],
        "front-42",
        "a sane client id is kept"
    );

    let replaced = app
        .http
        .get(app.url("/healthz"))
        .header("x-request-id", "bad id\twith spaces")
        .send()
        .await
        .unwrap();
    assert_ne!(
        replaced.headers()["x-request-id"],
        "bad id\twith spaces",
        "an unsafe id is replaced"
    );
}
