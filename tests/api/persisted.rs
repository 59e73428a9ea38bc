//! Persisted queries: Apollo's automatic persisted queries over POST and GET
//! (with `Cache-Control` for anonymous answers), and the allow-list mode in
//! which only the shipped operations run.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::{TestApp, data, error_codes};

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn post(app: &TestApp, token: Option<&str>, body: Value) -> (u16, Value) {
    let response = app.post_graphql(token, &body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn get(
    app: &TestApp,
    token: Option<&str>,
    params: &[(&str, String)],
) -> (u16, Option<String>, Value) {
    let mut request = app.http.get(app.url("/graphql")).query(params);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let cache = response
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, cache, response.json().await.unwrap())
}

const CHANNELS: &str = "query Channels { tvChannels(first: 2) { nodes { name number } } }";

#[tokio::test]
async fn a_hash_alone_runs_once_the_text_was_sent_with_it() {
    let app = TestApp::spawn().await;
    let hash = sha256(CHANNELS);
    let (status, body) = post(&app, None, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(status, 200);
    assert_eq!(error_codes(&body), ["PERSISTED_QUERY_NOT_FOUND"]);
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");

    let (_, wrong) = post(
        &app,
        None,
        json!({ "query": "{ __typename }", "extensions": persisted(&hash) }),
    )
    .await;
    assert_eq!(error_codes(&wrong), ["BAD_USER_INPUT"]);

    let (_, registered) = post(
        &app,
        None,
        json!({ "query": CHANNELS, "extensions": persisted(&hash) }),
    )
    .await;
    let (_, by_hash) = post(&app, None, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(data(&by_hash), data(&registered));
    assert_eq!(
        data(&by_hash)["tvChannels"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let (_, malformed) = post(
        &app,
        None,
        json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": hash } } }),
    )
    .await;
    assert_eq!(error_codes(&malformed), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn get_by_hash_is_cacheable_when_anonymous_and_never_runs_a_mutation() {
    let app = TestApp::spawn().await;
    let hash = sha256(CHANNELS);
    post(
        &app,
        None,
        json!({ "query": CHANNELS, "extensions": persisted(&hash) }),
    )
    .await;
    let params = [("extensions", persisted(&hash).to_string())];
    let (status, cache, body) = get(&app, None, &params).await;
    assert_eq!(status, 200);
    assert_eq!(cache.as_deref(), Some("public, max-age=60"));
    assert_eq!(
        data(&body)["tvChannels"]["nodes"].as_array().unwrap().len(),
        2
    );

    // Signed in: the same answer, but nobody may keep it.
    let token = app.login("demo", "demo12345").await;
    let (_, cache, _) = get(&app, Some(&token), &params).await;
    assert_eq!(cache.as_deref(), Some("private, no-store"));
    // An unknown hash is not kept either.
    let unknown = [("extensions", persisted(&sha256("{ x }")).to_string())];
    let (_, cache, body) = get(&app, None, &unknown).await;
    assert_eq!(cache.as_deref(), Some("private, no-store"));
    assert_eq!(error_codes(&body), ["PERSISTED_QUERY_NOT_FOUND"]);

    // A mutation registered over POST does not run by its hash over GET.
    let logout = "mutation { logout { ok } }";
    let logout_hash = sha256(logout);
    post(
        &app,
        Some(&token),
        json!({ "query": logout, "extensions": persisted(&logout_hash) }),
    )
    .await;
    let params = [("extensions", persisted(&logout_hash).to_string())];
    let (status, _, _) = get(&app, None, &params).await;
    assert_eq!(status, 405);
}

const SHIPPED: &str = "query Tariffs { tariffs { code monthlyFee { ...Price } } }\n";

fn operations_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Tariffs.graphql"), SHIPPED).unwrap();
    std::fs::write(
        dir.path().join("fragments.graphql"),
        "fragment Price on Money { amount currency }\n",
    )
    .unwrap();
    dir
}

#[tokio::test]
async fn in_allow_list_mode_only_the_shipped_operations_run() {
    let dir = operations_dir();
    let path = dir.path().to_owned();
    let app = TestApp::spawn_with(move |s| {
        s.persisted_queries_dir = Some(path);
        s.persisted_only = true;
    })
    .await;
    // By hash, over POST and GET, with the shared fragment it uses.
    let hash = sha256(SHIPPED);
    let (status, body) = post(&app, None, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(status, 200, "{body}");
    let tariffs = data(&body)["tariffs"].as_array().unwrap().clone();
    assert!(tariffs[0]["monthlyFee"]["amount"].is_string());
    let (status, _, body) = get(&app, None, &[("extensions", persisted(&hash).to_string())]).await;
    assert_eq!(status, 200);
    assert_eq!(
        data(&body)["tariffs"].as_array().unwrap().len(),
        tariffs.len()
    );
    // By its exact text.
    let (status, _) = post(&app, None, json!({ "query": SHIPPED })).await;
    assert_eq!(status, 200);

    // Anything else is refused, registered or not, over every transport.
    for body in [
        json!({ "query": "{ tariffs { code } }" }),
        json!({ "query": "{ tariffs { code } }", "extensions": persisted(&sha256("{ tariffs { code } }")) }),
        json!({ "extensions": persisted(&sha256("{ tariffs { code } }")) }),
        json!({ "query": "mutation { logout { ok } }" }),
    ] {
        let (status, refused) = post(&app, None, body.clone()).await;
        assert_eq!(status, 400, "{body}: {refused}");
        assert_eq!(
            error_codes(&refused),
            ["PERSISTED_QUERY_NOT_ALLOWED"],
            "{body}"
        );
    }
    let (status, _, refused) =
        get(&app, None, &[("query", "{ tariffs { code } }".to_owned())]).await;
    assert_eq!(status, 400);
    assert_eq!(error_codes(&refused), ["PERSISTED_QUERY_NOT_ALLOWED"]);
    let mut ws = app.ws("graphql-transport-ws", json!({})).await;
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { serviceNotices { title } }" } }))
        .await;
    let answer = ws.next().await;
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_ALLOWED",
        "{answer}"
    );
    assert!(answer["payload"]["data"].is_null());
}
