//! `service_notice`: announcements shown to everyone (planned works, outages).

use sea_orm::entity::prelude::*;

/// What kind of announcement a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum NoticeKind {
    #[sea_orm(string_value = "planned_works")]
    PlannedWorks,
    #[sea_orm(string_value = "outage")]
    Outage,
    #[sea_orm(string_value = "info")]
    Info,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_notice")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: NoticeKind,
    pub title: String,
    pub body: String,
    pub starts_at: DateTimeUtc,
    /// `None`: until further notice.
    pub ends_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
