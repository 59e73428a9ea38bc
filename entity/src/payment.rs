//! `payment`: a top-up through a payment provider, from the reservation to its
//! final status; a success points at the ledger entry that credited it.

use sea_orm::entity::prelude::*;

/// Where a payment stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PaymentStatus {
    /// Reserved here; the provider has not answered yet.
    #[sea_orm(string_value = "new")]
    New,
    /// Waiting for the payer at the provider.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Paid and credited.
    #[sea_orm(string_value = "succeeded")]
    Succeeded,
    /// Declined or cancelled at the provider.
    #[sea_orm(string_value = "canceled")]
    Canceled,
    /// Never confirmed in time.
    #[sea_orm(string_value = "expired")]
    Expired,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// Kopecks credited to the account.
    pub amount: i64,
    /// Kopecks the payer pays on top.
    pub commission: i64,
    pub method: String,
    pub status: PaymentStatus,
    pub provider: String,
    /// Our key at the provider (its idempotence key and metadata).
    pub provider_key: String,
    pub provider_payment_id: Option<String>,
    pub confirmation_url: Option<String>,
    pub return_url: String,
    pub save_card: bool,
    /// Paid by account number without signing in.
    pub anonymous: bool,
    pub idempotency_key: Option<String>,
    pub request_hash: String,
    pub ledger_entry_id: Option<i64>,
    pub cancel_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
