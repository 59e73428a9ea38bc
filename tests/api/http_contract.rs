//! The transport rules of /graphql (shared/API.md, "Conventions").

use serde_json::{Value, json};

use crate::common::{TestApp, data, error_codes};

#[tokio::test]
async fn a_query_runs_over_get() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .get(app.url("/graphql"))
        .query(&[("query", "{ supportContacts { phone } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(data(&body)["supportContacts"]["phone"], "8-800-707-12-12");
}

#[tokio::test]
async fn a_mutation_over_get_is_refused_with_405() {
    let app = TestApp::spawn().await;
    for (query, operation) in [
        ("mutation { logout { ok } }", None),
        ("query A { __typename } mutation B { x }", Some("B")),
        ("subscription { serviceNotices { id } }", None),
    ] {
        let mut params = vec![("query", query)];
        if let Some(name) = operation {
            params.push(("operationName", name));
        }
        let response = app
            .http
            .get(app.url("/graphql"))
            .query(&params)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{query}");
        assert_eq!(response.headers()["allow"], "POST");
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_codes(&body), ["METHOD_NOT_ALLOWED"]);
    }
}

#[tokio::test]
async fn post_accepts_only_json() {
    let app = TestApp::spawn().await;
    let query = r#"{"query":"{ __typename }"}"#;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
    ] {
        let response = app
            .http
            .post(app.url("/graphql"))
            .header("content-type", content_type)
            .body(query)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415, "{content_type}");
    }
    let none = app
        .http
        .post(app.url("/graphql"))
        .body(query)
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 415, "no content type");

    let ok = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json; charset=utf-8")
        .body(query)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn malformed_json_is_a_400_with_a_code() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body("{\"query\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_codes(&body), ["BAD_REQUEST"]);
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let padding = "x".repeat(20 * 1024 * 1024);
    let body = format!(r#"{{"query":"{{ __typename }}","variables":{{"pad":"{padding}"}}}}"#);
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn a_small_batch_runs_each_operation() {
    let app = TestApp::spawn().await;
    let response = app
        .post_graphql(
            None,
            &json!([
                { "query": "{ __typename }" },
                { "query": "{ supportContacts { email } }" }
            ]),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body[0]["data"]["__typename"], "Query");
    assert_eq!(
        body[1]["data"]["supportContacts"]["email"],
        "support@onlime.ru"
    );
}

#[tokio::test]
async fn a_batch_flood_is_refused_before_any_work() {
    let app = TestApp::spawn().await;
    let batch: Vec<Value> = (0..500)
        .map(|_| json!({ "query": "{ supportContacts { phone } }" }))
        .collect();
    let (response, statements) = app.count_sql(app.post_graphql(None, &json!(batch))).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_codes(&body), ["QUERY_TOO_COMPLEX"]);
    assert_eq!(statements, 0, "nothing ran");
}

#[tokio::test]
async fn batches_can_be_switched_off() {
    let app = TestApp::spawn_with(|s| s.max_batch = 0).await;
    let response = app
        .post_graphql(None, &json!([{ "query": "{ __typename }" }]))
        .await;
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn cors_admits_only_configured_origins() {
    let app =
        TestApp::spawn_with(|s| s.cors_origins = vec!["https://lk.example.ru".to_owned()]).await;
    let preflight = |origin: &'static str| {
        app.http
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let allowed = preflight("https://lk.example.ru").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://lk.example.ru"
    );
    let other = preflight("https://evil.example.com").await.unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));
}
