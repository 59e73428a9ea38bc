//! The ledger: append-only entries, the cached balance updated in the same
//! transaction, and the history by Moscow days.

use chrono::{DateTime, NaiveDate, Utc};
use entity::ledger_entry::{self, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
};

pub use entity::ledger_entry::EntryKind;

use crate::db::statement;
use crate::money::Kopecks;
use crate::pagination::{self, Page, PageRequest};
use crate::time::moscow_date;

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Internal id; also the list key (newest first).
    pub id: i64,
    /// Account.
    pub account_id: i64,
    /// Why money moved.
    pub kind: EntryKind,
    /// Positive credits, negative debits.
    pub amount: Kopecks,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// The Moscow day it belongs to.
    pub moscow_day: NaiveDate,
    /// Why, in Russian.
    pub description: String,
    /// The subscription a daily charge is for.
    pub subscription_id: Option<i64>,
}

fn from_row(row: ledger_entry::Model) -> Entry {
    Entry {
        id: row.id,
        account_id: row.account_id,
        kind: row.kind,
        amount: Kopecks::new(row.amount),
        occurred_at: row.occurred_at,
        moscow_day: row.moscow_day,
        description: row.description,
        subscription_id: row.subscription_id,
    }
}

/// An entry to append (not a daily charge: those are written by the billing run).
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// Account.
    pub account_id: i64,
    /// Kind.
    pub kind: EntryKind,
    /// Amount.
    pub amount: Kopecks,
    /// Why, in Russian.
    pub description: String,
    /// The operator behind an adjustment.
    pub staff_credential_id: Option<i64>,
}

/// An entry just written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// The entry's id.
    pub entry_id: i64,
    /// The account's balance after it.
    pub balance: Kopecks,
    /// Whether the account is blocked (read with the balance, so a credit to
    /// an account that is not blocked needs no further look).
    pub blocked: bool,
}

/// Appends an entry and moves the cached balance by its amount. Call inside a
/// transaction.
pub async fn append(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    entry: NewEntry,
) -> Result<Appended, DbErr> {
    let row = ledger_entry::ActiveModel {
        account_id: Set(entry.account_id),
        kind: Set(entry.kind),
        amount: Set(entry.amount.get()),
        occurred_at: Set(now),
        moscow_day: Set(moscow_date(now)),
        description: Set(entry.description),
        subscription_id: Set(None),
        charge_day: Set(None),
        staff_credential_id: Set(entry.staff_credential_id),
        ..Default::default()
    };
    let entry_id = ledger_entry::Entity::insert(row)
        .exec(db)
        .await?
        .last_insert_id;
    let (balance, blocked) = add_to_balance(db, entry.account_id, entry.amount).await?;
    Ok(Appended {
        entry_id,
        balance,
        blocked,
    })
}

/// Moves the cached balance atomically; returns the new balance and whether
/// the account is blocked.
async fn add_to_balance(
    db: &impl ConnectionTrait,
    account_id: i64,
    delta: Kopecks,
) -> Result<(Kopecks, bool), DbErr> {
    let row = db
        .query_one_raw(statement(
            db,
            "UPDATE account SET balance = balance + $1 WHERE id = $2 RETURNING balance, status",
            vec![delta.get().into(), account_id.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("account {account_id}")))?;
    let status: String = row.try_get("", "status")?;
    Ok((
        Kopecks::new(row.try_get("", "balance")?),
        status == "blocked",
    ))
}

/// The sum of an account's ledger (what the cached balance must equal).
pub async fn ledger_sum(db: &impl ConnectionTrait, account_id: i64) -> Result<Kopecks, DbErr> {
    total(
        db,
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM ledger_entry WHERE account_id = $1",
        vec![account_id.into()],
    )
    .await
}

/// Runs a `SELECT … AS total` (PostgreSQL sums `BIGINT` as `NUMERIC`, hence the casts).
async fn total(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> Result<Kopecks, DbErr> {
    let row = db.query_one_raw(statement(db, sql, values)).await?;
    Ok(Kopecks::new(match row {
        Some(row) => row.try_get::<i64>("", "total")?,
        None => 0,
    }))
}

/// Entries by id (missing ones absent); ownership is the caller's to check.
pub async fn find_many(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Entry>, DbErr> {
    Ok(ledger_entry::Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    /// From this Moscow day (inclusive).
    pub from: Option<NaiveDate>,
    /// To this Moscow day (inclusive).
    pub to: Option<NaiveDate>,
    /// Only these kinds (all when empty).
    pub kinds: Vec<EntryKind>,
}

/// A page of an account's entries, newest first, with the total count.
pub async fn page(
    db: &impl ConnectionTrait,
    account_id: i64,
    filter: &EntryFilter,
    request: &PageRequest,
) -> Result<Page<Entry>, DbErr> {
    let mut condition = Condition::all().add(Column::AccountId.eq(account_id));
    if let Some(from) = filter.from {
        condition = condition.add(Column::MoscowDay.gte(from));
    }
    if let Some(to) = filter.to {
        condition = condition.add(Column::MoscowDay.lte(to));
    }
    if !filter.kinds.is_empty() {
        condition = condition.add(Column::Kind.is_in(filter.kinds.iter().copied()));
    }
    let list = ledger_entry::Entity::find().filter(condition);
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

/// Payments and positive adjustments of an account since `since`.
pub async fn credits_since(
    db: &impl ConnectionTrait,
    account_id: i64,
    since: DateTime<Utc>,
) -> Result<Kopecks, DbErr> {
    total(
        db,
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM ledger_entry \
         WHERE account_id = $1 AND kind IN ('payment', 'adjustment') AND amount > 0 AND occurred_at >= $2",
        vec![account_id.into(), since.into()],
    )
    .await
}

/// The sum of an account's entries before Moscow day `day`.
pub async fn sum_before(
    db: &impl ConnectionTrait,
    account_id: i64,
    day: NaiveDate,
) -> Result<Kopecks, DbErr> {
    total(
        db,
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM ledger_entry \
         WHERE account_id = $1 AND moscow_day < $2",
        vec![account_id.into(), day.into()],
    )
    .await
}

/// An account's entries from `from` to `to` (Moscow days, inclusive), oldest
/// first.
pub async fn between(
    db: &impl ConnectionTrait,
    account_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Entry>, DbErr> {
    use sea_orm::QueryOrder;
    Ok(ledger_entry::Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::MoscowDay.gte(from))
        .filter(Column::MoscowDay.lte(to))
        .order_by_asc(Column::MoscowDay)
        .order_by_asc(Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}
