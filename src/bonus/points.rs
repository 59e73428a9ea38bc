//! Points move only here: a credit is an entry (once per source) and an
//! increment; a debit is one guarded decrement (`points >= n`, so concurrent
//! spenders can never take the balance below zero) and an entry. Debits use up
//! the oldest credits first, so each credit's `remaining` says what of it can
//! still expire, and the account's points equal the sum of what remains.

use chrono::{DateTime, Utc};
use entity::bonus_entry::{self, Column};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{BonusError, BonusReason, member};
use crate::db::statement;
use crate::pagination::{self, Page, PageRequest};

/// One change of points, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Internal id (the list key, newest first).
    pub id: i64,
    /// Positive earns, negative spends.
    pub points: i64,
    /// Why.
    pub reason: BonusReason,
    /// Why, in Russian.
    pub description: String,
    /// The ledger entry it came from (a large payment).
    pub ledger_entry_id: Option<i64>,
    /// The redemption that spent it.
    pub redemption_id: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When a credit's points expire.
    pub expires_at: Option<DateTime<Utc>>,
    /// Of a credit: the points of it still held.
    pub remaining: i64,
}

fn from_row(row: bonus_entry::Model) -> Entry {
    Entry {
        id: row.id,
        points: row.points,
        reason: row.reason,
        description: row.description,
        ledger_entry_id: row.ledger_entry_id,
        redemption_id: row.redemption_id,
        created_at: row.created_at,
        expires_at: row.expires_at,
        remaining: row.remaining,
    }
}

/// Points to credit.
#[derive(Debug, Clone)]
pub struct Credit {
    /// The account (a member; others get nothing).
    pub account_id: i64,
    /// How many, above zero.
    pub points: i64,
    /// Why.
    pub reason: BonusReason,
    /// Why, in Russian.
    pub description: String,
    /// What gave them: a second credit from the same source is ignored.
    pub source: Option<String>,
    /// The ledger entry behind it.
    pub ledger_entry_id: Option<i64>,
    /// The operator behind a grant.
    pub staff_credential_id: Option<i64>,
    /// When they expire.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Credits points to a member; `None` when the account is not a member or
/// the source gave its points before. Call inside a transaction.
pub async fn credit_in(
    tx: &impl ConnectionTrait,
    now: DateTime<Utc>,
    credit: Credit,
) -> Result<Option<i64>, DbErr> {
    if credit.points <= 0 {
        return Ok(None);
    }
    // The WHERE keeps non-members out (and SQLite's upsert needs one).
    let row = tx
        .query_one_raw(statement(
            tx,
            "INSERT INTO bonus_entry (account_id, points, reason, description, source, ledger_entry_id, \
             redemption_id, staff_credential_id, created_at, expires_at, remaining) \
             SELECT $1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $2 \
             WHERE EXISTS (SELECT 1 FROM bonus_account WHERE account_id = $1) \
             ON CONFLICT (account_id, source) DO NOTHING RETURNING id",
            vec![
                credit.account_id.into(),
                credit.points.into(),
                sea_orm::Value::from(reason_text(credit.reason)),
                credit.description.into(),
                credit.source.into(),
                credit.ledger_entry_id.into(),
                credit.staff_credential_id.into(),
                now.into(),
                credit.expires_at.into(),
            ],
        ))
        .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get("", "id")?;
    tx.execute_raw(statement(
        tx,
        "UPDATE bonus_account SET points = points + $1 WHERE account_id = $2",
        vec![credit.points.into(), credit.account_id.into()],
    ))
    .await?;
    Ok(Some(id))
}

fn reason_text(reason: BonusReason) -> String {
    use sea_orm::ActiveEnum;
    reason.to_value()
}

/// Points to take.
#[derive(Debug, Clone)]
pub struct Debit {
    /// The account.
    pub account_id: i64,
    /// How many, above zero.
    pub points: i64,
    /// Why.
    pub reason: BonusReason,
    /// Why, in Russian.
    pub description: String,
    /// The redemption they pay for.
    pub redemption_id: Option<i64>,
    /// The operator behind a take.
    pub staff_credential_id: Option<i64>,
}

/// Takes points from a member, never below zero: `InsufficientPoints` when
/// fewer are held (whatever runs at the same time), `NotEnrolled` for an
/// account outside the program. Call inside a transaction.
pub async fn debit_in(
    tx: &impl ConnectionTrait,
    now: DateTime<Utc>,
    debit: Debit,
) -> Result<Debited, BonusError> {
    let taken = tx
        .query_one_raw(statement(
            tx,
            "UPDATE bonus_account SET points = points - $1 WHERE account_id = $2 AND points >= $1 \
             RETURNING points",
            vec![debit.points.into(), debit.account_id.into()],
        ))
        .await?;
    let Some(taken) = taken else {
        return Err(match member(tx, debit.account_id).await? {
            Some(_) => BonusError::InsufficientPoints,
            None => BonusError::NotEnrolled,
        });
    };
    let left: i64 = taken.try_get("", "points")?;
    use_up_oldest(tx, debit.account_id, debit.points).await?;
    let entry = tx.query_one_raw(statement(
        tx,
        "INSERT INTO bonus_entry (account_id, points, reason, description, source, ledger_entry_id, \
         redemption_id, staff_credential_id, created_at, expires_at, remaining) \
         VALUES ($1, $2, $3, $4, NULL, NULL, $5, $6, $7, NULL, 0) RETURNING id",
        vec![
            debit.account_id.into(),
            (-debit.points).into(),
            reason_text(debit.reason).into(),
            debit.description.into(),
            debit.redemption_id.into(),
            debit.staff_credential_id.into(),
            now.into(),
        ],
    ))
    .await?
    .ok_or_else(|| DbErr::RecordNotFound("bonus entry just written".into()))?;
    Ok(Debited {
        points_left: left,
        entry_id: entry.try_get("", "id")?,
    })
}

/// A debit just made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Debited {
    /// Points the member holds after it.
    pub points_left: i64,
    /// Its history entry.
    pub entry_id: i64,
}

/// Lowers the `remaining` of the credits that expire first by `points` in
/// all. The account's row is locked by the caller's decrement, so no other
/// debit of the account runs meanwhile.
async fn use_up_oldest(
    tx: &impl ConnectionTrait,
    account_id: i64,
    points: i64,
) -> Result<(), DbErr> {
    let credits = bonus_entry::Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::Remaining.gt(0))
        .order_by_asc(Column::ExpiresAt)
        .order_by_asc(Column::Id)
        .all(tx)
        .await?;
    let mut left = points;
    for credit in credits {
        if left == 0 {
            break;
        }
        let used = credit.remaining.min(left);
        tx.execute_raw(statement(
            tx,
            "UPDATE bonus_entry SET remaining = remaining - $1 WHERE id = $2",
            vec![used.into(), credit.id.into()],
        ))
        .await?;
        left -= used;
    }
    Ok(())
}

/// A page of an account's history, newest first, with its total count.
pub async fn history(
    db: &impl ConnectionTrait,
    account_id: i64,
    request: &PageRequest,
) -> Result<Page<Entry>, DbErr> {
    let list = bonus_entry::Entity::find().filter(Column::AccountId.eq(account_id));
    Ok(pagination::fetch(
        db,
        list,
        (Column::Id, pagination::Direction::Descending),
        |row| row.id,
        request,
    )
    .await?
    .map(from_row))
}

/// The longest reason an operator may give.
pub const MAX_REASON: usize = 300;

/// The most points one grant may move.
pub const MAX_GRANT: i64 = 1_000_000;

/// An operator grants (positive) or takes (negative) points with a reason.
/// Returns the points the member holds after.
pub async fn grant(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
    rules: &super::BonusRules,
    account_id: i64,
    points: i64,
    reason: &str,
    staff_credential_id: i64,
) -> Result<i64, BonusError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(BonusError::Required("reason"));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(BonusError::TooLong("reason"));
    }
    if points == 0 {
        return Err(BonusError::Zero);
    }
    if points.unsigned_abs() > MAX_GRANT as u64 {
        return Err(BonusError::OutOfRange("points"));
    }
    let tx = crate::db::begin_write(db).await?;
    if points > 0 {
        let credited = credit_in(
            &tx,
            now,
            Credit {
                account_id,
                points,
                reason: BonusReason::Staff,
                description: reason.to_owned(),
                source: None,
                ledger_entry_id: None,
                staff_credential_id: Some(staff_credential_id),
                expires_at: Some(now + rules.validity),
            },
        )
        .await?;
        if credited.is_none() {
            return Err(BonusError::NotEnrolled);
        }
    } else {
        debit_in(
            &tx,
            now,
            Debit {
                account_id,
                points: points.saturating_neg(),
                reason: BonusReason::Staff,
                description: reason.to_owned(),
                redemption_id: None,
                staff_credential_id: Some(staff_credential_id),
            },
        )
        .await?;
    }
    let held = member(&tx, account_id)
        .await?
        .map(|m| m.points)
        .unwrap_or_default();
    tx.commit().await?;
    Ok(held)
}

/// The sum of an account's history (what its points must equal).
pub async fn history_sum(db: &impl ConnectionTrait, account_id: i64) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(statement(
            db,
            "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) AS total FROM bonus_entry WHERE account_id = $1",
            vec![account_id.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get("", "total")?,
        None => 0,
    })
}
