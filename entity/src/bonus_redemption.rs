//! `bonus_redemption`: an item a subscriber took for points.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bonus_redemption")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub item_id: i64,
    /// Points paid.
    pub points: i64,
    /// A digital product's code.
    pub code: Option<String>,
    /// The first day of the month a discount covers; unique per account.
    pub discount_month: Option<Date>,
    /// The discount, percent of the internet fee.
    pub discount_percent: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
