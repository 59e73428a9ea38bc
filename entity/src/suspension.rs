//! `suspension`: a voluntary suspension of an account's services for days the
//! subscriber picked (Moscow days, inclusive). At most one is scheduled or in
//! force per account (a partial unique index).

use sea_orm::entity::prelude::*;

/// Where a suspension stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SuspensionStatus {
    /// Asked for; starts at 00:00 Moscow time of its first day.
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    /// In force: the account is suspended.
    #[sea_orm(string_value = "active")]
    Active,
    /// Over (at its end or resumed early).
    #[sea_orm(string_value = "ended")]
    Ended,
    /// Withdrawn before it started.
    #[sea_orm(string_value = "canceled")]
    Canceled,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "suspension")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// First Moscow day suspended.
    pub starts_on: Date,
    /// Last Moscow day suspended (moved to the resume day on an early resume).
    pub ends_on: Date,
    pub status: SuspensionStatus,
    /// The fee for each suspended day, kopecks (as shown when asked for).
    pub daily_fee: i64,
    /// What was charged for it (net of any refund for unused days), kopecks.
    pub fee_charged: i64,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
