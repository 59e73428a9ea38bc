//! Rate limits as fixed-window counters in the database, so they hold across
//! replicas: one upsert per hit.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbErr};

use crate::db::statement;

/// A limit: at most `max` hits per `window` for one subject.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// What is limited; part of the key.
    pub name: &'static str,
    /// Hits allowed per window.
    pub max: i32,
    /// Window length.
    pub window: Duration,
}

/// A hit over the limit.
#[derive(Debug, thiserror::Error)]
pub enum RateLimitError {
    /// Too many hits in this window.
    #[error("rate limited until {retry_at}")]
    Limited {
        /// When the next window starts.
        retry_at: DateTime<Utc>,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Counts a hit of `subject` against `limit`, refusing it past the limit.
pub async fn hit(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: &Limit,
    subject: &str,
) -> Result<(), RateLimitError> {
    let window = limit.window.num_seconds().max(1);
    let start_secs = now.timestamp().div_euclid(window) * window;
    let window_start = DateTime::<Utc>::from_timestamp(start_secs, 0).unwrap_or(now);
    let key = format!("{}:{}", limit.name, subject);
    let row = db
        .query_one_raw(statement(
            db,
            "INSERT INTO rate_limit (key, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit.hits + 1 \
             RETURNING hits",
            vec![key.into(), window_start.into()],
        ))
        .await?;
    let hits: i32 = match row {
        Some(row) => row.try_get("", "hits")?,
        None => 1,
    };
    if hits > limit.max {
        Err(RateLimitError::Limited {
            retry_at: window_start + Duration::seconds(window),
        })
    } else {
        Ok(())
    }
}

/// Forgets windows that ended before `now` (housekeeping).
pub async fn forget_old(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let result = db
        .execute_raw(statement(
            db,
            "DELETE FROM rate_limit WHERE window_start < $1",
            vec![(now - Duration::days(1)).into()],
        ))
        .await?;
    Ok(result.rows_affected())
}
