//! The promised payment (обещанный платёж), modelled as an allowance: while it
//! is active the balance may go below zero by at most its credit, and services
//! go on. The balance stays real money; nothing is credited to the ledger.
//! Paying one monthly total within the period settles it; otherwise it expires
//! and an account still below zero is blocked.

use chrono::{DateTime, Duration, Utc};
use entity::account::AccountStatus;
use entity::promised_payment::{self, Column, PromiseStatus};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, SqlErr,
};

use super::BillingError;
use super::arithmetic::{below_threshold, covers_next_day};
use super::subscriptions::{self, monthly_total_on, total_charge_on};
use super::{ledger, status};
use crate::accounts;
use crate::idempotency::{self, Claim, IdempotencyKey};
use crate::money::Kopecks;
use crate::time::moscow_date;

/// A promised payment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Promise {
    /// Internal id.
    pub id: i64,
    /// How far below zero the balance may go.
    pub credit: Kopecks,
    /// Payments that settle it.
    pub settle_amount: Kopecks,
    /// Active, settled or expired.
    pub status: PromiseStatus,
    /// When it was taken.
    pub activated_at: DateTime<Utc>,
    /// When it ends unless settled.
    pub expires_at: DateTime<Utc>,
}

fn from_row(row: promised_payment::Model) -> Promise {
    Promise {
        id: row.id,
        credit: Kopecks::new(row.credit),
        settle_amount: Kopecks::new(row.settle_amount),
        status: row.status,
        activated_at: row.activated_at,
        expires_at: row.expires_at,
    }
}

/// The active promised payment of an account.
pub async fn active(db: &impl ConnectionTrait, account_id: i64) -> Result<Option<Promise>, DbErr> {
    Ok(promised_payment::Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::Status.eq(PromiseStatus::Active))
        .one(db)
        .await?
        .map(from_row))
}

/// The credit of the promised payment in force (zero without one): what the
/// account may spend beyond its balance.
pub async fn credit_of(db: &impl ConnectionTrait, account_id: i64) -> Result<Kopecks, DbErr> {
    Ok(active(db, account_id)
        .await?
        .map(|p| p.credit)
        .unwrap_or_default())
}

/// The latest promised payment of an account, whatever its state.
pub async fn latest(db: &impl ConnectionTrait, account_id: i64) -> Result<Option<Promise>, DbErr> {
    Ok(promised_payment::Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .order_by_desc(Column::Id)
        .one(db)
        .await?
        .map(from_row))
}

/// What a promised payment would give now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    /// The credit (one monthly total).
    pub credit: Kopecks,
    /// Tomorrow's charges.
    pub next_day: Kopecks,
}

/// Whether `account_id` may take a promised payment now, and on what terms.
pub async fn check(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
) -> Result<(accounts::Account, Offer), BillingError> {
    let account = accounts::find_many(db, &[account_id])
        .await?
        .pop()
        .ok_or_else(|| DbErr::RecordNotFound(format!("account {account_id}")))?;
    match account.status {
        AccountStatus::Closed => return Err(BillingError::AccountClosed),
        AccountStatus::Suspended => return Err(BillingError::AccountSuspended),
        AccountStatus::Active | AccountStatus::Blocked => {}
    }
    if active(db, account_id).await?.is_some() {
        return Err(BillingError::AlreadyActive);
    }
    let today = moscow_date(now);
    let items = subscriptions::for_accounts(db, &[account_id], today).await?;
    let credit = monthly_total_on(&items, today);
    if credit == Kopecks::ZERO {
        return Err(BillingError::NothingCharged);
    }
    let next_day = total_charge_on(&items, today + Duration::days(1));
    // Offered when the balance is at or below zero, or covers less than a day.
    if account.balance > Kopecks::ZERO && covers_next_day(account.balance, next_day) {
        return Err(BillingError::BalanceTooHigh);
    }
    Ok((account, Offer { credit, next_day }))
}

/// Takes a promised payment for `account_id`. With a key, the first request
/// claims it and every repeat gets the first result (see [`idempotency`]).
pub async fn activate(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    period: Duration,
    key: Option<&IdempotencyKey>,
) -> Result<Promise, BillingError> {
    let claim = key.map(|key| Claim {
        account_id,
        operation: "activatePromisedPayment",
        key,
        input: serde_json::Value::Null,
    });
    idempotency::run(db, now, claim, |tx| async move {
        let result = activate_in(&tx, now, account_id, period).await;
        (tx, result)
    })
    .await
}

async fn activate_in(
    tx: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    period: Duration,
) -> Result<Promise, BillingError> {
    let (account, offer) = check(tx, now, account_id).await?;
    let monthly = offer.credit;
    let next_day = offer.next_day;
    let row = promised_payment::ActiveModel {
        account_id: Set(account_id),
        credit: Set(monthly.get()),
        settle_amount: Set(monthly.get()),
        status: Set(PromiseStatus::Active),
        activated_at: Set(now),
        expires_at: Set(now + period),
        closed_at: Set(None),
        idempotency_key: Set(None),
        ..Default::default()
    };
    let inserted = match promised_payment::Entity::insert(row)
        .exec_with_returning(tx)
        .await
    {
        Ok(row) => row,
        // Another request (with another key, or none) won the race for the one active promise.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(BillingError::AlreadyActive);
        }
        Err(err) => return Err(err.into()),
    };
    if account.status == AccountStatus::Blocked
        && covers_next_day(account.balance + monthly, next_day)
    {
        status::change(
            tx,
            now,
            account_id,
            AccountStatus::Blocked,
            AccountStatus::Active,
            "Подключён обещанный платёж",
        )
        .await?;
    }
    Ok(from_row(inserted))
}

/// Settles the active promise of `account_id` if payments since it was taken
/// reach its amount. Call inside the transaction of a credit.
pub async fn settle_if_paid(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
) -> Result<bool, DbErr> {
    let Some(promise) = active(db, account_id).await? else {
        return Ok(false);
    };
    if ledger::credits_since(db, account_id, promise.activated_at).await? < promise.settle_amount {
        return Ok(false);
    }
    close(db, now, promise.id, PromiseStatus::Settled).await?;
    Ok(true)
}

async fn close(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    id: i64,
    to: PromiseStatus,
) -> Result<(), DbErr> {
    promised_payment::Entity::update_many()
        .col_expr(Column::Status, to.into())
        .col_expr(Column::ClosedAt, Some(now).into())
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(PromiseStatus::Active))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends promises whose period is over: settled if paid, else expired, and the
/// account blocked if its balance is below zero. Returns how many ended.
pub async fn expire_due(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let due = promised_payment::Entity::find()
        .filter(Column::Status.eq(PromiseStatus::Active))
        .filter(Column::ExpiresAt.lte(now))
        .all(db)
        .await?;
    let mut ended = 0;
    for promise in due {
        let tx = crate::db::begin_write(db).await?;
        if settle_if_paid(&tx, now, promise.account_id).await? {
            tx.commit().await?;
            ended += 1;
            continue;
        }
        close(&tx, now, promise.id, PromiseStatus::Expired).await?;
        let account = accounts::find_many(&tx, &[promise.account_id]).await?.pop();
        if let Some(account) = account.filter(|a| below_threshold(a.balance)) {
            status::change(
                &tx,
                now,
                account.id,
                AccountStatus::Active,
                AccountStatus::Blocked,
                "Срок обещанного платежа истёк, а баланс ниже нуля",
            )
            .await?;
        }
        tx.commit().await?;
        ended += 1;
    }
    Ok(ended)
}
