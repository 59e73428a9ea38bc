//! Hostile input gets a clean error with a code, never SQL, internal names,
//! file paths or a panic; and the server keeps serving.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use crate::common::{TestApp, captured_logs, data, error_codes};

fn assert_clean(text: &str) {
    for leak in [
        "SELECT",
        "select ",
        "sqlx",
        "sea_orm",
        "DbErr",
        "src/",
        ".rs",
        "panicked",
        "kabinet::",
    ] {
        assert!(!text.contains(leak), "{leak:?} leaked in {text}");
    }
}

#[tokio::test]
async fn ids_that_would_break_a_query_are_refused_cleanly() {
    let app = TestApp::spawn().await;
    let crafted = [
        "'; DROP TABLE account; --".to_owned(),
        "\u{0}".to_owned(),
        "ServiceNotice:1\u{0}".to_owned(),
        "\"".to_owned(),
        URL_SAFE_NO_PAD.encode("ServiceNotice:1' OR '1'='1"),
        URL_SAFE_NO_PAD.encode("ServiceNotice:1\u{0}"),
        URL_SAFE_NO_PAD.encode("ServiceNotice:99999999999999999999999"),
        URL_SAFE_NO_PAD.encode("Account:-1"),
        "x".repeat(10_000),
    ];
    for id in crafted {
        let body = app
            .graphql(
                "query ($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
        assert_clean(&body.to_string());
    }
    let still_serving = app
        .graphql("{ supportContacts { phone } }", json!({}))
        .await;
    data(&still_serving);
}

#[tokio::test]
async fn cursors_that_would_break_a_query_are_refused_cleanly() {
    let app = TestApp::spawn().await;
    for cursor in ["'", "\u{0}", "Y3Vyc29yOjEnIE9SICcxJz0nMQ", "cursor:1", ""] {
        let body = app
            .graphql(
                "query ($c: String) { serviceNotices(after: $c) { nodes { id } } }",
                json!({ "c": cursor }),
            )
            .await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{cursor:?}: {body}");
        assert_clean(&body.to_string());
    }
}

#[tokio::test]
async fn wrongly_typed_variables_are_bad_user_input() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "query ($n: Int) { serviceNotices(first: $n) { nodes { id } } }",
            json!({ "n": "ten\u{0}" }),
        )
        .await;
    let codes = error_codes(&body);
    assert!(
        !codes.is_empty() && codes.iter().all(|c| c == "BAD_USER_INPUT"),
        "{body}"
    );
    assert_clean(&body.to_string());
}

#[tokio::test]
async fn an_internal_failure_shows_only_a_code_and_the_request_id() {
    let app = TestApp::spawn().await;
    // The database disappears under a running server.
    app.state.db.close_by_ref().await.unwrap();
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("x-request-id", "trace-me-123")
        .json(&json!({ "query": "{ supportContacts { phone } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error_codes(&body), ["INTERNAL"]);
    assert_eq!(body["errors"][0]["extensions"]["requestId"], "trace-me-123");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("trace-me-123")
    );
    assert_clean(&body.to_string());
    assert!(!body.to_string().contains("closed"), "{body}");

    // The operator, unlike the client, gets the details, under the same id.
    let logs = captured_logs();
    let line = logs
        .lines()
        .find(|l| l.contains("trace-me-123") && l.contains("internal error"))
        .unwrap_or_else(|| panic!("no log line names the request: {logs}"));
    assert!(line.contains("ERROR"), "{line}");
}
