//! Money: the ledger and the cached balance, daily billing, blocking and
//! unblocking, the promised payment, and what a subscriber sees in the info
//! block (balance, days until blocking, status). All sums are [`Kopecks`].

pub mod arithmetic;
pub mod ledger;
pub mod promised;
pub mod run;
pub mod status;
pub mod subscriptions;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::account::AccountStatus;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

use self::ledger::{EntryKind, NewEntry};
use self::subscriptions::{Subscription, total_charge_on};
use crate::accounts;
use crate::idempotency::{self, Claim, IdempotencyKey, Replayable};
use crate::money::Kopecks;
use crate::time::moscow_date;

/// Why a credit or debit was refused.
#[derive(Debug, thiserror::Error)]
pub enum CreditError {
    /// Zero moves nothing.
    #[error("the amount is zero")]
    Zero,
    /// No such account.
    #[error("no such account")]
    NoAccount,
    /// The idempotency key was used before with another movement.
    #[error("the idempotency key was used for another request")]
    IdempotencyKeyReused,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl Replayable for CreditError {
    fn refusal_code(&self) -> Option<&'static str> {
        match self {
            CreditError::Zero => Some("ZERO"),
            CreditError::NoAccount => Some("NO_ACCOUNT"),
            CreditError::IdempotencyKeyReused | CreditError::Db(_) => None,
        }
    }

    fn from_refusal_code(code: &str) -> Option<Self> {
        match code {
            "ZERO" => Some(CreditError::Zero),
            "NO_ACCOUNT" => Some(CreditError::NoAccount),
            _ => None,
        }
    }

    fn key_reused() -> Self {
        CreditError::IdempotencyKeyReused
    }
}

/// Why an operator adjusts a balance: 1–300 characters once trimmed, shown to
/// the subscriber in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentReason(String);

/// Why a reason is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    /// Blank.
    #[error("a reason is required")]
    Missing,
    /// Longer than [`AdjustmentReason::MAX_LENGTH`].
    #[error("the reason is too long")]
    TooLong,
}

impl AdjustmentReason {
    /// Longest reason, in characters.
    pub const MAX_LENGTH: usize = 300;

    /// A reason as typed.
    pub fn parse(text: &str) -> Result<Self, ReasonError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ReasonError::Missing);
        }
        if text.chars().count() > Self::MAX_LENGTH {
            return Err(ReasonError::TooLong);
        }
        Ok(AdjustmentReason(text.to_owned()))
    }

    /// The ledger entry's description.
    pub fn description(&self) -> String {
        format!("Корректировка: {}", self.0)
    }
}

/// A credit or debit to write.
#[derive(Debug, Clone)]
pub struct Movement {
    /// Account.
    pub account_id: i64,
    /// Payment, adjustment, refund…
    pub kind: EntryKind,
    /// Positive credits, negative debits.
    pub amount: Kopecks,
    /// Why, in Russian.
    pub description: String,
    /// The operator behind an adjustment.
    pub staff_credential_id: Option<i64>,
}

/// Writes a movement of money and its consequences in one transaction: the
/// balance moves; a blocked account whose balance (with any promised credit)
/// now covers the next day is unblocked at once; a promised payment is settled
/// when paid. Returns the new balance.
pub async fn post(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    movement: Movement,
) -> Result<Kopecks, CreditError> {
    post_once(db, now, movement, None).await
}

/// [`post`] under an idempotency key: a repeat with the same key and movement
/// returns the first balance and moves nothing again.
pub async fn post_once(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    movement: Movement,
    key: Option<&IdempotencyKey>,
) -> Result<Kopecks, CreditError> {
    if movement.amount == Kopecks::ZERO {
        return Err(CreditError::Zero);
    }
    let claim = key.map(|key| Claim {
        account_id: movement.account_id,
        operation: "postMovement",
        key,
        input: serde_json::json!({
            "kind": format!("{:?}", movement.kind),
            "amount": movement.amount,
            "description": movement.description,
            "staff": movement.staff_credential_id,
        }),
    });
    idempotency::run(db, now, claim, |tx| async move {
        let result = post_in(&tx, now, movement).await;
        (tx, result)
    })
    .await
}

async fn post_in(
    tx: &impl ConnectionTrait,
    now: DateTime<Utc>,
    movement: Movement,
) -> Result<Kopecks, CreditError> {
    let account_id = movement.account_id;
    let balance = ledger::append(
        tx,
        now,
        NewEntry {
            account_id,
            kind: movement.kind,
            amount: movement.amount,
            description: movement.description,
            staff_credential_id: movement.staff_credential_id,
        },
    )
    .await
    .map_err(|e| match e {
        DbErr::RecordNotFound(_) => CreditError::NoAccount,
        other => CreditError::Db(other),
    })?;
    if movement.amount > Kopecks::ZERO {
        promised::settle_if_paid(tx, now, account_id).await?;
        unblock_if_covered(tx, now, account_id, balance).await?;
    }
    Ok(balance)
}

async fn unblock_if_covered(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    balance: Kopecks,
) -> Result<(), DbErr> {
    let Some(account) = accounts::find_many(db, &[account_id]).await?.pop() else {
        return Ok(());
    };
    if account.status != AccountStatus::Blocked {
        return Ok(());
    }
    let today = moscow_date(now);
    let items = subscriptions::for_accounts(db, &[account_id], today).await?;
    let next_day = total_charge_on(&items, today + Duration::days(1));
    let credit = promised::active(db, account_id)
        .await?
        .map(|p| p.credit)
        .unwrap_or_default();
    if arithmetic::covers_next_day(balance + credit, next_day) {
        status::change(
            db,
            now,
            account_id,
            AccountStatus::Blocked,
            AccountStatus::Active,
            "Баланс пополнен и покрывает следующий день",
        )
        .await?;
    }
    Ok(())
}

/// What the info block shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Balance (sum of the ledger).
    pub balance: Kopecks,
    /// Status.
    pub status: AccountStatus,
    /// Whole days the balance (plus promised credit) covers; `None` when nothing
    /// is charged; 0 when blocked.
    pub days_until_block: Option<u32>,
    /// The active promised payment.
    pub promise: Option<promised::Promise>,
}

/// Days until blocking for an account with these items, from `today` on.
pub fn days_until_block(
    status: AccountStatus,
    available: Kopecks,
    items: &[Subscription],
    today: NaiveDate,
) -> Option<u32> {
    match status {
        AccountStatus::Blocked => Some(0),
        AccountStatus::Suspended | AccountStatus::Closed => None,
        // Today is charged at midnight; the count starts with tomorrow.
        AccountStatus::Active => {
            arithmetic::days_covered(available, today + Duration::days(1), |d| {
                total_charge_on(items, d)
            })
        }
    }
}

/// The info block of an account.
pub async fn summary(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
) -> Result<Summary, DbErr> {
    let account = accounts::find_many(db, &[account_id])
        .await?
        .pop()
        .ok_or_else(|| DbErr::RecordNotFound(format!("account {account_id}")))?;
    let today = moscow_date(now);
    let items = subscriptions::for_accounts(db, &[account_id], today).await?;
    let promise = promised::active(db, account_id).await?;
    let available = account.balance + promise.as_ref().map(|p| p.credit).unwrap_or_default();
    Ok(Summary {
        balance: account.balance,
        status: account.status,
        days_until_block: days_until_block(account.status, available, &items, today),
        promise,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adjustment_needs_a_reason_of_at_most_300_characters() {
        assert_eq!(AdjustmentReason::parse("  "), Err(ReasonError::Missing));
        assert_eq!(
            AdjustmentReason::parse(&"я".repeat(301)),
            Err(ReasonError::TooLong)
        );
        let reason = AdjustmentReason::parse(" Компенсация за аварию ").unwrap();
        assert_eq!(reason.description(), "Корректировка: Компенсация за аварию");
    }
}
