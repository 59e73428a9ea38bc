//! Lockout: after [`MAX_FAILURES`] wrong passwords within [`WINDOW`], a login is
//! locked for [`LOCK`]. Counted per login as typed, known or not, so an unknown
//! login behaves exactly like a known one.

use chrono::{DateTime, Duration, Utc};
use entity::login_failure;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::db::statement;

/// Wrong passwords that lock a login.
pub const MAX_FAILURES: i32 = 5;
/// The period within which they count.
pub const WINDOW: Duration = Duration::minutes(15);
/// How long the lock lasts.
pub const LOCK: Duration = Duration::minutes(15);

/// Until when `login` is locked, if it is now.
pub async fn locked_until(
    db: &impl ConnectionTrait,
    login: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(login_failure::Entity::find_by_id(login.to_owned())
        .one(db)
        .await?
        .and_then(|row| row.locked_until)
        .filter(|until| *until > now))
}

/// Counts a wrong password; returns the lock's end if this one locked the login.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    login: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    // One atomic upsert, so failures at the same time on several replicas all count.
    let row = db
        .query_one_raw(statement(
            db,
            "INSERT INTO login_failure (login, failures, first_failure_at, locked_until) \
             VALUES ($1, 1, $2, NULL) \
             ON CONFLICT (login) DO UPDATE SET \
               failures = CASE WHEN login_failure.first_failure_at < $3 THEN 1 ELSE login_failure.failures + 1 END, \
               first_failure_at = CASE WHEN login_failure.first_failure_at < $3 THEN $2 ELSE login_failure.first_failure_at END \
             RETURNING failures",
            vec![login.into(), now.into(), (now - WINDOW).into()],
        ))
        .await?;
    let failures: i32 = match row {
        Some(row) => row.try_get("", "failures")?,
        None => 1,
    };
    if failures < MAX_FAILURES {
        return Ok(None);
    }
    let until = now + LOCK;
    login_failure::Entity::update_many()
        .col_expr(login_failure::Column::LockedUntil, Some(until).into())
        .col_expr(login_failure::Column::Failures, 0.into())
        .col_expr(login_failure::Column::FirstFailureAt, until.into())
        .filter(login_failure::Column::Login.eq(login))
        .exec(db)
        .await?;
    Ok(Some(until))
}

/// Forgets the failures of `login` (after a successful sign-in).
pub async fn clear(db: &impl ConnectionTrait, login: &str) -> Result<(), DbErr> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Login.eq(login))
        .exec(db)
        .await?;
    Ok(())
}
