//! A local stand-in for the ЮKassa API v3, speaking its documented shapes:
//! `POST /v3/payments` (idempotent by the `Idempotence-Key` header) and
//! `GET /v3/payments/{id}`, HTTP Basic with the shop id and secret key. Tests
//! decide what happens to a payment (`set_status`) and read what the gateway
//! sent (`requests`). Never a real host.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// The shop id the stand-in accepts.
pub const SHOP_ID: &str = "test-shop";
/// The secret key the stand-in accepts.
pub const SECRET_KEY: &str = "test_secret_key";

/// A request the gateway sent.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `POST /v3/payments`, `GET /v3/payments/{id}`.
    pub route: String,
    /// The `Idempotence-Key` header.
    pub idempotence_key: Option<String>,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The JSON body (null for a GET).
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    payments: HashMap<String, Value>,
    refunds: HashMap<String, Value>,
    refunds_by_key: HashMap<String, String>,
    by_key: HashMap<String, String>,
    requests: Vec<Recorded>,
    down: bool,
}

type Shared = Arc<Mutex<Inner>>;

/// The running stand-in.
pub struct YooKassaStandIn {
    /// Its API base URL, `http://127.0.0.1:PORT/v3`.
    pub url: String,
    inner: Shared,
    _stop: oneshot::Sender<()>,
}

fn authorised(headers: &HeaderMap) -> bool {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{SHOP_ID}:{SECRET_KEY}"))
    );
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == expected)
}

fn record(inner: &mut Inner, route: String, headers: &HeaderMap, body: Value) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    inner.requests.push(Recorded {
        route,
        idempotence_key: header("idempotence-key"),
        authorization: header("authorization"),
        body,
    });
}

fn error(status: StatusCode, code: &str) -> Response {
    (
        status,
        Json(json!({ "type": "error", "code": code, "description": code })),
    )
        .into_response()
}

async fn create(
    State(inner): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut inner = inner.lock().unwrap();
    record(
        &mut inner,
        "POST /v3/payments".into(),
        &headers,
        body.clone(),
    );
    if inner.down {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error");
    }
    if !authorised(&headers) {
        return error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let Some(key) = headers.get("idempotence-key").and_then(|v| v.to_str().ok()) else {
        return error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    if let Some(id) = inner.by_key.get(key).cloned() {
        return Json(inner.payments[&id].clone()).into_response();
    }
    let id = format!("2f{:030x}", inner.payments.len() + 1);
    let recurring = body.get("payment_method_id").is_some();
    let mut payment = json!({
        "id": id,
        "status": if recurring { "succeeded" } else { "pending" },
        "paid": recurring,
        "amount": body["amount"],
        "description": body["description"],
        "metadata": body["metadata"],
        "save_payment_method": body["save_payment_method"],
        "created_at": "2026-11-25T09:00:00.000Z",
        "test": true,
        "refundable": recurring,
    });
    if !recurring {
        payment["confirmation"] = json!({
            "type": "redirect",
            "return_url": body["confirmation"]["return_url"],
            "confirmation_url": format!("https://yoomoney.example/checkout/payments/v2/contract?orderId={id}"),
        });
    }
    inner.by_key.insert(key.to_owned(), id.clone());
    inner.payments.insert(id, payment.clone());
    Json(payment).into_response()
}

async fn read(State(inner): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let mut inner = inner.lock().unwrap();
    record(
        &mut inner,
        format!("GET /v3/payments/{id}"),
        &headers,
        Value::Null,
    );
    if inner.down {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error");
    }
    if !authorised(&headers) {
        return error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    match inner.payments.get(&id) {
        Some(payment) => Json(payment.clone()).into_response(),
        None => error(StatusCode::NOT_FOUND, "not_found"),
    }
}

async fn create_refund(
    State(inner): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut inner = inner.lock().unwrap();
    record(
        &mut inner,
        "POST /v3/refunds".into(),
        &headers,
        body.clone(),
    );
    if inner.down {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error");
    }
    if !authorised(&headers) {
        return error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let Some(key) = headers.get("idempotence-key").and_then(|v| v.to_str().ok()) else {
        return error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    if let Some(id) = inner.refunds_by_key.get(key).cloned() {
        return Json(inner.refunds[&id].clone()).into_response();
    }
    let paid = body["payment_id"]
        .as_str()
        .and_then(|id| inner.payments.get(id))
        .is_some_and(|p| p["status"] == "succeeded");
    if !paid {
        return error(StatusCode::BAD_REQUEST, "invalid_request");
    }
    let id = format!("rf{:030x}", inner.refunds.len() + 1);
    let refund = json!({
        "id": id,
        "payment_id": body["payment_id"],
        "status": "pending",
        "amount": body["amount"],
        "created_at": "2026-11-25T09:00:00.000Z",
    });
    inner.refunds_by_key.insert(key.to_owned(), id.clone());
    inner.refunds.insert(id, refund.clone());
    Json(refund).into_response()
}

async fn read_refund(
    State(inner): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let mut inner = inner.lock().unwrap();
    record(
        &mut inner,
        format!("GET /v3/refunds/{id}"),
        &headers,
        Value::Null,
    );
    if !authorised(&headers) {
        return error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    match inner.refunds.get(&id) {
        Some(refund) => Json(refund.clone()).into_response(),
        None => error(StatusCode::NOT_FOUND, "not_found"),
    }
}

impl YooKassaStandIn {
    /// Decides a refund: `succeeded` or `canceled`.
    pub fn set_refund_status(&self, id: &str, status: &str) {
        let mut inner = self.inner.lock().unwrap();
        let refund = inner.refunds.get_mut(id).expect("a refund of the stand-in");
        refund["status"] = json!(status);
    }

    /// The refunds the stand-in holds.
    pub fn refunds(&self) -> Vec<Value> {
        self.inner
            .lock()
            .unwrap()
            .refunds
            .values()
            .cloned()
            .collect()
    }

    /// Starts the stand-in on a free port.
    pub async fn start() -> YooKassaStandIn {
        let inner: Shared = Arc::default();
        let router = axum::Router::new()
            .route("/v3/payments", post(create))
            .route("/v3/payments/{id}", get(read))
            .route("/v3/refunds", post(create_refund))
            .route("/v3/refunds/{id}", get(read_refund))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let address = listener.local_addr().expect("an address");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        YooKassaStandIn {
            url: format!("http://{address}/v3"),
            inner,
            _stop: stop,
        }
    }

    /// What the gateway sent so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.lock().unwrap().requests.clone()
    }

    /// The payments the stand-in holds.
    pub fn payments(&self) -> Vec<Value> {
        self.inner
            .lock()
            .unwrap()
            .payments
            .values()
            .cloned()
            .collect()
    }

    /// Decides a payment: `succeeded` (paid) or `canceled` (with a reason).
    pub fn set_status(&self, id: &str, status: &str) {
        let mut inner = self.inner.lock().unwrap();
        let payment = inner
            .payments
            .get_mut(id)
            .expect("a payment of the stand-in");
        payment["status"] = json!(status);
        payment["paid"] = json!(status == "succeeded");
        if status == "succeeded" && payment["save_payment_method"] == true {
            payment["payment_method"] = json!({
                "type": "bank_card",
                "id": format!("pm-{id}"),
                "saved": true,
                "card": { "first6": "220220", "last4": "0042", "expiry_month": "07", "expiry_year": "2029", "card_type": "Mir" },
            });
        }
        if status == "canceled" {
            payment["cancellation_details"] =
                json!({ "party": "payment_network", "reason": "insufficient_funds" });
        }
    }

    /// Makes every call fail with 500 (or work again).
    pub fn set_down(&self, down: bool) {
        self.inner.lock().unwrap().down = down;
    }
}
