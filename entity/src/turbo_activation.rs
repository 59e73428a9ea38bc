//! `turbo_activation`: a speed boost bought by an account, in force from
//! `started_at` until `ends_at` (it ends by itself).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "turbo_activation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub option_id: i64,
    /// The speed bought, Mbit/s.
    pub speed_mbps: i32,
    /// What was charged, kopecks.
    pub price: i64,
    pub started_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
