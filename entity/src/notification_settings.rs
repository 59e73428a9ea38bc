//! `notification_settings`: what a subscriber wants to be told, and how.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    pub sms_news: bool,
    pub sms_billing: bool,
    pub sms_tv: bool,
    /// Replies and changes of one's support tickets and visits.
    pub sms_support: bool,
    pub email: bool,
    /// "New device" alerts by SMS.
    pub sms_security: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
