//! The HTTP surface: the router with its layers, and the routes that are not
//! GraphQL (health, metrics, playground).

mod accounting;
mod bearer;
mod documents;
mod graphql;
mod health;
pub mod metrics;
mod payments;
mod playground;
mod request_id;
mod terminal;
mod websocket;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;

use crate::auth;
use crate::clock::SharedClock;
use crate::config::Settings;
use crate::db::SqlStats;
use crate::graphql::AppSchema;
use crate::graphql::messages;

/// What every handler can reach (the router's state; `app` builds it).
#[derive(Clone)]
pub struct AppState {
    /// The GraphQL schema (with its data: database, clock, loaders).
    pub schema: AppSchema,
    /// The database pool.
    pub db: DatabaseConnection,
    /// The application clock.
    pub clock: SharedClock,
    /// Settings in force.
    pub settings: Arc<Settings>,
    /// SQL statement counter.
    pub sql: Arc<SqlStats>,
    /// The Prometheus recorder.
    pub metrics: PrometheusHandle,
    /// Sessions ended lately (kept current by a worker), for open WebSockets.
    pub session_ends: auth::SessionEnds,
    /// The payment flow (notifications land here).
    pub payments: crate::payments::Payments,
    /// The sandbox provider, when it is the one in use.
    pub sandbox: Option<Arc<crate::payments::sandbox::Sandbox>>,
    /// Where payment notifications may come from (empty: anywhere).
    pub webhook_networks: Arc<Vec<ipnet::IpNet>>,
    /// Wakes the SMS worker when a handler queued an SMS.
    pub sms_wake: crate::sms::SmsWake,
    /// The notices in force, shared by every `serviceNotices` subscriber.
    pub live_notices: crate::notices::LiveNotices,
    /// Persisted queries (GET resolves them before telling a query from a mutation).
    pub persisted: Arc<crate::graphql::persisted::PersistedQueries>,
}

/// A JSON body in the shape of a GraphQL error response, for failures that
/// happen before GraphQL runs (wrong content type, bad JSON, too large a batch).
pub(crate) fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    });
    (status, axum::Json(body)).into_response()
}

fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    // The payload may quote input; the span already names the request.
    tracing::error!("a request handler panicked");
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        messages::INTERNAL,
    )
}

fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter(|o| !o.is_empty())
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}

/// The application's router with every layer.
pub fn router(state: AppState) -> Router {
    let settings = state.settings.clone();
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/", get(playground::page))
        .route("/graphiql", get(playground::page))
        .route("/graphiql/assets/{file}", get(playground::asset))
        .route(
            "/graphiql/operations.json",
            get(playground::operations_json),
        )
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(metrics::render))
        .route("/sandbox/checkout/{id}", get(payments::checkout_page))
        .route("/sandbox/checkout/{id}/pay", post(payments::checkout_pay))
        .route(
            "/sandbox/checkout/{id}/decline",
            post(payments::checkout_decline),
        )
        .route("/webhooks/payments/{provider}", post(payments::webhook))
        .route("/payments/terminal", get(terminal::terminal))
        .route("/accounting/sessions", post(accounting::sessions))
        .route("/documents/receipts/{file}", get(documents::receipt))
        .route("/documents/statements/{file}", get(documents::statement))
        .route("/documents/contract.pdf", get(documents::contract))
        .route_layer(middleware::from_fn(metrics::track_http))
        .layer(DefaultBodyLimit::max(settings.body_limit))
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn(request_id::assign))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_id::span)
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    Duration::from_secs(settings.request_timeout_secs),
                ))
                .layer(cors(&settings.cors_origins)),
        )
}
