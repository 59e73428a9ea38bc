//! `ledger_entry`: the append-only money history of an account. The balance is
//! the sum of `amount`; every entry says why it exists.

use sea_orm::entity::prelude::*;

/// Why money moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EntryKind {
    #[sea_orm(string_value = "payment")]
    Payment,
    #[sea_orm(string_value = "charge")]
    Charge,
    #[sea_orm(string_value = "refund")]
    Refund,
    #[sea_orm(string_value = "bonus_discount")]
    BonusDiscount,
    #[sea_orm(string_value = "adjustment")]
    Adjustment,
    #[sea_orm(string_value = "instalment")]
    Instalment,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub kind: EntryKind,
    /// Kopecks: positive credits the account, negative debits it.
    pub amount: i64,
    pub occurred_at: DateTimeUtc,
    /// The Moscow day it belongs to.
    pub moscow_day: Date,
    /// Why, in Russian.
    pub description: String,
    /// The subscription a charge is for.
    pub subscription_id: Option<i64>,
    /// The day a charge is for; unique with `subscription_id`, so a day is charged once.
    pub charge_day: Option<Date>,
    /// The operator who made an adjustment.
    pub staff_credential_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
