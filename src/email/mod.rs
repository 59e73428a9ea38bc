//! E-mail through the outbox (`crate::outbox`), for subscribers who switched
//! e-mail on and have an address on the contract: stored in the transaction of
//! what it tells, delivered by a worker through SMTP (`KABINET_SMTP_URL`) or,
//! without one, the development file sender.

mod sender;

pub use sender::{EmailSender, FileSender, SendError, SmtpSender};

use chrono::{DateTime, Utc};
use entity::email_outbox;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};

use crate::outbox::{self, Table};

/// A message to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// Outbox id.
    pub id: i64,
    /// Recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// This attempt's number.
    pub attempt: i32,
}

const TABLE: Table = Table {
    name: "email_outbox",
    columns: "to_address, subject, text, created_at",
};

fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Stores an e-mail; call inside the transaction of the change.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    to: &str,
    subject: &str,
    text: &str,
) -> Result<(), DbErr> {
    email_outbox::Entity::insert(email_outbox::ActiveModel {
        to_address: Set(cut(to, 254)),
        subject: Set(cut(subject, 200)),
        text: Set(cut(text, 4000)),
        created_at: Set(now),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        sent_at: Set(None),
        last_error: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Delivers the e-mails that are due; returns how many were sent.
pub async fn deliver_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    sender: &dyn EmailSender,
    batch: u64,
) -> Result<usize, DbErr> {
    let mut sent = 0;
    for row in outbox::claim(db, now, TABLE, batch).await? {
        let email = Email {
            id: row.try_get("", "id")?,
            to: row.try_get("", "to_address")?,
            subject: row.try_get("", "subject")?,
            text: row.try_get("", "text")?,
            created_at: row.try_get("", "created_at")?,
            attempt: row.try_get("", "attempts")?,
        };
        let error = match sender.send(&email).await {
            Ok(()) => {
                sent += 1;
                None
            }
            Err(err) => {
                tracing::warn!(email_id = email.id, attempt = email.attempt, error = %err, "e-mail delivery failed; will retry");
                Some(cut(&err.to_string(), 300))
            }
        };
        outbox::settle(db, now, TABLE, email.id, email.attempt, error).await?;
    }
    Ok(sent)
}
