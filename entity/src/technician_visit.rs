//! `technician_visit`: a technician asked for, within a ticket.

use sea_orm::entity::prelude::*;

/// Where a visit stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum VisitStatus {
    #[sea_orm(string_value = "requested")]
    Requested,
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    #[sea_orm(string_value = "done")]
    Done,
    #[sea_orm(string_value = "canceled")]
    Canceled,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "technician_visit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ticket_id: i64,
    pub account_id: i64,
    pub reason: String,
    /// Window starts the subscriber prefers, RFC 3339, comma-separated.
    pub preferred_windows: String,
    pub status: VisitStatus,
    /// The scheduled window's start.
    pub slot_start: Option<DateTimeUtc>,
    /// The seat taken in that window (unique with it: the window's capacity).
    pub seat: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
