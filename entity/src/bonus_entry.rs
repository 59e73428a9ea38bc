//! `bonus_entry`: one change of an account's points, with its reason and
//! where it came from.

use sea_orm::entity::prelude::*;

/// Why points changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum BonusReason {
    #[sea_orm(string_value = "enrolment")]
    Enrolment,
    #[sea_orm(string_value = "monthly_charges")]
    MonthlyCharges,
    #[sea_orm(string_value = "large_payment")]
    LargePayment,
    #[sea_orm(string_value = "referral")]
    Referral,
    #[sea_orm(string_value = "redemption")]
    Redemption,
    #[sea_orm(string_value = "staff")]
    Staff,
    #[sea_orm(string_value = "expiry")]
    Expiry,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bonus_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// Positive earns, negative spends.
    pub points: i64,
    pub reason: BonusReason,
    /// Why, in Russian.
    pub description: String,
    /// What gave the points (a payment, a month, a friend); unique per account.
    pub source: Option<String>,
    /// The ledger entry it came from (a large payment).
    pub ledger_entry_id: Option<i64>,
    /// The redemption that spent it.
    pub redemption_id: Option<i64>,
    /// The operator who granted or took it.
    pub staff_credential_id: Option<i64>,
    pub created_at: DateTimeUtc,
    /// When the points of a credit expire.
    pub expires_at: Option<DateTimeUtc>,
    /// Of a credit: the points not yet spent or expired.
    pub remaining: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
