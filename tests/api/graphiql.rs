//! GraphiQL is served from the binary itself: the page and every asset it
//! references load from this server, with no CDN.

use serde_json::json;

use crate::common::{TestApp, data};

fn referenced_assets(page: &str) -> Vec<String> {
    let pattern = regex_lite::Regex::new(r#"(?:src|href)="([^"]+)""#).unwrap();
    pattern
        .captures_iter(page)
        .map(|c| c[1].to_owned())
        .collect()
}

#[tokio::test]
async fn the_playground_and_all_its_assets_load_from_the_server() {
    let app = TestApp::spawn().await;
    for path in ["/", "/graphiql"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(response.headers().contains_key("content-security-policy"));
        let page = response.text().await.unwrap();
        assert!(page.contains("GraphiQL"));
        let assets = referenced_assets(&page);
        assert!(assets.len() >= 5, "{assets:?}");
        for asset in assets {
            if asset.starts_with("data:") {
                continue; // inline (the empty favicon), nothing to fetch
            }
            assert!(asset.starts_with('/'), "{asset} must come from this server");
            let response = app.get(&asset).await;
            assert_eq!(response.status(), 200, "{asset}");
            let kind = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            let expected = if asset.ends_with(".css") {
                "text/css"
            } else {
                "text/javascript"
            };
            assert!(kind.starts_with(expected), "{asset}: {kind}");
            let body = response.bytes().await.unwrap();
            assert!(
                body.len() > 1000 || asset.ends_with("kabinet-playground.js"),
                "{asset}"
            );
        }
    }
}

#[tokio::test]
async fn the_playground_ships_its_licences_and_pinned_versions() {
    let app = TestApp::spawn().await;
    for licence in ["LICENSE.graphiql", "LICENSE.react", "LICENSE.react-dom"] {
        let response = app.get(&format!("/graphiql/assets/{licence}")).await;
        assert_eq!(response.status(), 200);
        assert!(response.text().await.unwrap().contains("MIT"), "{licence}");
    }
    let versions = app
        .get("/graphiql/assets/VERSIONS")
        .await
        .text()
        .await
        .unwrap();
    assert!(versions.contains("graphiql@4.1.2"), "{versions}");
    assert_eq!(
        app.get("/graphiql/assets/..%2FCargo.toml").await.status(),
        404
    );
}

/// The introspection query GraphiQL sends (graphql-js `getIntrospectionQuery`),
/// which nests `ofType` deeper than ordinary queries may go.
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}
"#;

#[tokio::test]
async fn graphiqls_introspection_query_passes_the_limits() {
    let app = TestApp::spawn().await;
    let body = app.graphql(INTROSPECTION, serde_json::json!({})).await;
    let schema = &data(&body)["__schema"];
    assert_eq!(schema["queryType"]["name"], "Query");
    assert_eq!(schema["subscriptionType"]["name"], "Subscription");
}

#[tokio::test]
async fn the_playground_offers_the_shipped_operations_and_a_demo_sign_in_only_in_demo_mode() {
    let app = TestApp::spawn().await;
    let offer: serde_json::Value = app
        .get("/graphiql/operations.json")
        .await
        .json()
        .await
        .unwrap();
    let operations = offer["operations"].as_array().unwrap();
    assert!(operations.len() >= 30, "{} operations", operations.len());
    let dashboard = operations
        .iter()
        .find(|o| o["name"] == "Dashboard")
        .expect("the Dashboard operation");
    let query = dashboard["query"].as_str().unwrap();
    assert!(query.starts_with("query Dashboard"), "{query}");
    assert!(
        query.contains("fragment MoneyFields on Money"),
        "it comes with the fragments it uses: {query}"
    );
    // The text offered runs as it is.
    let token = app.login("demo", "demo12345").await;
    let body = app.graphql_as(Some(&token), query, json!({})).await;
    assert!(data(&body)["me"]["number"].is_string(), "{body}");
    assert_eq!(offer["demoSignIn"], true);

    let production = TestApp::spawn_with(|s| s.demo = false).await;
    let offer: serde_json::Value = production
        .get("/graphiql/operations.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        offer["demoSignIn"], false,
        "no demo sign-in outside demo mode"
    );
    assert_eq!(
        offer["operations"].as_array().unwrap().len(),
        operations.len()
    );
}
