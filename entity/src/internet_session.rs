//! `internet_session`: one internet session as the network's accounting
//! reported it (the latest report of its session id).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "internet_session")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The network's id of the session.
    #[sea_orm(unique)]
    pub session_id: String,
    pub account_id: i64,
    pub started_at: DateTimeUtc,
    pub ended_at: DateTimeUtc,
    /// The address the session had, canonical text (IPv4 or IPv6).
    pub ip: String,
    /// The device, `AA:BB:CC:DD:EE:FF`.
    pub mac: String,
    pub bytes_in: i64,
    pub bytes_out: i64,
    pub avg_rate_kbps: i64,
    pub peak_rate_kbps: i64,
    /// When the latest report of it arrived.
    pub reported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
