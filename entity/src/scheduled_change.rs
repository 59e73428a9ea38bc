//! `scheduled_change`: a service connected or disconnected, or the tariff
//! changed, at the next Moscow midnight. The subscription rows it makes or
//! ends are written when it is requested (so charges ahead and days until
//! blocking already count it); applying it marks it done and charges what is
//! charged once, exactly once; cancelling it before midnight undoes the rows.

use sea_orm::entity::prelude::*;

/// What the change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ChangeKind {
    #[sea_orm(string_value = "connect")]
    Connect,
    #[sea_orm(string_value = "disconnect")]
    Disconnect,
    #[sea_orm(string_value = "tariff")]
    Tariff,
}

/// Where the change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ChangeStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "applied")]
    Applied,
    #[sea_orm(string_value = "canceled")]
    Canceled,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scheduled_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub kind: ChangeKind,
    /// The item connected (connect, tariff) or disconnected (disconnect).
    pub catalog_item_id: i64,
    /// The subscription it ends (disconnect, tariff).
    pub ends_subscription_id: Option<i64>,
    /// The subscription it starts (connect, tariff).
    pub new_subscription_id: Option<i64>,
    /// The Moscow day it was asked for.
    pub requested_on: Date,
    /// The Moscow day it takes effect (at 00:00).
    pub effective_on: Date,
    pub status: ChangeStatus,
    /// The monthly total it leads to, kopecks (as previewed).
    pub monthly_total_after: i64,
    /// What it charges once when it takes effect, kopecks.
    pub one_off_total: i64,
    pub created_at: DateTimeUtc,
    pub applied_at: Option<DateTimeUtc>,
    pub canceled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
