//! GraphiQL at `/` and `/graphiql`, with every asset served from the binary
//! (pinned versions in `assets/graphiql/VERSIONS`, licences beside them), so
//! the playground works with no network.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

const PAGE: &str = r#"<!doctype html>
<html lang="ru">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Kabinet — GraphiQL</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/graphiql/assets/graphiql.min.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
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
