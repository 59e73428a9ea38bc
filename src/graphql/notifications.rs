//! GraphQL face of notification settings.

use async_graphql::{Context, InputObject, Object, SimpleObject};

use super::context::ContextExt;
use super::errors::{ApiError, UserError, UserErrorCode};
use super::scalars::DateTime;
use crate::notifications::{self, UpdateError};

/// What the subscriber wants to be told, and how.
#[derive(Debug, Clone, SimpleObject)]
pub struct NotificationSettings {
    /// News and offers by SMS.
    pub sms_news: bool,
    /// Billing warnings (days until blocking) by SMS.
    pub sms_billing: bool,
    /// TV reminders of favourites by SMS.
    pub sms_tv: bool,
    /// Replies to and changes of the subscriber's support tickets and
    /// technician visits by SMS (on until switched off).
    pub sms_support: bool,
    /// "New device on your internet" alerts by SMS (off until switched on;
    /// the alert is always in `notifications`).
    pub sms_security: bool,
    /// E-mail copies to the contract's e-mail.
    pub email: bool,
    /// Last change; null while the defaults apply.
    pub updated_at: Option<DateTime>,
}

impl From<notifications::Settings> for NotificationSettings {
    fn from(s: notifications::Settings) -> Self {
        NotificationSettings {
            sms_news: s.sms_news,
            sms_billing: s.sms_billing,
            sms_tv: s.sms_tv,
            sms_support: s.sms_support,
            sms_security: s.sms_security,
            email: s.email,
            updated_at: s.updated_at.map(DateTime),
        }
    }
}

/// Input of `updateNotificationSettings`: omitted fields keep their value.
#[derive(Debug, InputObject)]
pub struct UpdateNotificationSettingsInput {
    /// News and offers by SMS.
    pub sms_news: Option<bool>,
    /// Billing warnings by SMS.
    pub sms_billing: Option<bool>,
    /// TV reminders by SMS.
    pub sms_tv: Option<bool>,
    /// Support ticket and visit updates by SMS.
    pub sms_support: Option<bool>,
    /// New-device alerts by SMS.
    pub sms_security: Option<bool>,
    /// E-mail copies (needs an e-mail in the contract).
    pub email: Option<bool>,
}

/// Result of `updateNotificationSettings`.
#[derive(Debug, SimpleObject)]
pub struct UpdateNotificationSettingsPayload {
    /// The settings now in force.
    pub notification_settings: Option<NotificationSettings>,
    /// `REQUIRED` when e-mail is asked for but the contract has none.
    pub user_errors: Vec<UserError>,
}

/// The settings of an account (for `Account.notificationSettings`).
pub(super) async fn of(
    ctx: &Context<'_>,
    account_id: i64,
) -> Result<NotificationSettings, ApiError> {
    Ok(notifications::get(ctx.db(), account_id).await?.into())
}

/// Notification mutations of a subscriber.
#[derive(Default)]
pub struct NotificationsMutation;

#[Object]
impl NotificationsMutation {
    /// Changes which notifications the subscriber gets.
    async fn update_notification_settings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The choices to change.")] input: UpdateNotificationSettingsInput,
    ) -> Result<UpdateNotificationSettingsPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let change = notifications::Change {
            sms_news: input.sms_news,
            sms_billing: input.sms_billing,
            sms_tv: input.sms_tv,
            sms_support: input.sms_support,
            sms_security: input.sms_security,
            email: input.email,
        };
        match notifications::update(ctx.db(), ctx.clock().now(), account_id, change).await {
            Ok(settings) => Ok(UpdateNotificationSettingsPayload {
                notification_settings: Some(settings.into()),
                user_errors: Vec::new(),
            }),
            Err(UpdateError::NoEmailAddress) => Ok(UpdateNotificationSettingsPayload {
                notification_settings: None,
                user_errors: vec![UserError::at(
                    &["input", "email"],
                    UserErrorCode::Required,
                    "В договоре нет e-mail: добавьте его, чтобы получать письма",
                )],
            }),
            Err(UpdateError::Db(e)) => Err(e.into()),
        }
    }
}
