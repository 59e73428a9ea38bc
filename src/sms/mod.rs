//! SMS through the outbox (`crate::outbox`): stored in the transaction of the
//! change that caused it, delivered by a worker, retried with backoff.

mod sender;

pub use sender::{FileSender, SendError, SmsSender};

use chrono::{DateTime, Utc};
use entity::sms_outbox;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};

use crate::accounts::Phone;
use crate::outbox::{self, Table};

/// A message to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    /// Outbox id.
    pub id: i64,
    /// Recipient, E.164.
    pub to: String,
    /// Text.
    pub text: String,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// This attempt's number (1 for the first).
    pub attempt: i32,
}

/// Stores a message for delivery; call inside the transaction of the change.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    to: &Phone,
    text: String,
) -> Result<i64, DbErr> {
    let row = sms_outbox::ActiveModel {
        to_phone: Set(to.as_str().to_owned()),
        text: Set(text),
        created_at: Set(now),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        sent_at: Set(None),
        last_error: Set(None),
        ..Default::default()
    };
    Ok(sms_outbox::Entity::insert(row)
        .exec_with_returning(db)
        .await?
        .id)
}

/// The SMS outbox for `crate::outbox`.
const TABLE: Table = Table {
    name: "sms_outbox",
    columns: "to_phone, text, created_at",
};

/// Delivers the messages that are due; returns how many were sent.
pub async fn deliver_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    sender: &dyn SmsSender,
    batch: u64,
) -> Result<usize, DbErr> {
    let mut sent = 0;
    for row in outbox::claim(db, now, TABLE, batch).await? {
        let sms = Sms {
            id: row.try_get("", "id")?,
            to: row.try_get("", "to_phone")?,
            text: row.try_get("", "text")?,
            created_at: row.try_get("", "created_at")?,
            attempt: row.try_get("", "attempts")?,
        };
        let error = match sender.send(&sms).await {
            Ok(()) => {
                sent += 1;
                None
            }
            Err(err) => {
                // The error names the failure, never the text (it may hold a password).
                tracing::warn!(sms_id = sms.id, attempt = sms.attempt, error = %err, "SMS delivery failed; will retry");
                Some(err.to_string())
            }
        };
        outbox::settle(db, now, TABLE, sms.id, sms.attempt, error).await?;
    }
    Ok(sent)
}

/// Wakes the SMS worker at once (after a message was stored), instead of at its next poll.
#[derive(Debug, Clone, Default)]
pub struct SmsWake(pub std::sync::Arc<tokio::sync::Notify>);
