//! `POST /accounting/sessions`: the network's accounting reports internet
//! sessions, `Authorization: Bearer $KABINET_ACCOUNTING_SECRET`, a JSON array
//! of up to 1 000 reports. With no secret configured the endpoint does not
//! exist (404).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use super::bearer::token_of;
use crate::traffic::{self, IngestError, MAX_BATCH};

fn refuse(status: StatusCode, body: serde_json::Value) -> Response {
    (status, axum::Json(json!({ "error": body }))).into_response()
}

/// Whether the request carries the configured secret.
fn authorised(secret: &str, headers: &HeaderMap) -> bool {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(token_of)
    else {
        return false;
    };
    crate::digest::same_secret(token, secret)
}

/// Takes one batch of session reports.
pub(super) async fn sessions(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(secret) = state
        .settings
        .accounting_secret
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !authorised(secret, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                "Bearer realm=\"kabinet-accounting\"",
            )],
        )
            .into_response();
    }
    let values: Vec<serde_json::Value> = match serde_json::from_slice(&body) {
        Ok(values) => values,
        Err(err) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                json!({ "code": "BAD_REQUEST", "message": format!("the body must be a JSON array of session reports: {err}") }),
            );
        }
    };
    let now = state.clock.now();
    let outcome = match traffic::ingest::check(values, now) {
        Ok(reports) => traffic::ingest::ingest(&state.db, now, &reports).await,
        Err(err) => Err(err),
    };
    match outcome {
        Ok(outcome) => {
            if outcome.sms_queued {
                state.sms_wake.0.notify_one();
            }
            metrics::counter!("kabinet_accounting_sessions_total")
                .increment(outcome.accepted as u64);
            axum::Json(json!({
                "accepted": outcome.accepted,
                "created": outcome.created,
                "updated": outcome.updated,
                "newDevices": outcome.new_devices,
            }))
            .into_response()
        }
        Err(IngestError::TooLarge(n)) => refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({ "code": "BATCH_TOO_LARGE", "limit": MAX_BATCH, "received": n,
                    "message": format!("a batch holds at most {MAX_BATCH} reports") }),
        ),
        Err(IngestError::Bad { index, problem }) => refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "code": "BAD_RECORD", "index": index,
                    "message": format!("report {index}: {problem}; nothing of the batch was written") }),
        ),
        Err(IngestError::Db(err)) => {
            tracing::error!(error = %err, "storing session reports failed");
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "code": "INTERNAL", "message": "the batch was not stored; send it again" }),
            )
        }
    }
}
