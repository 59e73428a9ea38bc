//! `bonus_account`: a subscriber who joined the bonus program, with the points
//! they hold (never below zero: the table checks it).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bonus_account")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    pub points: i64,
    /// The code a friend's connection application carries.
    #[sea_orm(unique)]
    pub referral_code: String,
    pub enrolled_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
