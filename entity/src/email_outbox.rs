//! `email_outbox`: e-mail stored first (in the transaction that caused it),
//! sent after by a worker, retried with backoff until sent.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub text: String,
    pub created_at: DateTimeUtc,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// Not to be tried before this instant.
    pub next_attempt_at: DateTimeUtc,
    /// A worker holds the message until this instant.
    pub locked_until: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    /// The last failure, without the message text.
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
