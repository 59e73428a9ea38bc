//! The outbox both SMS and e-mail go through: a message is stored in the
//! transaction of the change that caused it; a worker claims due messages
//! with a lease (on PostgreSQL skipping rows another replica is claiming),
//! hands each to its gateway, and marks it sent or sets its next attempt with
//! a backoff doubling up to an hour. Nothing is lost if a process dies in
//! between: a message whose worker died is taken again when its lease ends.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};

use crate::db::statement;

/// How long a worker holds a claimed message before another may take it.
const LEASE: Duration = Duration::minutes(2);
/// Longest wait between attempts.
pub const MAX_BACKOFF: Duration = Duration::hours(1);

/// An outbox table: its name and the message columns a claim returns.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// The table (a constant of ours, never input).
    pub name: &'static str,
    /// The message's own columns, comma-separated.
    pub columns: &'static str,
}

/// The wait before attempt `attempt + 1`.
pub fn backoff(attempt: i32) -> Duration {
    let exponent = attempt.clamp(1, 12) as u32 - 1;
    (Duration::seconds(5) * 2_i32.pow(exponent)).min(MAX_BACKOFF)
}

/// Claims up to `batch` due messages (oldest first), counting the attempt.
/// Each row has `id`, `attempts` and the table's columns.
pub async fn claim(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    table: Table,
    batch: u64,
) -> Result<Vec<QueryResult>, DbErr> {
    let lock = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => " FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    let sql = format!(
        "UPDATE {t} SET locked_until = $1, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM {t} \
           WHERE sent_at IS NULL AND next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until <= $2) \
           ORDER BY id LIMIT $3{lock}) \
         RETURNING id, attempts, {c}",
        t = table.name,
        c = table.columns,
    );
    let mut rows = db
        .query_all_raw(statement(
            db,
            &sql,
            vec![(now + LEASE).into(), now.into(), (batch as i64).into()],
        ))
        .await?;
    rows.sort_by_key(|r| r.try_get::<i64>("", "id").unwrap_or_default());
    Ok(rows)
}

/// Records how an attempt went: sent, or failed (`error` names the failure,
/// never the message) and due again after the backoff.
pub async fn settle(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    table: Table,
    id: i64,
    attempt: i32,
    error: Option<String>,
) -> Result<(), DbErr> {
    let sql = match error {
        None => format!(
            "UPDATE {} SET locked_until = NULL, sent_at = $1, last_error = NULL WHERE id = $2",
            table.name
        ),
        Some(_) => format!(
            "UPDATE {} SET locked_until = NULL, next_attempt_at = $1, last_error = $3 WHERE id = $2",
            table.name
        ),
    };
    let mut values: Vec<sea_orm::Value> = vec![
        match error {
            None => now,
            Some(_) => now + backoff(attempt),
        }
        .into(),
        id.into(),
    ];
    if let Some(error) = error {
        values.push(error.into());
    }
    db.execute_raw(statement(db, &sql, values)).await?;
    Ok(())
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
