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

#[tokio::test]
async fn every_log_line_of_a_request_names_it() {
    let app = TestApp::spawn().await;
    app.http
        .get(app.url("/healthz?secret=do-not-log-me"))
        .header("x-request-id", "log-line-probe")
        .send()
        .await
        .unwrap();
    let logs = crate::common::captured_logs();
    let line = logs
        .lines()
        .find(|l| l.contains("log-line-probe"))
        .unwrap_or_else(|| panic!("no line for the request: {logs}"));
    assert!(
        line.contains("/healthz") && line.contains("status=200"),
        "{line}"
    );
    assert!(
        !logs.contains("do-not-log-me"),
        "query strings are not logged"
    );
}

#[tokio::test]
async fn start_up_fails_clearly_when_the_database_cannot_be_reached() {
    use clap::Parser;
    let mut settings = kabinet::config::Cli::try_parse_from(["kabinet"])
        .unwrap()
        .settings;
    settings.database_url = "postgres://kabinet:hunter2@127.0.0.1:1/kabinet".to_owned();
    let clock = std::sync::Arc::new(kabinet::clock::SystemClock);
    let Err(error) = kabinet::app::App::build(settings, clock).await else {
        panic!("start-up must fail without a database");
    };
    let message = error.to_string();
    assert!(
        message.contains("cannot connect to the database"),
        "{message}"
    );
    assert!(message.contains("127.0.0.1:1"), "{message}");
    assert!(
        !message.contains("hunter2"),
        "the password is redacted: {message}"
    );
}
