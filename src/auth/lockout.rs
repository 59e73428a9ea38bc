//! Lockout: after [`MAX_FAILURES`] wrong passwords within [`WINDOW`], a login is
//! locked for [`LOCK`]. Counted per login as typed, known or not, so an unknown
//! login behaves exactly like a known one; sign-in and `changePassword` share
//! the count of a credential's login. Each check is reserved before the hash
//! is computed, so parallel guesses cannot outrun the count.

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

/// Reserves one password check for `login` before the (slow) hash is
/// computed: counted at once, in one atomic upsert, so however many attempts
/// arrive together, at most [`MAX_FAILURES`] are ever checked per window.
/// Returns the lock's end when the login is locked or its checks are used up.
pub async fn reserve(
    db: &impl ConnectionTrait,
    login: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db,
            "INSERT INTO login_failure (login, failures, first_failure_at, locked_until) \
             VALUES ($1, 1, $2, NULL) \
             ON CONFLICT (login) DO UPDATE SET \
               failures = CASE \
                 WHEN login_failure.locked_until > $2 THEN login_failure.failures \
                 WHEN login_failure.locked_until IS NOT NULL OR login_failure.first_failure_at < $3 THEN 1 \
                 ELSE login_failure.failures + 1 END, \
               first_failure_at = CASE \
                 WHEN login_failure.locked_until > $2 THEN login_failure.first_failure_at \
                 WHEN login_failure.locked_until IS NOT NULL OR login_failure.first_failure_at < $3 THEN $2 \
                 ELSE login_failure.first_failure_at END, \
               locked_until = CASE \
                 WHEN login_failure.locked_until > $2 THEN login_failure.locked_until \
                 ELSE NULL END \
             RETURNING failures, first_failure_at, locked_until",
            vec![login.into(), now.into(), (now - WINDOW).into()],
        ))
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let failures: i32 = row.try_get("", "failures")?;
    let first: DateTime<Utc> = row.try_get("", "first_failure_at")?;
    let locked: Option<DateTime<Utc>> = row.try_get("", "locked_until")?;
    if let Some(until) = locked.filter(|until| *until > now) {
        return Ok(Some(until));
    }
    if failures > MAX_FAILURES {
        // The checks of this window are taken by attempts still in flight.
        return Ok(Some((first + WINDOW).max(now + Duration::seconds(1))));
    }
    Ok(None)
}

/// Records that a reserved check failed; returns the lock's end when this
/// failure used up the window's checks.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    login: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    // One conditional update: only the failure that used up the window's
    // checks (and found the login not locked yet) sets the lock.
    let until = now + LOCK;
    let locked = login_failure::Entity::update_many()
        .col_expr(login_failure::Column::LockedUntil, Some(until).into())
        .filter(login_failure::Column::Login.eq(login))
        .filter(login_failure::Column::Failures.gte(MAX_FAILURES))
        .filter(login_failure::Column::LockedUntil.is_null())
        .exec(db)
        .await?;
    Ok((locked.rows_affected > 0).then_some(until))
}

/// Forgets the failures of `login` (after a successful sign-in).
pub async fn clear(db: &impl ConnectionTrait, login: &str) -> Result<(), DbErr> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Login.eq(login))
        .exec(db)
        .await?;
    Ok(())
}
