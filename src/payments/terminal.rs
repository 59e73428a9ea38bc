//! Payments through terminals and banks, in the OSMP check/pay protocol: the
//! operator first asks whether an account can take a sum (`check`), then
//! reports the payment (`pay`) under its own transaction id. A `pay` repeated
//! with the same id returns the first answer and credits nothing again.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use entity::terminal_payment::{self, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, TransactionTrait,
};

use super::Payments;
use super::methods::{self, AmountError};
use crate::accounts::{self, AccountNumber, AccountStatus};
use crate::billing::ledger::EntryKind;
use crate::billing::{self, Movement};
use crate::events::AccountEvent;
use crate::money::Kopecks;
use crate::time::MOSCOW;

/// The protocol's result codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultCode {
    /// Done (or, for `check`, the account can take the sum).
    Ok,
    /// A temporary failure of ours: repeat later.
    Temporary,
    /// The account number is not 12 digits.
    BadAccountFormat,
    /// No such account.
    AccountNotFound,
    /// The account cannot take payments (the contract is terminated).
    AccountNotActive,
    /// Below the smallest payment.
    SumTooSmall,
    /// Above the largest payment.
    SumTooLarge,
    /// Anything else (a malformed request, a transaction id reused for
    /// another payment).
    Other,
}

impl ResultCode {
    /// The number in `<result>`.
    pub const fn code(self) -> u16 {
        match self {
            ResultCode::Ok => 0,
            ResultCode::Temporary => 1,
            ResultCode::BadAccountFormat => 4,
            ResultCode::AccountNotFound => 5,
            ResultCode::AccountNotActive => 79,
            ResultCode::SumTooSmall => 241,
            ResultCode::SumTooLarge => 242,
            ResultCode::Other => 300,
        }
    }

    /// The `<comment>`.
    pub const fn comment(self) -> &'static str {
        match self {
            ResultCode::Ok => "OK",
            ResultCode::Temporary => "Temporary error, retry later",
            ResultCode::BadAccountFormat => "Account number must be 12 digits",
            ResultCode::AccountNotFound => "Account not found",
            ResultCode::AccountNotActive => "Account is not active",
            ResultCode::SumTooSmall => "Sum is too small",
            ResultCode::SumTooLarge => "Sum is too large",
            ResultCode::Other => "Request refused",
        }
    }
}

/// An answer to the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The result.
    pub result: ResultCode,
    /// Our transaction number, for a `pay` that was credited.
    pub prv_txn: Option<i64>,
    /// The sum, as understood.
    pub sum: Option<Kopecks>,
}

impl Answer {
    fn refused(result: ResultCode, sum: Option<Kopecks>) -> Self {
        Answer {
            result,
            prv_txn: None,
            sum,
        }
    }
}

/// A request as the operator sends it (raw strings; checked here).
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `txn_id`: the operator's transaction id.
    pub txn_id: String,
    /// `account`: the account number.
    pub account: String,
    /// `sum`: roubles with up to two decimals.
    pub sum: String,
    /// `txn_date`: `YYYYMMDDHHMMSS`, Moscow time (only for `pay`).
    pub txn_date: Option<String>,
}

/// Longest transaction id taken.
const MAX_TXN_ID: usize = 32;

fn valid_txn_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_TXN_ID && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y%m%d%H%M%S").ok()?;
    MOSCOW
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Checks the account and the sum; returns the account id and the sum.
async fn checked(
    db: &impl ConnectionTrait,
    request: &Request,
) -> Result<Result<(i64, Kopecks), Answer>, DbErr> {
    let Ok(sum) = Kopecks::parse_decimal(request.sum.trim()) else {
        return Ok(Err(Answer::refused(ResultCode::Other, None)));
    };
    let Ok(number) = AccountNumber::parse(&request.account) else {
        return Ok(Err(Answer::refused(
            ResultCode::BadAccountFormat,
            Some(sum),
        )));
    };
    let Some(account) = accounts::find_by_number(db, &number).await? else {
        return Ok(Err(Answer::refused(ResultCode::AccountNotFound, Some(sum))));
    };
    if account.status == AccountStatus::Closed {
        return Ok(Err(Answer::refused(
            ResultCode::AccountNotActive,
            Some(sum),
        )));
    }
    match methods::check_amount(sum) {
        Ok(()) => Ok(Ok((account.id, sum))),
        Err(AmountError::TooSmall) => Ok(Err(Answer::refused(ResultCode::SumTooSmall, Some(sum)))),
        Err(AmountError::TooLarge) => Ok(Err(Answer::refused(ResultCode::SumTooLarge, Some(sum)))),
    }
}

/// `command=check`: whether the account can take the sum.
pub async fn check(db: &DatabaseConnection, request: &Request) -> Answer {
    if !valid_txn_id(&request.txn_id) {
        return Answer::refused(ResultCode::Other, None);
    }
    match checked(db, request).await {
        Ok(Ok((_, sum))) => Answer {
            result: ResultCode::Ok,
            prv_txn: None,
            sum: Some(sum),
        },
        Ok(Err(answer)) => answer,
        Err(err) => {
            tracing::error!(error = %err, "terminal check failed");
            Answer::refused(ResultCode::Temporary, None)
        }
    }
}

/// `command=pay`: credits the sum once per operator and transaction id.
pub async fn pay(
    payments: &Payments,
    now: DateTime<Utc>,
    operator: &str,
    request: &Request,
) -> Answer {
    let events = &payments.events;
    match pay_once(&payments.db, &payments.bonus, now, operator, request).await {
        Ok((answer, credited)) => {
            if let Some((account_id, balance)) = credited {
                events
                    .publish(AccountEvent::BalanceChanged {
                        account_id,
                        balance,
                        at: now,
                    })
                    .await;
            }
            answer
        }
        Err(err) => {
            tracing::error!(error = %err, "terminal payment failed");
            Answer::refused(ResultCode::Temporary, None)
        }
    }
}

async fn find(
    db: &impl ConnectionTrait,
    operator: &str,
    txn_id: &str,
) -> Result<Option<terminal_payment::Model>, DbErr> {
    terminal_payment::Entity::find()
        .filter(Column::Operator.eq(operator))
        .filter(Column::TxnId.eq(txn_id))
        .one(db)
        .await
}

/// The first answer to a repeated transaction: the same one if it is the same
/// payment, a refusal if the id now names another.
fn repeated(first: &terminal_payment::Model, account_id: i64, sum: Kopecks) -> Answer {
    if first.account_id == account_id && first.amount == sum.get() {
        Answer {
            result: ResultCode::Ok,
            prv_txn: Some(first.id),
            sum: Some(sum),
        }
    } else {
        Answer::refused(ResultCode::Other, Some(sum))
    }
}

/// The answer, and the account and balance when this call credited it.
type Paid = (Answer, Option<(i64, Kopecks)>);

async fn pay_once(
    db: &DatabaseConnection,
    bonus: &crate::bonus::BonusRules,
    now: DateTime<Utc>,
    operator: &str,
    request: &Request,
) -> Result<Paid, billing::BillingError> {
    if !valid_txn_id(&request.txn_id) {
        return Ok((Answer::refused(ResultCode::Other, None), None));
    }
    let txn_date = match request.txn_date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match parse_date(text) {
            Some(date) => Some(date),
            None => return Ok((Answer::refused(ResultCode::Other, None), None)),
        },
    };
    let (account_id, sum) = match checked(db, request).await? {
        Ok(found) => found,
        Err(answer) => return Ok((answer, None)),
    };
    if let Some(first) = find(db, operator, &request.txn_id).await? {
        return Ok((repeated(&first, account_id, sum), None));
    }
    let tx = db.begin().await?;
    let appended = billing::post_in(
        &tx,
        now,
        Movement {
            account_id,
            kind: EntryKind::Payment,
            amount: sum,
            description: "Пополнение через терминал или банк".to_owned(),
            staff_credential_id: None,
        },
    )
    .await?;
    let row = terminal_payment::ActiveModel {
        operator: Set(operator.to_owned()),
        txn_id: Set(request.txn_id.clone()),
        account_id: Set(account_id),
        amount: Set(sum.get()),
        txn_date: Set(txn_date),
        ledger_entry_id: Set(appended.entry_id),
        created_at: Set(now),
        ..Default::default()
    };
    match terminal_payment::Entity::insert(row).exec(&tx).await {
        Ok(inserted) => {
            crate::bonus::award_for_payment(&tx, now, bonus, account_id, sum, appended.entry_id)
                .await?;
            tx.commit().await?;
            let answer = Answer {
                result: ResultCode::Ok,
                prv_txn: Some(inserted.last_insert_id),
                sum: Some(sum),
            };
            Ok((answer, Some((account_id, appended.balance))))
        }
        // The same transaction arrived at once on another connection and won:
        // ours is undone; answer as the first did.
        Err(err) => {
            tx.rollback().await?;
            match find(db, operator, &request.txn_id).await? {
                Some(first) => Ok((repeated(&first, account_id, sum), None)),
                None => Err(err.into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_ids_are_short_and_alphanumeric() {
        assert!(valid_txn_id("1234567890"));
        assert!(!valid_txn_id(""));
        assert!(!valid_txn_id("12 34"));
        assert!(!valid_txn_id(&"1".repeat(33)));
    }

    #[test]
    fn dates_are_moscow_wall_clock_times() {
        let t = parse_date("20261125120000").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-25T09:00:00+00:00");
        assert!(parse_date("2026-11-25").is_none());
    }
}
