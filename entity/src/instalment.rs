//! `instalment`: one monthly payment of something bought in instalments,
//! charged once when due (`charged_at`), as an `instalment` ledger entry.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instalment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// The subscription bought (with its licence).
    pub subscription_id: i64,
    /// 1-based.
    pub number: i32,
    /// How many there are.
    pub of: i32,
    /// The Moscow day it is due.
    pub due_on: Date,
    /// Kopecks.
    pub amount: i64,
    pub charged_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
