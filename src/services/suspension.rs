//! Voluntary suspension (добровольная блокировка): all services paused for
//! 1–90 days the subscriber picks, at most 90 days a calendar year, nothing
//! charged meanwhile but the configured daily fee (paid once when it starts;
//! the unused days come back on an early resume). It starts and ends at Moscow
//! midnights, by the billing worker before the day is billed, each transition
//! one guarded update so replicas do it once.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use entity::account::AccountStatus;
use entity::suspension::{self, Column, SuspensionStatus};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, SqlErr,
};

pub use entity::suspension::SuspensionStatus as Status;

use super::ServiceError;
use crate::accounts;
use crate::billing::ledger::EntryKind;
use crate::billing::{self, BillingError, Movement, status};
use crate::db::statement;
use crate::money::Kopecks;
use crate::time::moscow_date;

/// Shortest suspension, days.
pub const MIN_DAYS: i64 = 1;
/// Longest suspension, days.
pub const MAX_DAYS: i64 = 90;
/// Most days suspended in one calendar year.
pub const YEARLY_DAYS: i64 = 90;
/// How far ahead a suspension may start, days.
pub const MAX_AHEAD_DAYS: u64 = 90;

/// A suspension as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspension {
    /// Internal id.
    pub id: i64,
    /// The account.
    pub account_id: i64,
    /// First day suspended.
    pub starts_on: NaiveDate,
    /// Last day suspended.
    pub ends_on: NaiveDate,
    /// Where it stands.
    pub status: SuspensionStatus,
    /// The fee of each day.
    pub daily_fee: Kopecks,
    /// What was charged for it, net of refunds.
    pub fee_charged: Kopecks,
}

impl Suspension {
    /// Its days.
    pub fn days(&self) -> i64 {
        (self.ends_on - self.starts_on).num_days() + 1
    }

    /// Its fee, all days together.
    pub fn total_fee(&self) -> Kopecks {
        Kopecks::new(self.daily_fee.get().saturating_mul(self.days()))
    }
}

fn from_row(row: suspension::Model) -> Suspension {
    Suspension {
        id: row.id,
        account_id: row.account_id,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        status: row.status,
        daily_fee: Kopecks::new(row.daily_fee),
        fee_charged: Kopecks::new(row.fee_charged),
    }
}

/// Days of `from..=until` that fall in `year`.
fn days_in_year(from: NaiveDate, until: NaiveDate, year: i32) -> i64 {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return 0;
    };
    let start = from.max(first);
    let end = until.min(last);
    if end < start {
        0
    } else {
        (end - start).num_days() + 1
    }
}

/// A suspension worked out before it is asked for.
#[derive(Debug)]
pub struct SuspensionPlan {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub until: NaiveDate,
    /// Its days.
    pub days: i64,
    /// The fee of each day.
    pub daily_fee: Kopecks,
    /// The fee of all its days, charged when it starts.
    pub total_fee: Kopecks,
    /// Days already suspended (or scheduled) in the first day's year.
    pub used_this_year: i64,
    /// Days left in that year before this one.
    pub left_this_year: i64,
    /// The rules it breaks; empty when it can be asked for.
    pub blockers: Vec<ServiceError>,
}

/// All suspensions of the account that count towards the yearly cap.
async fn counted(db: &impl ConnectionTrait, account_id: i64) -> Result<Vec<Suspension>, DbErr> {
    Ok(suspension::Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::Status.ne(SuspensionStatus::Canceled))
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// The scheduled or running suspension of the account, if any.
pub async fn open_of(
    db: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Option<Suspension>, DbErr> {
    Ok(suspension::Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::Status.is_in([SuspensionStatus::Scheduled, SuspensionStatus::Active]))
        .order_by_desc(Column::Id)
        .one(db)
        .await?
        .map(from_row))
}

/// What suspending `from..=until` would be, and the rules it would break.
pub async fn preview(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    from: NaiveDate,
    until: NaiveDate,
    daily_fee: Kopecks,
) -> Result<SuspensionPlan, ServiceError> {
    let today = moscow_date(now);
    let account = accounts::find_many(db, &[account_id])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound)?;
    let mut blockers = Vec::new();
    match account.status {
        AccountStatus::Closed => blockers.push(ServiceError::AccountClosed),
        AccountStatus::Blocked => blockers.push(ServiceError::AccountBlocked),
        AccountStatus::Suspended => blockers.push(ServiceError::AlreadySuspended),
        AccountStatus::Active => {}
    }
    if open_of(db, account_id).await?.is_some() && account.status != AccountStatus::Suspended {
        blockers.push(ServiceError::AlreadySuspended);
    }
    let days = (until - from).num_days() + 1;
    if from <= today {
        blockers.push(ServiceError::DateInPast);
    } else if from
        > today
            .checked_add_days(Days::new(MAX_AHEAD_DAYS))
            .unwrap_or(today)
    {
        blockers.push(ServiceError::PeriodTooFarAhead);
    }
    if until < from {
        blockers.push(ServiceError::PeriodBackwards);
    } else if !(MIN_DAYS..=MAX_DAYS).contains(&days) {
        blockers.push(ServiceError::PeriodTooLong);
    }
    let past = counted(db, account_id).await?;
    let used = |year: i32| -> i64 {
        past.iter()
            .map(|s| days_in_year(s.starts_on, s.ends_on, year))
            .sum()
    };
    if until >= from {
        for year in from.year()..=until.year() {
            let left = YEARLY_DAYS - used(year);
            if days_in_year(from, until, year) > left {
                blockers.push(ServiceError::YearlyLimit {
                    year,
                    days_left: left.max(0),
                });
                break;
            }
        }
    }
    let days = days.max(0);
    let total_fee = Kopecks::new(daily_fee.get().saturating_mul(days));
    if total_fee > Kopecks::ZERO {
        let available = super::available(db, &account).await?;
        if available < total_fee {
            blockers.push(ServiceError::InsufficientFunds {
                needed: total_fee - available,
            });
        }
    }
    let used_this_year = used(from.year());
    Ok(SuspensionPlan {
        from,
        until,
        days,
        daily_fee,
        total_fee,
        used_this_year,
        left_this_year: (YEARLY_DAYS - used_this_year).max(0),
        blockers,
    })
}

/// Asks for a suspension of `from..=until` (Moscow days), if the rules allow
/// it; it starts at 00:00 of `from`.
pub async fn schedule(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    from: NaiveDate,
    until: NaiveDate,
    daily_fee: Kopecks,
) -> Result<Suspension, ServiceError> {
    let tx = crate::db::begin_write(db).await?;
    accounts::lock(&tx, account_id).await?;
    let plan = preview(&tx, now, account_id, from, until, daily_fee).await?;
    if let Some(first) = plan.blockers.first() {
        return Err(first.refusal());
    }
    let row = suspension::ActiveModel {
        account_id: Set(account_id),
        starts_on: Set(from),
        ends_on: Set(until),
        status: Set(SuspensionStatus::Scheduled),
        daily_fee: Set(daily_fee.get()),
        fee_charged: Set(0),
        created_at: Set(now),
        ..Default::default()
    };
    let made = match suspension::Entity::insert(row)
        .exec_with_returning(&tx)
        .await
    {
        Ok(row) => from_row(row),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(ServiceError::AlreadySuspended);
        }
        Err(err) => return Err(err.into()),
    };
    tx.commit().await?;
    Ok(made)
}

/// Moves suspension `id` from status `from` to `to`, stamping `stamp` with
/// `now`, if it is still in `from`: the one guarded update every transition
/// is, so of two replicas (or a worker and a click) exactly one moves it.
async fn transition(
    tx: &impl ConnectionTrait,
    id: i64,
    from: SuspensionStatus,
    to: SuspensionStatus,
    stamp: Column,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let moved = suspension::Entity::update_many()
        .col_expr(Column::Status, to.into())
        .col_expr(stamp, sea_orm::sea_query::Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(from))
        .exec(tx)
        .await?
        .rows_affected;
    Ok(moved == 1)
}

/// What resuming did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumed {
    /// The suspension, now ended (or cancelled if it had not started).
    pub suspension: Suspension,
    /// The fee of the unused days, credited back.
    pub refund: Kopecks,
    /// The balance after the refund, when there was one.
    pub balance: Option<Kopecks>,
}

fn post_error(err: BillingError) -> DbErr {
    match err {
        BillingError::Db(e) => e,
        other => DbErr::Custom(other.to_string()),
    }
}

/// Ends the account's suspension now (services back at once, charges from
/// tomorrow, the unused days' fee credited), or withdraws one not yet started.
pub async fn resume(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
) -> Result<Resumed, ServiceError> {
    let today = moscow_date(now);
    let tx = crate::db::begin_write(db).await?;
    accounts::lock(&tx, account_id).await?;
    let open = open_of(&tx, account_id)
        .await?
        .ok_or(ServiceError::NotSuspended)?;
    if open.status == SuspensionStatus::Scheduled {
        let withdrawn = transition(
            &tx,
            open.id,
            SuspensionStatus::Scheduled,
            SuspensionStatus::Canceled,
            Column::EndedAt,
            now,
        )
        .await?;
        if !withdrawn {
            return Err(ServiceError::NotSuspended);
        }
        tx.commit().await?;
        return Ok(Resumed {
            suspension: Suspension {
                status: SuspensionStatus::Canceled,
                ..open
            },
            refund: Kopecks::ZERO,
            balance: None,
        });
    }
    // Today stays suspended (it was not charged); the days after it come back.
    let new_end = today.min(open.ends_on).max(open.starts_on);
    let unused = (open.ends_on - new_end).num_days().max(0);
    let refund = Kopecks::new(open.daily_fee.get().saturating_mul(unused)).min(open.fee_charged);
    let moved = tx
        .execute_raw(statement(
            &tx,
            "UPDATE suspension SET status = 'ended', ends_on = $1, ended_at = $2, fee_charged = fee_charged - $3 \
             WHERE id = $4 AND status = 'active'",
            vec![new_end.into(), now.into(), refund.get().into(), open.id.into()],
        ))
        .await?
        .rows_affected();
    if moved != 1 {
        return Err(ServiceError::NotSuspended);
    }
    status::change(
        &tx,
        now,
        account_id,
        AccountStatus::Suspended,
        AccountStatus::Active,
        "Приостановка окончена досрочно по заявлению абонента",
    )
    .await?;
    let mut balance = None;
    if refund > Kopecks::ZERO {
        let movement = Movement {
            account_id,
            kind: EntryKind::Refund,
            amount: refund,
            description: format!("Возврат платы за {unused} неиспользованных дн. приостановки"),
            staff_credential_id: None,
        };
        balance = Some(
            billing::post_in(&tx, now, movement)
                .await
                .map_err(post_error)?
                .balance,
        );
    }
    tx.commit().await?;
    Ok(Resumed {
        suspension: Suspension {
            status: SuspensionStatus::Ended,
            ends_on: new_end,
            fee_charged: open.fee_charged - refund,
            ..open
        },
        refund,
        balance,
    })
}

/// Suspensions in `status` that also meet `condition`, oldest first.
async fn in_status(
    db: &impl ConnectionTrait,
    status: SuspensionStatus,
    condition: sea_orm::sea_query::SimpleExpr,
) -> Result<Vec<Suspension>, DbErr> {
    Ok(suspension::Entity::find()
        .filter(Column::Status.eq(status))
        .filter(condition)
        .order_by_asc(Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// Accounts whose status or balance a round moved (for live events).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transitions {
    /// Suspensions started, with the balance after their fee when charged.
    pub started: Vec<(i64, Option<Kopecks>)>,
    /// Accounts whose suspension ended.
    pub ended: Vec<i64>,
}

/// Starts the suspensions whose first day is `day` or before and ends those
/// whose last day is before `day`: run before `day` is billed, so a suspended
/// day is never charged. Each transition is one guarded update with the
/// account's status change (and the fee) in its transaction.
pub async fn apply_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    day: NaiveDate,
) -> Result<Transitions, DbErr> {
    let mut out = Transitions::default();
    for s in in_status(db, SuspensionStatus::Scheduled, Column::StartsOn.lte(day)).await? {
        let tx = crate::db::begin_write(db).await?;
        let won = transition(
            &tx,
            s.id,
            SuspensionStatus::Scheduled,
            SuspensionStatus::Active,
            Column::StartedAt,
            now,
        )
        .await?;
        if !won {
            continue;
        }
        let suspended = status::change(
            &tx,
            now,
            s.account_id,
            AccountStatus::Active,
            AccountStatus::Suspended,
            &format!(
                "Добровольная приостановка с {} по {}",
                s.starts_on.format("%d.%m.%Y"),
                s.ends_on.format("%d.%m.%Y")
            ),
        )
        .await?;
        if !suspended {
            // Blocked or closed meanwhile: nothing to pause.
            tx.execute_raw(statement(
                &tx,
                "UPDATE suspension SET status = 'canceled', ended_at = $1 WHERE id = $2",
                vec![now.into(), s.id.into()],
            ))
            .await?;
            tx.commit().await?;
            continue;
        }
        let mut balance = None;
        let fee = s.total_fee();
        if fee > Kopecks::ZERO {
            let movement = Movement {
                account_id: s.account_id,
                kind: EntryKind::Charge,
                amount: -fee,
                description: format!(
                    "Плата за приостановку услуг: {} дн. с {}",
                    s.days(),
                    s.starts_on.format("%d.%m.%Y")
                ),
                staff_credential_id: None,
            };
            balance = Some(
                billing::post_in(&tx, now, movement)
                    .await
                    .map_err(post_error)?
                    .balance,
            );
            tx.execute_raw(statement(
                &tx,
                "UPDATE suspension SET fee_charged = $1 WHERE id = $2",
                vec![fee.get().into(), s.id.into()],
            ))
            .await?;
        }
        tx.commit().await?;
        out.started.push((s.account_id, balance));
    }
    for s in in_status(db, SuspensionStatus::Active, Column::EndsOn.lt(day)).await? {
        let tx = crate::db::begin_write(db).await?;
        let won = transition(
            &tx,
            s.id,
            SuspensionStatus::Active,
            SuspensionStatus::Ended,
            Column::EndedAt,
            now,
        )
        .await?;
        if !won {
            continue;
        }
        status::change(
            &tx,
            now,
            s.account_id,
            AccountStatus::Suspended,
            AccountStatus::Active,
            "Добровольная приостановка окончена",
        )
        .await?;
        tx.commit().await?;
        out.ended.push(s.account_id);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_period_counts_its_days_in_each_year() {
        assert_eq!(days_in_year(day(2026, 12, 20), day(2027, 1, 10), 2026), 12);
        assert_eq!(days_in_year(day(2026, 12, 20), day(2027, 1, 10), 2027), 10);
        assert_eq!(days_in_year(day(2026, 12, 20), day(2027, 1, 10), 2028), 0);
        assert_eq!(days_in_year(day(2026, 5, 1), day(2026, 5, 1), 2026), 1);
    }
}
