//! Query cost budgets: each caller (a session, else an address) has a leaky
//! bucket of cost points that empties at `per_minute` points a minute. A
//! request is admitted when its requested cost fits in what is left, and is
//! then charged that cost. The bucket is a database row, so every replica
//! sees the same one; admission and charge are one conditional upsert.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};

use crate::db::statement;

/// Requests that cost at most this are not metered (`{ __typename }`, a
/// health probe): metering them would cost more than serving them.
pub const FREE_UP_TO: u64 = 1;

/// Read-only requests that cost at most this are metered while they run,
/// not before: the metering round trip leaves the path of the everyday
/// screens, and an over-budget caller still gets `RATE_LIMITED` and no data.
/// What costs more, and every mutation and subscription, waits for
/// admission first, so a spent budget stops expensive work before it starts.
pub const OVERLAP_UP_TO: u64 = 1_000;

/// A caller's budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Points that may be spent in a minute (also the bucket's size).
    pub per_minute: u64,
}

/// What metering a request found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metered {
    /// Whether the request was admitted (and charged).
    pub admitted: bool,
    /// Points left in the bucket after it.
    pub remaining: u64,
    /// When a refused request would fit.
    pub retry_at: Option<DateTime<Utc>>,
}

impl Budget {
    /// Millipoints that leak per millisecond (`per_minute` points a minute).
    fn leak_per_ms(self) -> i64 {
        (i64::try_from(self.per_minute).unwrap_or(i64::MAX) / 60).max(1)
    }

    fn size(self) -> i64 {
        i64::try_from(self.per_minute)
            .unwrap_or(i64::MAX / 1000)
            .saturating_mul(1000)
    }

    /// Admits and charges `cost` points to `caller`, or refuses it.
    pub async fn meter(
        self,
        db: &impl ConnectionTrait,
        now: DateTime<Utc>,
        caller: &str,
        cost: u64,
    ) -> Result<Metered, DbErr> {
        let cost_milli = i64::try_from(cost)
            .unwrap_or(i64::MAX / 1000)
            .saturating_mul(1000);
        let now_ms = now.timestamp_millis();
        // The level after leaking since the last request; then the request
        // is added only if it fits. Integers only: both databases agree. The
        // time leaked is capped at the minute that empties a full bucket (no
        // overflow after a long idle) and never negative (a clock set back).
        let elapsed = "(CASE WHEN $3 - cost_bucket.updated_ms > 60000 THEN 60000 \
                       WHEN $3 > cost_bucket.updated_ms THEN $3 - cost_bucket.updated_ms ELSE 0 END)";
        let leaked = format!(
            "(CASE WHEN cost_bucket.level - {elapsed} * $4 > 0 \
             THEN cost_bucket.level - {elapsed} * $4 ELSE 0 END)"
        );
        let sql = format!(
            "INSERT INTO cost_bucket (caller, level, updated_ms, admitted) \
             VALUES ($1, $2, $3, $2 <= $5) \
             ON CONFLICT (caller) DO UPDATE SET \
             admitted = {leaked} + $2 <= $5, \
             level = CASE WHEN {leaked} + $2 <= $5 THEN {leaked} + $2 ELSE {leaked} END, \
             updated_ms = $3 \
             RETURNING level, admitted"
        );
        let row = db
            .query_one_raw(statement(
                db,
                &sql,
                vec![
                    caller.into(),
                    cost_milli.into(),
                    now_ms.into(),
                    self.leak_per_ms().into(),
                    self.size().into(),
                ],
            ))
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("cost_bucket".into()))?;
        let level: i64 = row.try_get("", "level")?;
        let admitted: bool = row.try_get("", "admitted")?;
        let remaining = u64::try_from((self.size() - level).max(0) / 1000).unwrap_or(0);
        let retry_at = (!admitted).then(|| {
            let over = (level + cost_milli - self.size()).max(0);
            now + chrono::Duration::milliseconds(over / self.leak_per_ms() + 1)
        });
        Ok(Metered {
            admitted,
            remaining,
            retry_at,
        })
    }
}

/// Forgets buckets idle for an hour (they are empty by then).
pub async fn forget_idle(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let result = db
        .execute_raw(statement(
            db,
            "DELETE FROM cost_bucket WHERE updated_ms < $1",
            vec![(now.timestamp_millis() - 3_600_000).into()],
        ))
        .await?;
    Ok(result.rows_affected())
}
