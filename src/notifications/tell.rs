//! Telling one subscriber something, in one place: in the personal account
//! always, by SMS when they want that kind of SMS, by e-mail when they chose
//! e-mail and gave an address. One read of the settings and the account;
//! every message stored in the caller's transaction (the outbox).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};

use super::inbox::{self, NotificationKind};

/// Which SMS setting decides whether the message also goes by SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsTopic {
    /// Billing warnings (`smsBilling`).
    Billing,
    /// Support tickets and visits (`smsSupport`).
    Support,
    /// A new device on the account's internet (`smsSecurity`).
    Security,
}

/// What to tell.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    /// What it is about (the personal account's list).
    pub kind: NotificationKind,
    /// Title, also the e-mail's subject.
    pub title: &'a str,
    /// The text, in Russian.
    pub text: &'a str,
    /// The SMS setting that decides the SMS.
    pub sms: SmsTopic,
}

/// Tells `account_id`; returns whether an SMS was stored (to wake its worker).
pub async fn tell_in(
    tx: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    message: Message<'_>,
) -> Result<bool, DbErr> {
    inbox::add_in(
        tx,
        now,
        account_id,
        message.kind,
        message.title,
        message.text,
    )
    .await?;
    let settings = super::get(tx, account_id).await?;
    let wants_sms = match message.sms {
        SmsTopic::Billing => settings.sms_billing,
        SmsTopic::Support => settings.sms_support,
        SmsTopic::Security => settings.sms_security,
    };
    if !wants_sms && !settings.email {
        return Ok(false);
    }
    let Some(account) = crate::accounts::find_many(tx, &[account_id]).await?.pop() else {
        return Ok(false);
    };
    if settings.email
        && let Some(address) = &account.email
    {
        crate::email::enqueue(tx, now, address, message.title, message.text).await?;
    }
    if wants_sms {
        crate::sms::enqueue(
            tx,
            now,
            &account.phone,
            format!("Kabinet: {}", message.text),
        )
        .await?;
    }
    Ok(wants_sms)
}
