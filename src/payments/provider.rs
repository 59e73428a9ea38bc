//! What Kabinet needs from a payment provider, whichever it is: create a
//! payment (idempotently, under our key) and read one back. Notifications are
//! never believed by themselves: the gateway re-reads the payment from the
//! provider and acts only on that.

use crate::money::Kopecks;

use super::methods::Method;

/// A payment to create at the provider.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    /// Our key: the provider's idempotence key and the payment's metadata, so a
    /// retry after a lost answer finds the same provider payment.
    pub key: String,
    /// What the payer pays (the top-up plus any commission).
    pub amount: Kopecks,
    /// How.
    pub method: Method,
    /// Shown on the provider's page and in the bank statement.
    pub description: String,
    /// Where the provider sends the payer back.
    pub return_url: String,
    /// Ask the provider to keep the card for later payments.
    pub save_method: bool,
}

/// Where a payment stands at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderStatus {
    /// Waiting for the payer.
    Pending,
    /// Paid.
    Succeeded,
    /// Declined, cancelled or expired at the provider.
    Canceled,
}

/// A payment as the provider tells it.
#[derive(Debug, Clone)]
pub struct ProviderPayment {
    /// The provider's id.
    pub id: String,
    /// Its status.
    pub status: ProviderStatus,
    /// What was (or is to be) paid.
    pub amount: Kopecks,
    /// Our key, from the metadata (absent for payments we did not create).
    pub key: Option<String>,
    /// Where the payer confirms it (while pending).
    pub confirmation_url: Option<String>,
    /// Why it was cancelled, in the provider's words (a short code).
    pub cancel_reason: Option<String>,
    /// The card the provider kept for later charges, if it kept one.
    pub saved_method: Option<SavedMethod>,
}

/// A card kept at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedMethod {
    /// The provider's payment method id.
    pub id: String,
    /// Last four digits.
    pub last4: String,
    /// Expiry month, 1–12.
    pub expiry_month: u32,
    /// Expiry year, four digits.
    pub expiry_year: i32,
    /// Card network (Visa, MasterCard, Mir…).
    pub card_type: String,
}

/// A charge of a saved card, without the payer (autopayment).
#[derive(Debug, Clone)]
pub struct SavedCharge {
    /// Our key (idempotence key and metadata).
    pub key: String,
    /// What to charge.
    pub amount: Kopecks,
    /// The saved card's method id.
    pub method_id: String,
    /// Shown in the bank statement.
    pub description: String,
}

/// A refund to make.
#[derive(Debug, Clone)]
pub struct RefundRequest {
    /// Our key (idempotence key).
    pub key: String,
    /// The provider's payment id.
    pub payment_id: String,
    /// What to return.
    pub amount: Kopecks,
    /// Why.
    pub description: String,
}

/// Where a refund stands at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStatus {
    /// Not yet done.
    Pending,
    /// The money went back.
    Succeeded,
    /// Refused.
    Canceled,
}

/// A refund as the provider tells it.
#[derive(Debug, Clone)]
pub struct ProviderRefund {
    /// The provider's refund id.
    pub id: String,
    /// The provider's payment id.
    pub payment_id: String,
    /// Its status.
    pub status: RefundStatus,
    /// What is returned.
    pub amount: Kopecks,
}

/// Why the provider could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// Down, slow or answering 5xx: try again later.
    #[error("the payment provider is unavailable: {0}")]
    Unavailable(String),
    /// It refused the request (4xx): ours to fix, not the payer's.
    #[error("the payment provider refused the request: {0}")]
    Refused(String),
    /// No such payment there.
    #[error("the payment provider does not know this payment")]
    NotFound,
}

/// A payment provider.
#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// Its name in URLs and in the database (`sandbox`, `yookassa`).
    fn name(&self) -> &'static str;

    /// Creates a payment; the same `key` again returns the same payment.
    async fn create(&self, request: &CreateRequest) -> Result<ProviderPayment, ProviderError>;

    /// Reads a payment by the provider's id.
    async fn fetch(&self, id: &str) -> Result<ProviderPayment, ProviderError>;

    /// Charges a saved card without the payer; the same key again returns the
    /// same payment.
    async fn charge_saved(&self, charge: &SavedCharge) -> Result<ProviderPayment, ProviderError>;

    /// Returns money from a payment; the same key again returns the same refund.
    async fn refund(&self, request: &RefundRequest) -> Result<ProviderRefund, ProviderError>;

    /// Reads a refund by the provider's id.
    async fn fetch_refund(&self, id: &str) -> Result<ProviderRefund, ProviderError>;
}
