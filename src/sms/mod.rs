//! SMS through an outbox: a message is stored in the same transaction as the
//! change that caused it, then a worker delivers it and marks it sent,
//! retrying with backoff when the gateway fails. Nothing is lost if the process
//! dies in between; a message whose worker died is taken again when its lease ends.

mod sender;

pub use sender::{FileSender, SendError, SmsSender};

use chrono::{DateTime, Duration, Utc};
use entity::sms_outbox;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::accounts::Phone;
use crate::db::statement;

/// How long a worker holds a claimed message before another may take it.
const LEASE: Duration = Duration::minutes(2);
/// Longest wait between attempts.
const MAX_BACKOFF: Duration = Duration::hours(1);

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

/// Claims up to `batch` due messages with a lease. On PostgreSQL rows another
/// replica is claiming are skipped (`FOR UPDATE SKIP LOCKED`); SQLite has a
/// single writer, so the update itself is the claim.
async fn claim(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    batch: u64,
) -> Result<Vec<Sms>, DbErr> {
    let lock = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => " FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    let sql = format!(
        "UPDATE sms_outbox SET locked_until = $1, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM sms_outbox \
           WHERE sent_at IS NULL AND next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until <= $2) \
           ORDER BY id LIMIT $3{lock}) \
         RETURNING id, to_phone, text, created_at, attempts"
    );
    let rows = db
        .query_all_raw(statement(
            db,
            &sql,
            vec![(now + LEASE).into(), now.into(), (batch as i64).into()],
        ))
        .await?;
    let mut claimed = rows
        .into_iter()
        .map(|row| {
            Ok(Sms {
                id: row.try_get("", "id")?,
                to: row.try_get("", "to_phone")?,
                text: row.try_get("", "text")?,
                created_at: row.try_get("", "created_at")?,
                attempt: row.try_get("", "attempts")?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    claimed.sort_by_key(|sms| sms.id);
    Ok(claimed)
}

fn backoff(attempt: i32) -> Duration {
    let exponent = attempt.clamp(1, 12) as u32 - 1;
    (Duration::seconds(5) * 2_i32.pow(exponent)).min(MAX_BACKOFF)
}

/// Delivers the messages that are due; returns how many were sent.
pub async fn deliver_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    sender: &dyn SmsSender,
    batch: u64,
) -> Result<usize, DbErr> {
    let mut sent = 0;
    for sms in claim(db, now, batch).await? {
        let mut update = sms_outbox::Entity::update_many()
            .col_expr(
                sms_outbox::Column::LockedUntil,
                Option::<DateTime<Utc>>::None.into(),
            )
            .filter(sms_outbox::Column::Id.eq(sms.id));
        match sender.send(&sms).await {
            Ok(()) => {
                sent += 1;
                update = update
                    .col_expr(sms_outbox::Column::SentAt, Some(now).into())
                    .col_expr(sms_outbox::Column::LastError, Option::<String>::None.into());
            }
            Err(err) => {
                // The error names the failure, never the text (it may hold a password).
                tracing::warn!(sms_id = sms.id, attempt = sms.attempt, error = %err, "SMS delivery failed; will retry");
                update = update
                    .col_expr(
                        sms_outbox::Column::NextAttemptAt,
                        (now + backoff(sms.attempt)).into(),
                    )
                    .col_expr(sms_outbox::Column::LastError, Some(err.to_string()).into());
            }
        }
        update.exec(db).await?;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(5));
        assert_eq!(backoff(2), Duration::seconds(10));
        assert_eq!(backoff(5), Duration::seconds(80));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}

/// Wakes the SMS worker at once (after a message was stored), instead of at its next poll.
#[derive(Debug, Clone, Default)]
pub struct SmsWake(pub std::sync::Arc<tokio::sync::Notify>);
