//! `account_status_change`: every change of an account's status, with its reason.

use sea_orm::entity::prelude::*;

use crate::account::AccountStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_status_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub from_status: AccountStatus,
    pub to_status: AccountStatus,
    /// Why, in Russian.
    pub reason: String,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
