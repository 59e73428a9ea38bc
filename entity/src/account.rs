//! `account`: a subscriber's personal account (лицевой счёт) and its contract.

use sea_orm::entity::prelude::*;

/// Life-cycle state of an account; stored as a short string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AccountStatus {
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "blocked")]
    Blocked,
    #[sea_orm(string_value = "suspended")]
    Suspended,
    #[sea_orm(string_value = "closed")]
    Closed,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// 12-digit account number, unique.
    #[sea_orm(unique)]
    pub number: String,
    pub contract_number: String,
    pub contract_date: Date,
    pub holder_name: String,
    /// The contract's mobile phone, E.164 (`+7XXXXXXXXXX`).
    pub phone: String,
    pub email: Option<String>,
    pub address: String,
    /// Hash of the codeword; the codeword itself is never stored or shown.
    pub codeword_hash: Option<String>,
    pub status: AccountStatus,
    pub created_at: DateTimeUtc,
    /// Cached sum of the account's ledger, in kopecks; updated in the same
    /// transaction as every ledger entry.
    pub balance: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
