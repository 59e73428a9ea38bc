//! GraphiQL at `/` and `/graphiql`, with every asset served from the binary
//! (pinned versions in `assets/graphiql/VERSIONS`, licences beside them), so
//! the playground works with no network.

use std::sync::OnceLock;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::AppState;

/// The frontend's operations, embedded at build time (see `build.rs`).
mod shipped {
    include!(concat!(env!("OUT_DIR"), "/operations.rs"));
}

const PAGE: &str = r#"<!doctype html>
<html lang="ru">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Kabinet — GraphiQL</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/graphiql/assets/graphiql.min.css">
  <style>
    html, body { height: 100%; margin: 0; }
    body { display: flex; flex-direction: column; }
    #kabinet-toolbar { display: flex; gap: 8px; align-items: center; padding: 4px 8px; font: 14px sans-serif; }
    #kabinet-toolbar:empty { display: none; }
    #graphiql { flex: 1; min-height: 0; }
  </style>
</head>
<body>
  <div id="kabinet-toolbar"></div>
  <div id="graphiql">Загрузка GraphiQL…</div>
  <script src="/graphiql/assets/react.production.min.js"></script>
  <script src="/graphiql/assets/react-dom.production.min.js"></script>
  <script src="/graphiql/assets/graphiql.min.js"></script>
  <script src="/graphiql/assets/kabinet-playground.js"></script>
</body>
</html>
"#;

/// Page scripts come only from this server; GraphiQL styles itself inline.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'";

/// The playground page.
pub async fn page() -> Response {
    (
        [
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        Html(PAGE),
    )
        .into_response()
}

fn asset_bytes(file: &str) -> Option<(&'static [u8], &'static str)> {
    const JS: &str = "text/javascript; charset=utf-8";
    const TEXT: &str = "text/plain; charset=utf-8";
    Some(match file {
        "graphiql.min.js" => (include_bytes!("../../assets/graphiql/graphiql.min.js"), JS),
        "graphiql.min.css" => (
            include_bytes!("../../assets/graphiql/graphiql.min.css"),
            "text/css; charset=utf-8",
        ),
        "react.production.min.js" => (
            include_bytes!("../../assets/graphiql/react.production.min.js"),
            JS,
        ),
        "react-dom.production.min.js" => (
            include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
            JS,
        ),
        "kabinet-playground.js" => (
            include_bytes!("../../assets/graphiql/kabinet-playground.js"),
            JS,
        ),
        "LICENSE.graphiql" => (
            include_bytes!("../../assets/graphiql/LICENSE.graphiql"),
            TEXT,
        ),
        "LICENSE.react" => (include_bytes!("../../assets/graphiql/LICENSE.react"), TEXT),
        "LICENSE.react-dom" => (
            include_bytes!("../../assets/graphiql/LICENSE.react-dom"),
            TEXT,
        ),
        "VERSIONS" => (include_bytes!("../../assets/graphiql/VERSIONS"), TEXT),
        _ => return None,
    })
}

/// One embedded asset.
pub async fn asset(Path(file): Path<String>) -> Response {
    match asset_bytes(&file) {
        Some((bytes, content_type)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The operations the playground offers: each with the fragments it uses, by
/// name. Built once; a folder that does not parse offers none (the tests of
/// `operations/` catch that long before).
fn operations() -> &'static [(String, String)] {
    static OPERATIONS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    OPERATIONS.get_or_init(|| {
        let files: Vec<(String, String)> = shipped::FILES
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect();
        let mut named: Vec<(String, String)> = crate::graphql::persisted::documents_of(&files)
            .map(|docs| {
                docs.into_iter()
                    .map(|shipped| (shipped.name, shipped.text))
                    .collect()
            })
            .unwrap_or_default();
        named.sort();
        named
    })
}

/// `GET /graphiql/operations.json`: the shipped operations for the picker,
/// and whether the demo sign-in is offered (only with the demo data on).
pub async fn operations_json(State(state): State<AppState>) -> Response {
    let operations: Vec<serde_json::Value> = operations()
        .iter()
        .map(|(name, query)| serde_json::json!({ "name": name, "query": query }))
        .collect();
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(serde_json::json!({ "operations": operations, "demoSignIn": state.settings.demo })),
    )
        .into_response()
}
