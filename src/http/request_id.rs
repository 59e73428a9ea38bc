//! Request ids: taken from `x-request-id` when the client sent a sane one,
//! generated otherwise, echoed in the response and carried by the request's
//! tracing span, so every log line of the request names it.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The header that carries the id.
pub const HEADER: &str = "x-request-id";

fn acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Makes sure the request has an id and the response repeats it.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| acceptable(id))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let value = HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("invalid"));
    request.headers_mut().insert(HEADER, value.clone());
    let mut response = next.run(request).await;
    response.headers_mut().insert(HEADER, value);
    response
}

/// The id [`assign`] put on the request.
pub fn of(request_headers: &axum::http::HeaderMap) -> String {
    request_headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown")
        .to_owned()
}

/// The tracing span of a request. The query string is left out on purpose:
/// a GET query may carry variables, and variables may carry secrets.
pub fn span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    tracing::info_span!(
        "request",
        request_id = %of(request.headers()),
        method = %request.method(),
        path = %request.uri().path(),
    )
}
