//! Payment endpoints that are not GraphQL: the sandbox provider's checkout page
//! and its buttons, and the providers' notifications (webhooks).

use axum::{Extension, Json};
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use quick_xml::escape::escape;

use super::AppState;
use crate::payments::PaymentError;
use crate::payments::sandbox::{Checkout, Choice};

/// A provider's notification: `{type: "notification", event, object: {id}}`.
/// Only the object's id is used: the payment is then read from the provider.
#[derive(Debug, Deserialize)]
pub(super) struct Notification {
    #[serde(rename = "type")]
    kind: String,
    event: String,
    object: NotifiedObject,
}

#[derive(Debug, Deserialize)]
struct NotifiedObject {
    id: String,
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>body{{font-family:sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}}\
         .sum{{font-size:2rem;margin:1rem 0}}form{{display:inline-block;margin-right:1rem}}\
         button{{font-size:1.1rem;padding:.6rem 1.4rem}}</style></head>\
         <body><p>Тестовая платёжная система Kabinet (песочница): деньги не списываются.</p>{body}</body></html>",
        title = escape(title),
    )
}

fn checkout_html(checkout: &Checkout, now: chrono::DateTime<chrono::Utc>) -> String {
    let sum = format!("{} ₽", checkout.amount.to_decimal_string());
    let id = escape(&checkout.id);
    let body = match checkout.status.as_str() {
        "pending" if checkout.expires_at > now => format!(
            "<h1>Оплата</h1><p>{description}</p><p class=\"sum\">{sum}</p>\
             <form method=\"post\" action=\"/sandbox/checkout/{id}/pay\"><button type=\"submit\">Оплатить</button></form>\
             <form method=\"post\" action=\"/sandbox/checkout/{id}/decline\"><button type=\"submit\">Отказаться</button></form>",
            description = escape(&checkout.description),
        ),
        "pending" => "<h1>Время на оплату истекло</h1>".to_owned(),
        "succeeded" => format!("<h1>Оплачено</h1><p class=\"sum\">{sum}</p>"),
        _ => "<h1>Оплата отменена</h1>".to_owned(),
    };
    page("Оплата — песочница Kabinet", &body)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(page("Не найдено", "<h1>Такого платежа нет</h1>")),
    )
        .into_response()
}

fn failed(err: impl std::fmt::Display) -> Response {
    tracing::error!(error = %err, "payment endpoint failed");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(page("Ошибка", "<h1>Сервис временно недоступен</h1>")),
    )
        .into_response()
}

/// `GET /sandbox/checkout/{id}`: the sandbox provider's payment page.
pub(super) async fn checkout_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    let Some(sandbox) = &state.sandbox else {
        return not_found();
    };
    match sandbox.checkout(&id).await {
        Ok(Some(checkout)) => Html(checkout_html(&checkout, state.clock.now())).into_response(),
        Ok(None) => not_found(),
        Err(err) => failed(err),
    }
}

async fn choose(state: AppState, id: String, choice: Choice) -> Response {
    let Some(sandbox) = &state.sandbox else {
        return not_found();
    };
    let checkout = match sandbox.choose(&id, choice).await {
        Ok(Some(checkout)) => checkout,
        Ok(None) => return not_found(),
        Err(err) => return failed(err),
    };
    // The sandbox notifies the gateway as a provider does; the gateway then
    // reads the payment back, as it does for any provider.
    if let Err(err) = state
        .payments
        .notified(state.clock.now(), &checkout.id)
        .await
    {
        return failed(err);
    }
    // Back to the shop, as a provider sends the payer.
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, checkout.return_url)],
    )
        .into_response()
}

/// `POST /sandbox/checkout/{id}/pay`.
pub(super) async fn checkout_pay(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    choose(state, id, Choice::Pay).await
}

/// `POST /sandbox/checkout/{id}/decline`.
pub(super) async fn checkout_decline(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    choose(state, id, Choice::Decline).await
}

/// `POST /webhooks/payments/{provider}`: a provider's notification. Answers
/// 200 once handled (an unknown payment included, so the provider stops
/// repeating it), 400 for what is not a notification, 403 from an address
/// outside `KABINET_PAYMENT_WEBHOOK_NETWORKS` (when set), 404 for a provider
/// not in use, 503 when the provider or the database cannot be reached (the
/// provider repeats it later).
pub(super) async fn webhook(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    body: axum::body::Bytes,
) -> Response {
    if provider != state.payments.provider.name() {
        return StatusCode::NOT_FOUND.into_response();
    }
    if !state.webhook_networks.is_empty() {
        let client =
            super::graphql::client_info(&state, &headers, peer.map(|Extension(ConnectInfo(p))| p));
        let allowed = client
            .ip
            .and_then(|ip| ip.parse::<std::net::IpAddr>().ok())
            .is_some_and(|ip| state.webhook_networks.iter().any(|n| n.contains(&ip)));
        if !allowed {
            tracing::warn!(
                provider,
                "a payment notification from an address not allowed"
            );
            return StatusCode::FORBIDDEN.into_response();
        }
    }
    let Ok(notification) = serde_json::from_slice::<Notification>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": "not a notification"})),
        )
            .into_response();
    };
    if notification.kind != "notification" || notification.object.id.len() > 64 {
        return StatusCode::BAD_REQUEST.into_response();
    }
    tracing::info!(provider, event = %notification.event.chars().take(40).collect::<String>(), "payment notification");
    let now = state.clock.now();
    let handled = if notification.event.starts_with("refund.") {
        state
            .payments
            .refund_notified(now, &notification.object.id)
            .await
    } else {
        state
            .payments
            .notified(now, &notification.object.id)
            .await
            .map(|_| ())
    };
    match handled {
        Ok(()) => StatusCode::OK.into_response(),
        Err(PaymentError::Provider(err)) => {
            tracing::warn!(error = %err, "cannot read the notified payment back");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
        Err(err) => {
            tracing::error!(error = %err, "payment notification failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
