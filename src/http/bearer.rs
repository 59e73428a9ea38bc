//! The caller's bearer token, read in one place for every transport: the
//! `Authorization: Bearer <token>` header of a POST, a GET or a WebSocket
//! handshake, and the same value in a WebSocket's `connection_init` payload.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

/// The token of the request's `Authorization: Bearer` header, if it has one.
#[derive(Debug, Clone, Default)]
pub struct Bearer(pub Option<String>);

/// The token of an `Authorization` value (`Bearer <token>`, any case).
pub fn token_of(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(Bearer(
            parts
                .headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(token_of)
                .map(str::to_owned),
        ))
    }
}
