//! `refund`: money returned from a payment by an operator, through the
//! provider; the ledger entry is written once the provider confirms.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refund")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub payment_id: i64,
    pub account_id: i64,
    /// Kopecks returned.
    pub amount: i64,
    pub reason: String,
    /// pending, succeeded, canceled.
    pub status: String,
    pub provider: String,
    /// Our idempotence key at the provider.
    pub provider_key: String,
    pub provider_refund_id: Option<String>,
    pub staff_credential_id: i64,
    pub ledger_entry_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
