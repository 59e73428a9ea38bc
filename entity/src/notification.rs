//! `notification`: something told to a subscriber in the personal account.

use sea_orm::entity::prelude::*;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum NotificationKind {
    #[sea_orm(string_value = "billing_warning")]
    BillingWarning,
    #[sea_orm(string_value = "news")]
    News,
    #[sea_orm(string_value = "ticket")]
    Ticket,
    #[sea_orm(string_value = "new_device")]
    NewDevice,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
