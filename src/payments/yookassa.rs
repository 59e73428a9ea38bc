//! The ЮKassa (YooKassa) API v3 adapter: payments are created with
//! `POST /payments` under an `Idempotence-Key` and read back with
//! `GET /payments/{id}`, authenticated by the shop id and secret key (HTTP
//! Basic). Notifications are never trusted by themselves: the webhook only
//! names a payment, which is then read from here.

use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::methods::Method;
use super::provider::{
    CreateRequest, Provider, ProviderError, ProviderPayment, ProviderRefund, ProviderStatus,
    RefundRequest, RefundStatus, SavedCharge, SavedMethod,
};
use crate::money::Kopecks;

/// The documented base URL of the API.
pub const DEFAULT_API_URL: &str = "https://api.yookassa.ru/v3";
/// How long one call may take.
const TIMEOUT: Duration = Duration::from_secs(8);
/// The metadata key that carries our payment's key.
const METADATA_KEY: &str = "kabinet_payment";

/// Installs ring as the process's TLS provider (reqwest is built without one);
/// a second call does nothing.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The adapter.
pub struct YooKassa {
    http: reqwest::Client,
    base_url: String,
    shop_id: String,
    secret_key: String,
}

impl std::fmt::Debug for YooKassa {
    // The secret key never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("YooKassa")
            .field("base_url", &self.base_url)
            .field("shop_id", &self.shop_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize)]
struct ApiAmount {
    value: String,
}

#[derive(Debug, Deserialize)]
struct ApiConfirmation {
    confirmation_url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ApiCancellation {
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ApiCard {
    last4: Option<String>,
    expiry_month: Option<String>,
    expiry_year: Option<String>,
    card_type: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ApiMethod {
    id: String,
    #[serde(default)]
    saved: bool,
    card: Option<ApiCard>,
}

#[derive(Debug, Deserialize)]
struct ApiPayment {
    id: String,
    status: String,
    amount: ApiAmount,
    confirmation: Option<ApiConfirmation>,
    #[serde(default)]
    metadata: Option<serde_json::Map<String, serde_json::Value>>,
    cancellation_details: Option<ApiCancellation>,
    payment_method: Option<ApiMethod>,
}

#[derive(Debug, Deserialize)]
struct ApiRefund {
    id: String,
    payment_id: String,
    status: String,
    amount: ApiAmount,
}

fn saved_method(method: ApiMethod) -> Option<SavedMethod> {
    if !method.saved {
        return None;
    }
    let card = method.card?;
    Some(SavedMethod {
        id: method.id,
        last4: card.last4.unwrap_or_default().chars().take(4).collect(),
        expiry_month: card.expiry_month.and_then(|m| m.parse().ok()).unwrap_or(0),
        expiry_year: card.expiry_year.and_then(|y| y.parse().ok()).unwrap_or(0),
        card_type: card
            .card_type
            .unwrap_or_else(|| "Unknown".into())
            .chars()
            .take(32)
            .collect(),
    })
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn method_type(method: Method) -> &'static str {
    match method {
        Method::BankCard | Method::Terminal => "bank_card",
        Method::Sbp => "sbp",
    }
}

impl YooKassa {
    /// The adapter for a shop; `base_url` without a trailing `/`.
    pub fn new(base_url: &str, shop_id: &str, secret_key: &str) -> Result<Self, ProviderError> {
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(3))
            .build()
            .map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        Ok(YooKassa {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            shop_id: shop_id.to_owned(),
            secret_key: secret_key.to_owned(),
        })
    }

    fn convert(payment: ApiPayment) -> Result<ProviderPayment, ProviderError> {
        let amount = Kopecks::parse_decimal(&payment.amount.value)
            .map_err(|_| ProviderError::Refused("an amount that is not a sum".into()))?;
        let status = match payment.status.as_str() {
            "succeeded" => ProviderStatus::Succeeded,
            "canceled" => ProviderStatus::Canceled,
            // pending, and waiting_for_capture (we capture at once).
            _ => ProviderStatus::Pending,
        };
        Ok(ProviderPayment {
            key: payment
                .metadata
                .as_ref()
                .and_then(|m| m.get(METADATA_KEY))
                .and_then(|v| v.as_str())
                .map(str::to_owned),
            confirmation_url: payment.confirmation.and_then(|c| c.confirmation_url),
            cancel_reason: payment.cancellation_details.and_then(|c| c.reason),
            saved_method: payment.payment_method.and_then(saved_method),
            id: payment.id,
            status,
            amount,
        })
    }

    async fn read(response: reqwest::Response) -> Result<ProviderPayment, ProviderError> {
        Self::convert(Self::body::<ApiPayment>(response).await?)
    }

    async fn body<T: serde::de::DeserializeOwned>(
        response: reqwest::Response,
    ) -> Result<T, ProviderError> {
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Err(ProviderError::NotFound);
        }
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(ProviderError::Unavailable(format!("HTTP {status}")));
        }
        if !status.is_success() {
            return Err(ProviderError::Refused(format!("HTTP {status}")));
        }
        response
            .json()
            .await
            .map_err(|e| ProviderError::Unavailable(format!("unreadable answer: {e}")))
    }

    fn convert_refund(refund: ApiRefund) -> Result<ProviderRefund, ProviderError> {
        Ok(ProviderRefund {
            amount: Kopecks::parse_decimal(&refund.amount.value)
                .map_err(|_| ProviderError::Refused("an amount that is not a sum".into()))?,
            status: match refund.status.as_str() {
                "succeeded" => RefundStatus::Succeeded,
                "canceled" => RefundStatus::Canceled,
                _ => RefundStatus::Pending,
            },
            id: refund.id,
            payment_id: refund.payment_id,
        })
    }

    async fn post(
        &self,
        path: &str,
        key: &str,
        body: serde_json::Value,
    ) -> Result<reqwest::Response, ProviderError> {
        self.http
            .post(format!("{}/{path}", self.base_url))
            .basic_auth(&self.shop_id, Some(&self.secret_key))
            .header("Idempotence-Key", key)
            .json(&body)
            .send()
            .await
            .map_err(transport)
    }

    async fn get(&self, path: &str) -> Result<reqwest::Response, ProviderError> {
        self.http
            .get(format!("{}/{path}", self.base_url))
            .basic_auth(&self.shop_id, Some(&self.secret_key))
            .send()
            .await
            .map_err(transport)
    }
}

fn transport(err: reqwest::Error) -> ProviderError {
    // Without the URL: nothing of the request reaches the log.
    ProviderError::Unavailable(err.without_url().to_string())
}

#[async_trait::async_trait]
impl Provider for YooKassa {
    fn name(&self) -> &'static str {
        "yookassa"
    }

    async fn create(&self, request: &CreateRequest) -> Result<ProviderPayment, ProviderError> {
        let body = json!({
            "amount": { "value": request.amount.to_decimal_string(), "currency": "RUB" },
            "payment_method_data": { "type": method_type(request.method) },
            "confirmation": { "type": "redirect", "return_url": request.return_url },
            "capture": true,
            "description": request.description.chars().take(128).collect::<String>(),
            "save_payment_method": request.save_method,
            "metadata": { METADATA_KEY: request.key },
        });
        Self::read(self.post("payments", &request.key, body).await?).await
    }

    async fn fetch(&self, id: &str) -> Result<ProviderPayment, ProviderError> {
        // Ids are short tokens; anything else is not one of theirs.
        if !valid_id(id) {
            return Err(ProviderError::NotFound);
        }
        Self::read(self.get(&format!("payments/{id}")).await?).await
    }

    async fn charge_saved(&self, charge: &SavedCharge) -> Result<ProviderPayment, ProviderError> {
        let body = json!({
            "amount": { "value": charge.amount.to_decimal_string(), "currency": "RUB" },
            "capture": true,
            "payment_method_id": charge.method_id,
            "description": charge.description.chars().take(128).collect::<String>(),
            "metadata": { METADATA_KEY: charge.key },
        });
        Self::read(self.post("payments", &charge.key, body).await?).await
    }

    async fn refund(&self, request: &RefundRequest) -> Result<ProviderRefund, ProviderError> {
        let body = json!({
            "payment_id": request.payment_id,
            "amount": { "value": request.amount.to_decimal_string(), "currency": "RUB" },
            "description": request.description.chars().take(250).collect::<String>(),
        });
        let response = self.post("refunds", &request.key, body).await?;
        Self::convert_refund(Self::body(response).await?)
    }

    async fn fetch_refund(&self, id: &str) -> Result<ProviderRefund, ProviderError> {
        if !valid_id(id) {
            return Err(ProviderError::NotFound);
        }
        let response = self.get(&format!("refunds/{id}")).await?;
        Self::convert_refund(Self::body(response).await?)
    }
}
