//! Prometheus metrics: `GET /metrics`, the HTTP request counter and latency by
//! route, and helpers for GraphQL operations (by operation name and outcome).

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use super::AppState;
use crate::db;

const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
/// Distinct operation names kept as labels; more would let clients blow up the
/// number of series, so later names are counted as `other`.
const MAX_OPERATION_LABELS: usize = 200;

/// The process-wide recorder (the `metrics` facade allows one per process).
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new();
            let builder = match builder.set_buckets(&LATENCY_BUCKETS) {
                Ok(b) => b,
                Err(_) => PrometheusBuilder::new(),
            };
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder is installed; ours then stays unused.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// `GET /metrics`.
pub async fn render(State(state): State<AppState>) -> Response {
    let (size, idle) = db::pool_state(&state.db);
    metrics::gauge!("kabinet_db_pool_connections").set(f64::from(size));
    metrics::gauge!("kabinet_db_pool_idle_connections").set(idle as f64);
    state.metrics.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// Counts and times every routed HTTP request.
pub async fn track_http(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("kabinet_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("kabinet_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The label for a client-chosen operation name.
fn operation_label(name: Option<&str>) -> String {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let Some(name) = name else {
        return "anonymous".to_owned();
    };
    let valid = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    if !valid {
        return "other".to_owned();
    }
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if seen.contains(name) || (seen.len() < MAX_OPERATION_LABELS && seen.insert(name.to_owned())) {
        name.to_owned()
    } else {
        "other".to_owned()
    }
}

/// Records one executed GraphQL operation.
pub fn record_operation(name: Option<&str>, ok: bool, elapsed: Duration) {
    let operation = operation_label(name);
    let outcome = if ok { "ok" } else { "error" };
    metrics::counter!("kabinet_graphql_requests_total", "operation" => operation.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("kabinet_graphql_request_duration_seconds", "operation" => operation, "outcome" => outcome)
        .record(elapsed.as_secs_f64());
}
