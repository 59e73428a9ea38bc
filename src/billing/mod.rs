//! Money: the ledger and the cached balance, daily billing, blocking and
//! unblocking, the promised payment, and what a subscriber sees in the info
//! block (balance, days until blocking, status). All sums are [`Kopecks`].

pub mod arithmetic;
pub mod ledger;
pub mod promised;
pub mod run;
pub mod statement;
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

/// Why a money operation was refused, or failed. One enum for the billing
/// domain: each refusal is a code (with its data); what a person reads is
/// said in `graphql::messages` / the billing resolvers.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    /// Zero moves nothing.
    #[error("the amount is zero")]
    Zero,
    /// No such account.
    #[error("no such account")]
    NoAccount,
    /// A promised payment is active already.
    #[error("a promised payment is already active")]
    AlreadyActive,
    /// The balance covers at least the next day (no promised payment needed).
    #[error("the balance is high enough")]
    BalanceTooHigh,
    /// The account is closed.
    #[error("the account is closed")]
    AccountClosed,
    /// The account is voluntarily suspended.
    #[error("the account is suspended")]
    AccountSuspended,
    /// Nothing is charged, so nothing to promise against.
    #[error("nothing is charged")]
    NothingCharged,
    /// An adjustment without a reason.
    #[error("a reason is required")]
    ReasonMissing,
    /// An adjustment reason longer than [`AdjustmentReason::MAX_LENGTH`].
    #[error("the reason is too long")]
    ReasonTooLong,
    /// The idempotency key was used before with another request.
    #[error("the idempotency key was used for another request")]
    IdempotencyKeyReused,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A refusal's stable code and how to make it again.
type Refusal = (&'static str, fn() -> BillingError);

/// The refusals an idempotent operation remembers, by their stable codes.
const REFUSALS: [Refusal; 7] = [
    ("ZERO", || BillingError::Zero),
    ("NO_ACCOUNT", || BillingError::NoAccount),
    ("ALREADY_ACTIVE", || BillingError::AlreadyActive),
    ("BALANCE_TOO_HIGH", || BillingError::BalanceTooHigh),
    ("ACCOUNT_CLOSED", || BillingError::AccountClosed),
    ("ACCOUNT_SUSPENDED", || BillingError::AccountSuspended),
    ("NOTHING_CHARGED", || BillingError::NothingCharged),
];

impl Replayable for BillingError {
    fn refusal_code(&self) -> Option<&'static str> {
        REFUSALS
            .iter()
            .find(|(_, make)| std::mem::discriminant(&make()) == std::mem::discriminant(self))
            .map(|(code, _)| *code)
    }

    fn from_refusal_code(code: &str) -> Option<Self> {
        REFUSALS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, make)| make())
    }

    fn key_reused() -> Self {
        BillingError::IdempotencyKeyReused
    }
}

/// Why an operator adjusts a balance: 1–300 characters once trimmed, shown to
/// the subscriber in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentReason(String);

impl AdjustmentReason {
    /// Longest reason, in characters.
    pub const MAX_LENGTH: usize = 300;

    /// A reason as typed.
    pub fn parse(text: &str) -> Result<Self, BillingError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(BillingError::ReasonMissing);
        }
        if text.chars().count() > Self::MAX_LENGTH {
            return Err(BillingError::ReasonTooLong);
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
) -> Result<Kopecks, BillingError> {
    post_once(db, now, movement, None).await
}

/// [`post`] under an idempotency key: a repeat with the same key and movement
/// returns the first balance and moves nothing again.
pub async fn post_once(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    movement: Movement,
    key: Option<&IdempotencyKey>,
) -> Result<Kopecks, BillingError> {
    if movement.amount == Kopecks::ZERO {
        return Err(BillingError::Zero);
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
        let result = post_in(&tx, now, movement).await.map(|a| a.balance);
        (tx, result)
    })
    .await
}

/// [`post`] inside the caller's transaction (a payment credited together with
/// its status): the one entry point for every movement of money.
pub async fn post_in(
    tx: &impl ConnectionTrait,
    now: DateTime<Utc>,
    movement: Movement,
) -> Result<ledger::Appended, BillingError> {
    let account_id = movement.account_id;
    let appended = ledger::append(
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
        DbErr::RecordNotFound(_) => BillingError::NoAccount,
        other => BillingError::Db(other),
    })?;
    if movement.amount > Kopecks::ZERO {
        promised::settle_if_paid(tx, now, account_id).await?;
        if appended.blocked {
            unblock_if_covered(tx, now, account_id, appended.balance).await?;
        }
    }
    Ok(appended)
}

async fn unblock_if_covered(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    balance: Kopecks,
) -> Result<(), DbErr> {
    let today = moscow_date(now);
    let items = subscriptions::for_accounts(db, &[account_id], today).await?;
    let next_day = total_charge_on(&items, today + Duration::days(1));
    let credit = promised::credit_of(db, account_id).await?;
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
    Ok(summary_of(&account, &items, promise, today))
}

/// The summary from what the caller already holds: the account, its current
/// and future subscriptions (as `subscriptions::for_accounts` reads them for
/// `today`) and its active promised payment.
pub fn summary_of(
    account: &accounts::Account,
    items: &[subscriptions::Subscription],
    promise: Option<promised::Promise>,
    today: chrono::NaiveDate,
) -> Summary {
    let available = account.balance + promise.as_ref().map(|p| p.credit).unwrap_or_default();
    Summary {
        balance: account.balance,
        status: account.status,
        days_until_block: days_until_block(account.status, available, items, today),
        promise,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_remembered_by_their_codes() {
        for (code, make) in REFUSALS {
            assert_eq!(make().refusal_code(), Some(code));
            assert_eq!(
                BillingError::from_refusal_code(code).and_then(|e| e.refusal_code()),
                Some(code)
            );
        }
        assert_eq!(BillingError::IdempotencyKeyReused.refusal_code(), None);
        assert_eq!(BillingError::ReasonMissing.refusal_code(), None);
    }

    #[test]
    fn an_adjustment_needs_a_reason_of_at_most_300_characters() {
        assert!(matches!(
            AdjustmentReason::parse("  "),
            Err(BillingError::ReasonMissing)
        ));
        assert!(matches!(
            AdjustmentReason::parse(&"я".repeat(301)),
            Err(BillingError::ReasonTooLong)
        ));
        let reason = AdjustmentReason::parse(" Компенсация за аварию ").unwrap();
        assert_eq!(reason.description(), "Корректировка: Компенсация за аварию");
    }
}
