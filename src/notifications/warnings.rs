//! Billing warnings: when the days until blocking fall to a configured
//! threshold (3 and 1 by default) the subscriber is told by SMS (if billing
//! SMS are on) and in the personal account — once per crossing: the lowest
//! threshold warned is remembered, and forgotten only when the account is
//! above every threshold again (after a top-up), so falling again warns again.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

use super::inbox::NotificationKind;
use crate::db::statement;

/// The threshold an account with `days` left falls to, if any: the lowest
/// threshold at or above `days` (thresholds in any order).
pub fn level(days: u32, thresholds: &[u32]) -> Option<u32> {
    thresholds.iter().copied().filter(|t| days <= *t).min()
}

/// What to do for an account: warn at a new level, forget the last one, or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Tell the subscriber: the days fell to this threshold.
    Warn(u32),
    /// Above every threshold: forget what was warned.
    Reset,
    /// Nothing new.
    Keep,
}

/// The rule, given the days left (None: nothing is charged) and the level last warned.
pub fn step(days: Option<u32>, thresholds: &[u32], warned: Option<u32>) -> Step {
    let Some(days) = days else {
        return if warned.is_some() {
            Step::Reset
        } else {
            Step::Keep
        };
    };
    match (level(days, thresholds), warned) {
        (Some(now), Some(before)) if now < before => Step::Warn(now),
        (Some(now), None) => Step::Warn(now),
        (Some(_), Some(_)) => Step::Keep,
        (None, Some(_)) => Step::Reset,
        (None, None) => Step::Keep,
    }
}

fn text(days: u32) -> String {
    let word = match days {
        1 => "день",
        2..=4 => "дня",
        _ => "дней",
    };
    format!("баланса хватит на {days} {word}. Пополните счёт, чтобы услуги не заблокировались.")
}

async fn warned(db: &impl ConnectionTrait, account_id: i64) -> Result<Option<u32>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db,
            "SELECT level FROM billing_warning WHERE account_id = $1",
            vec![account_id.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => Some(u32::try_from(row.try_get::<i32>("", "level")?).unwrap_or(0)),
        None => None,
    })
}

/// Looks at these accounts (after a billing day) and warns those that fell
/// to a threshold. Returns how many were warned.
pub async fn evaluate(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_ids: &[i64],
    thresholds: &[u32],
) -> Result<usize, DbErr> {
    if thresholds.is_empty() {
        return Ok(0);
    }
    let mut told = 0;
    for account_id in account_ids {
        let summary = crate::billing::summary(db, now, *account_id).await?;
        let before = warned(db, *account_id).await?;
        match step(summary.days_until_block, thresholds, before) {
            Step::Keep => {}
            Step::Reset => {
                db.execute_raw(statement(
                    db,
                    "DELETE FROM billing_warning WHERE account_id = $1",
                    vec![(*account_id).into()],
                ))
                .await?;
            }
            Step::Warn(level) => {
                let tx = crate::db::begin_write(db).await?;
                // The level moves only downwards, once: a replica racing this
                // one finds it moved and tells nobody.
                let moved = tx
                    .execute_raw(statement(
                        &tx,
                        "INSERT INTO billing_warning (account_id, level, updated_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (account_id) DO UPDATE SET level = $2, updated_at = $3 \
                         WHERE billing_warning.level > $2",
                        vec![(*account_id).into(), i64::from(level).into(), now.into()],
                    ))
                    .await?;
                if moved.rows_affected() == 0 {
                    tx.rollback().await?;
                    continue;
                }
                let days = summary.days_until_block.unwrap_or(0);
                let message = text(days);
                super::tell::tell_in(
                    &tx,
                    now,
                    *account_id,
                    super::tell::Message {
                        kind: NotificationKind::BillingWarning,
                        title: "Скоро блокировка",
                        text: &message,
                        sms: super::tell::SmsTopic::Billing,
                    },
                )
                .await?;
                tx.commit().await?;
                told += 1;
            }
        }
    }
    Ok(told)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &[u32] = &[3, 1];

    #[test]
    fn once_per_crossing_and_again_after_a_top_up() {
        assert_eq!(step(Some(10), T, None), Step::Keep);
        assert_eq!(step(Some(3), T, None), Step::Warn(3));
        assert_eq!(step(Some(2), T, Some(3)), Step::Keep, "not every night");
        assert_eq!(step(Some(1), T, Some(3)), Step::Warn(1));
        assert_eq!(step(Some(0), T, Some(1)), Step::Keep);
        assert_eq!(step(Some(5), T, Some(1)), Step::Reset, "topped up");
        assert_eq!(step(Some(3), T, None), Step::Warn(3), "falls again");
        assert_eq!(
            step(Some(0), T, None),
            Step::Warn(1),
            "straight to the last"
        );
        assert_eq!(step(None, T, Some(1)), Step::Reset);
    }
}
