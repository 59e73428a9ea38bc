//! The daily billing run: charges one Moscow day to every active account, in
//! set-based batches. Each (subscription, day) is charged once however many
//! runs race (a unique index), and each run moves balances only by the charges
//! it wrote itself. Accounts left below zero without a promised payment are blocked.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::account::AccountStatus;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Value};

use super::arithmetic::days_in_month;
use super::status;
use crate::db::{placeholders, statement};
use crate::money::Kopecks;
use crate::time::start_of_moscow_day;

/// Accounts charged per transaction.
const BATCH: usize = 2000;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Accounts looked at.
    pub accounts: u64,
    /// Charges written by this run (zero when another run got there first).
    pub charges: u64,
    /// Accounts blocked for debt.
    pub blocked: u64,
    /// Each account this run charged, with its balance after (for live events).
    pub moved: Vec<(i64, Kopecks)>,
}

async fn active_account_ids(db: &impl ConnectionTrait, after: i64) -> Result<Vec<i64>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db,
            "SELECT id FROM account WHERE status = 'active' AND id > $1 ORDER BY id LIMIT $2",
            vec![after.into(), (BATCH as i64).into()],
        ))
        .await?;
    rows.iter().map(|r| r.try_get::<i64>("", "id")).collect()
}

async fn charge_batch(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    day: NaiveDate,
    ids: &[i64],
) -> Result<(u64, u64, Vec<(i64, Kopecks)>), DbErr> {
    let tx = crate::db::begin_write(db).await?;
    let n = i64::from(days_in_month(day));
    let dom = i64::from(day.day());
    // The promo fee applies through its last day; the formula is `arithmetic::daily_charge`.
    let fee = "(CASE WHEN s.promo_fee IS NOT NULL AND s.promo_until >= $1 THEN s.promo_fee ELSE s.monthly_fee END)";
    let amount = super::arithmetic::daily_charge_sql(fee, "$2", "$3");
    let sql = format!(
        "INSERT INTO ledger_entry (account_id, kind, amount, occurred_at, moscow_day, description, subscription_id, charge_day) \
         SELECT s.account_id, 'charge', -{amount}, $4, $1, $5 || c.name, s.id, $1 \
         FROM subscription s JOIN catalog_item c ON c.id = s.catalog_item_id \
         WHERE s.starts_on <= $1 AND (s.ends_on IS NULL OR s.ends_on >= $1) AND {amount} > 0 \
           AND s.account_id IN ({}) \
         ON CONFLICT (subscription_id, charge_day) DO NOTHING \
         RETURNING account_id, amount, subscription_id",
        placeholders(6, ids.len())
    );
    let mut values: Vec<Value> = vec![
        day.into(),
        n.into(),
        dom.into(),
        start_of_moscow_day(day).into(),
        format!("Абонентская плата за {}: ", day.format("%d.%m.%Y")).into(),
    ];
    values.extend(ids.iter().map(|id| Value::from(*id)));
    let written = tx.query_all_raw(statement(&tx, &sql, values)).await?;

    let mut deltas: BTreeMap<i64, i64> = BTreeMap::new();
    for row in &written {
        let account: i64 = row.try_get("", "account_id")?;
        let amount: i64 = row.try_get("", "amount")?;
        *deltas.entry(account).or_default() += amount;
    }
    for (account, amount) in discount_written(&tx, day, &written).await? {
        *deltas.entry(account).or_default() += amount;
    }
    let mut blocked = 0;
    let mut moved = Vec::with_capacity(deltas.len());
    if !deltas.is_empty() {
        // One statement moves every balance of the batch by what this run wrote.
        let mut rows = Vec::with_capacity(deltas.len());
        let mut values: Vec<Value> = Vec::with_capacity(deltas.len() * 2);
        for (i, (account, delta)) in deltas.iter().enumerate() {
            rows.push(format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
            values.push((*account).into());
            values.push((*delta).into());
        }
        let sql = format!(
            "UPDATE account SET balance = balance + v.column2 FROM (VALUES {}) AS v WHERE account.id = v.column1 \
             RETURNING account.id AS id, account.balance AS balance",
            rows.join(", ")
        );
        for row in tx.query_all_raw(statement(&tx, &sql, values)).await? {
            let id: i64 = row.try_get("", "id")?;
            let balance: i64 = row.try_get("", "balance")?;
            moved.push((id, Kopecks::new(balance)));
        }

        // Below zero with no promised payment to stand on: blocked.
        let sql = format!(
            "UPDATE account SET status = 'blocked' WHERE status = 'active' AND id IN ({}) \
             AND {} \
             RETURNING id",
            placeholders(1, deltas.len()),
            super::arithmetic::BELOW_THRESHOLD_SQL.replace(
                "{available}",
                "balance + COALESCE((SELECT p.credit FROM promised_payment p \
                 WHERE p.account_id = account.id AND p.status = 'active'), 0)"
            )
        );
        let values = deltas.keys().map(|id| Value::from(*id)).collect();
        let rows = tx.query_all_raw(statement(&tx, &sql, values)).await?;
        let reason = format!(
            "Недостаточно средств: после списания за {} баланс ниже нуля",
            day.format("%d.%m.%Y")
        );
        for row in rows {
            let account: i64 = row.try_get("", "id")?;
            status::record(
                &tx,
                now,
                account,
                AccountStatus::Active,
                AccountStatus::Blocked,
                &reason,
            )
            .await?;
            blocked += 1;
        }
    }
    tx.commit().await?;
    Ok((written.len() as u64, blocked, moved))
}

/// Bonus discounts (see `bonus::redeem`) of the internet charges this run just
/// wrote: a charge is written once, so its discount is too. The discounted
/// monthly amount (`fee × percent / 100`, rounded down) is spread over the
/// month's days as fees are, so the month's entries add up to it exactly.
async fn discount_written(
    tx: &impl ConnectionTrait,
    day: NaiveDate,
    written: &[sea_orm::QueryResult],
) -> Result<Vec<(i64, i64)>, DbErr> {
    let mut charged = Vec::with_capacity(written.len());
    for row in written {
        charged.push((
            row.try_get::<i64>("", "account_id")?,
            row.try_get::<i64>("", "subscription_id")?,
        ));
    }
    let mut accounts: Vec<i64> = charged.iter().map(|(account, _)| *account).collect();
    accounts.sort_unstable();
    accounts.dedup();
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let mut by_percent: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    for (account, percent) in crate::bonus::redeem::discounts_on(tx, day, &accounts).await? {
        by_percent.entry(percent).or_default().push(account);
    }
    let n = i64::from(days_in_month(day));
    let dom = i64::from(day.day());
    let fee = "(CASE WHEN s.promo_fee IS NOT NULL AND s.promo_until >= $1 THEN s.promo_fee ELSE s.monthly_fee END)";
    let discounted = format!("({fee} * $6 / 100)");
    let amount = super::arithmetic::daily_charge_sql(&discounted, "$2", "$3");
    let mut credited = Vec::new();
    for (percent, accounts) in by_percent {
        let subscriptions: Vec<i64> = charged
            .iter()
            .filter(|(account, _)| accounts.contains(account))
            .map(|(_, subscription)| *subscription)
            .collect();
        let sql = format!(
            "INSERT INTO ledger_entry (account_id, kind, amount, occurred_at, moscow_day, description) \
             SELECT s.account_id, 'bonus_discount', {amount}, $4, $1, $5 || c.name \
             FROM subscription s JOIN catalog_item c ON c.id = s.catalog_item_id \
             WHERE c.kind = 'internet' AND {amount} > 0 AND s.id IN ({}) \
             RETURNING account_id, amount",
            placeholders(7, subscriptions.len()),
        );
        let mut values: Vec<Value> = vec![
            day.into(),
            n.into(),
            dom.into(),
            start_of_moscow_day(day).into(),
            format!("Скидка {percent} % за баллы, {}: ", day.format("%d.%m.%Y")).into(),
            i64::from(percent).into(),
        ];
        values.extend(subscriptions.iter().map(|id| Value::from(*id)));
        for row in tx.query_all_raw(statement(tx, &sql, values)).await? {
            credited.push((row.try_get("", "account_id")?, row.try_get("", "amount")?));
        }
    }
    Ok(credited)
}

/// Charges `day` to every active account and records the day as billed.
pub async fn run_day(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    day: NaiveDate,
) -> Result<RunReport, DbErr> {
    let mut report = RunReport::default();
    let mut after = 0;
    loop {
        let ids = active_account_ids(db, after).await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        let (charges, blocked, moved) = charge_batch(db, now, day, &ids).await?;
        report.accounts += ids.len() as u64;
        report.charges += charges;
        report.blocked += blocked;
        report.moved.extend(moved);
        after = last;
    }
    db.execute_raw(statement(
        db,
        "INSERT INTO billing_run (day, finished_at, charges) VALUES ($1, $2, $3) \
         ON CONFLICT (day) DO UPDATE SET finished_at = $2, charges = billing_run.charges + $3",
        vec![day.into(), now.into(), (report.charges as i64).into()],
    ))
    .await?;
    Ok(report)
}

/// The last day whose billing finished, if any.
pub async fn last_billed_day(db: &impl ConnectionTrait) -> Result<Option<NaiveDate>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db,
            "SELECT day FROM billing_run ORDER BY day DESC LIMIT 1",
            vec![],
        ))
        .await?;
    row.map(|row| row.try_get::<NaiveDate>("", "day"))
        .transpose()
}
