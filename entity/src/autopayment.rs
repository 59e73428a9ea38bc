//! `autopayment`: an account's automatic top-up and the state of the trigger
//! it is serving (claimed by one conditional update, so it is charged once).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "autopayment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    pub enabled: bool,
    /// threshold, day_of_month or before_blocking.
    pub mode: String,
    /// Kopecks to top up by.
    pub amount: i64,
    pub card_id: i64,
    /// Kopecks: top up when the balance falls below.
    pub threshold: Option<i64>,
    pub day_of_month: Option<i32>,
    pub updated_at: DateTimeUtc,
    pub trigger_key: Option<String>,
    pub attempts: i32,
    pub next_retry_at: Option<DateTimeUtc>,
    pub last_attempt_at: Option<DateTimeUtc>,
    /// succeeded, failed.
    pub last_attempt_status: Option<String>,
    pub last_payment_id: Option<i64>,
    /// The scheduled debit the day-before SMS was sent for.
    pub notice_key: Option<String>,
    /// Why it stopped by itself (card_removed).
    pub disabled_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
