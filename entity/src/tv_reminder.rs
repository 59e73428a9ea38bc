//! `tv_reminder`: an airing of a favourite, announced to the subscriber two days ahead.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tv_reminder")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// The airing when announced (a re-import may replace the row).
    pub programme_id: i64,
    pub channel_id: i64,
    pub starts_at: DateTimeUtc,
    pub title_key: String,
    pub title: String,
    /// Whether an SMS was queued (the subscriber had TV SMS on).
    pub sms_queued: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
