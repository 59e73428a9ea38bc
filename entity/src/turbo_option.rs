//! `turbo_option`: a speed boost on sale: its speed, hours and one-off price.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "turbo_option")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub code: String,
    /// The speed while it lasts, Mbit/s.
    pub speed_mbps: i32,
    /// How long it lasts.
    pub hours: i32,
    /// The one-off price, kopecks.
    pub price: i64,
    pub sort_order: i32,
    pub active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
