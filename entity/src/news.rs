//! `news`: staff news and how far its broadcast has got.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "news")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub body: String,
    pub created_at: DateTimeUtc,
    pub staff_credential_id: i64,
    /// Every account with an id up to this has been told.
    pub done_through: i64,
    /// Accounts told in the personal account.
    pub recipients: i64,
    /// SMS stored in the outbox (news SMS on).
    pub sms_queued: i64,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
