//! `promised_payment`: a credit allowance (обещанный платёж). At most one is
//! active per account (a partial unique index).

use sea_orm::entity::prelude::*;

/// State of a promised payment.
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
pub enum PromiseStatus {
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "settled")]
    Settled,
    #[sea_orm(string_value = "expired")]
    Expired,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "promised_payment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// How far below zero the balance may go, kopecks.
    pub credit: i64,
    /// Payments needed to settle it (one monthly total), kopecks.
    pub settle_amount: i64,
    pub status: PromiseStatus,
    pub activated_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    /// The client's idempotency key, unique per account.
    pub idempotency_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
