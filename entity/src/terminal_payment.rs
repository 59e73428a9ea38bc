//! `terminal_payment`: a payment through a terminal or bank (OSMP protocol),
//! unique per operator and transaction id.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "terminal_payment")]
pub struct Model {
    /// Our transaction number (`prv_txn`).
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The terminal operator's login.
    pub operator: String,
    /// The operator's transaction id (`txn_id`).
    pub txn_id: String,
    pub account_id: i64,
    /// Kopecks credited.
    pub amount: i64,
    /// When the payer paid, as the operator says.
    pub txn_date: Option<DateTimeUtc>,
    pub ledger_entry_id: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
