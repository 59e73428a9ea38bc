//! Account status changes, each recorded with its reason and time.

use chrono::{DateTime, Utc};
use entity::account::{self, AccountStatus};
use entity::account_status_change;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

/// A recorded status change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// Before.
    pub from: AccountStatus,
    /// After.
    pub to: AccountStatus,
    /// Why, in Russian.
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Moves `account_id` from `from` to `to` if it is in `from`; records why.
/// Returns whether it moved (another transaction may have moved it first).
pub async fn change(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    from: AccountStatus,
    to: AccountStatus,
    reason: &str,
) -> Result<bool, DbErr> {
    let moved = account::Entity::update_many()
        .col_expr(account::Column::Status, to.into())
        .filter(account::Column::Id.eq(account_id))
        .filter(account::Column::Status.eq(from))
        .exec(db)
        .await?
        .rows_affected
        > 0;
    if moved {
        record(db, now, account_id, from, to, reason).await?;
    }
    Ok(moved)
}

/// Writes a status change that has already happened.
pub async fn record(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    from: AccountStatus,
    to: AccountStatus,
    reason: &str,
) -> Result<(), DbErr> {
    account_status_change::Entity::insert(account_status_change::ActiveModel {
        account_id: Set(account_id),
        from_status: Set(from),
        to_status: Set(to),
        reason: Set(reason.to_owned()),
        changed_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// An account's status history, newest first.
pub async fn history(
    db: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<StatusChange>, DbErr> {
    Ok(account_status_change::Entity::find()
        .filter(account_status_change::Column::AccountId.eq(account_id))
        .order_by_desc(account_status_change::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|row| StatusChange {
            from: row.from_status,
            to: row.to_status,
            reason: row.reason,
            at: row.changed_at,
        })
        .collect())
}
