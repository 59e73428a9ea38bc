//! Notification settings: which SMS a subscriber wants (news, billing warnings,
//! TV reminders, support, new devices) and whether to get e-mail too.

pub mod inbox;
pub mod news;
pub mod tell;
pub mod warnings;

use chrono::{DateTime, Utc};
use entity::notification_settings;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, sea_query::OnConflict};

/// A subscriber's choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// News and offers by SMS.
    pub sms_news: bool,
    /// Billing warnings (days until blocking) by SMS.
    pub sms_billing: bool,
    /// TV reminders by SMS.
    pub sms_tv: bool,
    /// Support ticket and visit updates by SMS.
    pub sms_support: bool,
    /// "New device on your internet" alerts by SMS.
    pub sms_security: bool,
    /// E-mail copies.
    pub email: bool,
    /// Last change, if any.
    pub updated_at: Option<DateTime<Utc>>,
}

impl Default for Settings {
    /// Until the subscriber chooses: billing warnings, which protect their
    /// service, and answers to their own support requests; nothing promotional.
    fn default() -> Self {
        Settings {
            sms_news: false,
            sms_billing: true,
            sms_tv: false,
            sms_support: true,
            sms_security: false,
            email: false,
            updated_at: None,
        }
    }
}

/// A partial change: `None` keeps the current choice.
#[derive(Debug, Clone, Copy, Default)]
pub struct Change {
    /// News by SMS.
    pub sms_news: Option<bool>,
    /// Billing warnings by SMS.
    pub sms_billing: Option<bool>,
    /// TV reminders by SMS.
    pub sms_tv: Option<bool>,
    /// Support updates by SMS.
    pub sms_support: Option<bool>,
    /// New-device alerts by SMS.
    pub sms_security: Option<bool>,
    /// E-mail copies.
    pub email: Option<bool>,
}

/// The settings of `account_id` (the defaults until changed).
pub async fn get(db: &impl ConnectionTrait, account_id: i64) -> Result<Settings, DbErr> {
    Ok(notification_settings::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .map(|row| Settings {
            sms_news: row.sms_news,
            sms_billing: row.sms_billing,
            sms_tv: row.sms_tv,
            sms_support: row.sms_support,
            sms_security: row.sms_security,
            email: row.email,
            updated_at: Some(row.updated_at),
        })
        .unwrap_or_default())
}

/// Why the settings were not changed.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// E-mail asked for, but the contract has no address to send to.
    #[error("the contract has no e-mail address")]
    NoEmailAddress,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Applies `change` and returns the result. E-mail can only be switched on
/// when the contract has an address.
pub async fn update(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    change: Change,
) -> Result<Settings, UpdateError> {
    if change.email == Some(true) {
        let account = crate::accounts::find_many(db, &[account_id]).await?.pop();
        if account.and_then(|a| a.email).is_none() {
            return Err(UpdateError::NoEmailAddress);
        }
    }
    let current = get(db, account_id).await?;
    let next = Settings {
        sms_news: change.sms_news.unwrap_or(current.sms_news),
        sms_billing: change.sms_billing.unwrap_or(current.sms_billing),
        sms_tv: change.sms_tv.unwrap_or(current.sms_tv),
        sms_support: change.sms_support.unwrap_or(current.sms_support),
        sms_security: change.sms_security.unwrap_or(current.sms_security),
        email: change.email.unwrap_or(current.email),
        updated_at: Some(now),
    };
    use notification_settings::Column;
    notification_settings::Entity::insert(notification_settings::ActiveModel {
        account_id: Set(account_id),
        sms_news: Set(next.sms_news),
        sms_billing: Set(next.sms_billing),
        sms_tv: Set(next.sms_tv),
        sms_support: Set(next.sms_support),
        sms_security: Set(next.sms_security),
        email: Set(next.email),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(Column::AccountId)
            .update_columns([
                Column::SmsNews,
                Column::SmsBilling,
                Column::SmsTv,
                Column::SmsSupport,
                Column::SmsSecurity,
                Column::Email,
                Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(next)
}
