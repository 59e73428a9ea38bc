//! `GET /healthz` (the process answers) and `GET /readyz` (the database answers
//! and every migration is applied; otherwise 503, so a load balancer skips us).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use crate::db;

/// Liveness.
pub async fn live() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness.
pub async fn ready(State(state): State<AppState>) -> Response {
    match db::readiness(&state.db).await {
        Ok(()) => Json(json!({ "status": "ready" })).into_response(),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "reason": reason })),
        )
            .into_response(),
    }
}
