//! Points that come and go by themselves: a share of each month's paid
//! charges (once per account and month, however many replicas run it: a
//! unique source per entry, in one transaction with the month's marker) and
//! the expiry of credits whose time is up (each credit once, by a conditional
//! update of what remains of it).

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use entity::bonus_entry::{self, Column};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Value,
};

use super::BonusRules;
use crate::db::statement;
use crate::time::moscow_date;

/// The month before the Moscow month of `now` (its first day).
pub fn previous_month(now: DateTime<Utc>) -> NaiveDate {
    let today = moscow_date(now);
    let first = today.with_day(1).unwrap_or(today);
    first.checked_sub_months(Months::new(1)).unwrap_or(first)
}

fn last_day(month: NaiveDate) -> NaiveDate {
    month
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(month)
}

/// Points for the charges of `month` (its first day) to every member, once.
/// Returns how many members earned points now (0 when the month was done).
pub async fn award_month(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    rules: &BonusRules,
    month: NaiveDate,
) -> Result<u64, DbErr> {
    let tx = crate::db::begin_write(db).await?;
    // The marker goes first: a second run waits on it, then finds it taken.
    let marked = tx
        .query_one_raw(statement(
            &tx,
            "INSERT INTO bonus_run (month, finished_at, accounts) VALUES ($1, $2, 0) \
             ON CONFLICT (month) DO NOTHING RETURNING month",
            vec![month.into(), now.into()],
        ))
        .await?;
    if marked.is_none() {
        return Ok(0);
    }
    let source = format!("charges:{}", month.format("%Y-%m"));
    let description = format!("Баллы за услуги в {}", month.format("%m.%Y"));
    // Charges net of bonus discounts, made while a member; per 100 ₽ charged
    // `points_per_100_rub` points, rounded down.
    let points = "(c.charged * $3 / 10000)";
    let sql = format!(
        "INSERT INTO bonus_entry (account_id, points, reason, description, source, ledger_entry_id, \
         redemption_id, staff_credential_id, created_at, expires_at, remaining) \
         SELECT b.account_id, {points}, 'monthly_charges', $4, $5, NULL, NULL, NULL, $6, $7, {points} \
         FROM bonus_account b JOIN (SELECT l.account_id, -SUM(l.amount) AS charged FROM ledger_entry l \
           JOIN bonus_account m ON m.account_id = l.account_id \
           WHERE l.kind IN ('charge', 'bonus_discount') AND l.moscow_day >= $1 AND l.moscow_day <= $2 \
             AND l.occurred_at >= m.enrolled_at \
           GROUP BY l.account_id) c ON c.account_id = b.account_id \
         WHERE {points} > 0 \
         ON CONFLICT (account_id, source) DO NOTHING RETURNING account_id, points"
    );
    let values: Vec<Value> = vec![
        month.into(),
        last_day(month).into(),
        rules.points_per_100_rub.into(),
        description.into(),
        source.into(),
        now.into(),
        (now + rules.validity).into(),
    ];
    let earned = tx.query_all_raw(statement(&tx, &sql, values)).await?;
    let mut pairs = Vec::with_capacity(earned.len());
    for row in &earned {
        pairs.push((
            row.try_get::<i64>("", "account_id")?,
            row.try_get::<i64>("", "points")?,
        ));
    }
    for chunk in pairs.chunks(1000) {
        add_points(&tx, chunk).await?;
    }
    tx.execute_raw(statement(
        &tx,
        "UPDATE bonus_run SET accounts = $1 WHERE month = $2",
        vec![(pairs.len() as i64).into(), month.into()],
    ))
    .await?;
    tx.commit().await?;
    Ok(pairs.len() as u64)
}

/// Adds each pair's points to its member, in one statement.
async fn add_points(tx: &impl ConnectionTrait, pairs: &[(i64, i64)]) -> Result<(), DbErr> {
    if pairs.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::with_capacity(pairs.len());
    let mut values: Vec<Value> = Vec::with_capacity(pairs.len() * 2);
    for (i, (account, points)) in pairs.iter().enumerate() {
        rows.push(format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
        values.push((*account).into());
        values.push((*points).into());
    }
    let sql = format!(
        "UPDATE bonus_account SET points = points + v.column2 FROM (VALUES {}) AS v \
         WHERE bonus_account.account_id = v.column1",
        rows.join(", ")
    );
    tx.execute_raw(statement(tx, &sql, values)).await?;
    Ok(())
}

/// Awards the previous month once its last day is billed.
pub async fn award_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    rules: &BonusRules,
) -> Result<u64, DbErr> {
    if rules.points_per_100_rub <= 0 {
        return Ok(0);
    }
    let month = previous_month(now);
    match crate::billing::run::last_billed_day(db).await? {
        Some(billed) if billed >= last_day(month) => {}
        _ => return Ok(0),
    }
    let done = db
        .query_one_raw(statement(
            db,
            "SELECT month FROM bonus_run WHERE month = $1",
            vec![month.into()],
        ))
        .await?;
    if done.is_some() {
        return Ok(0);
    }
    award_month(db, now, rules, month).await
}

/// Credits looked at per round of expiry.
const EXPIRY_BATCH: u64 = 500;

/// Takes away what remains of credits whose time is up; each credit once.
/// Returns how many points expired.
pub async fn expire_due(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<i64, DbErr> {
    let due = bonus_entry::Entity::find()
        .filter(Column::Remaining.gt(0))
        .filter(Column::ExpiresAt.lte(now))
        .order_by_asc(Column::Id)
        .limit(EXPIRY_BATCH)
        .all(db)
        .await?;
    let mut expired = 0;
    for credit in due {
        let tx = crate::db::begin_write(db).await?;
        let claimed = tx
            .execute_raw(statement(
                &tx,
                "UPDATE bonus_entry SET remaining = 0 WHERE id = $1 AND remaining = $2",
                vec![credit.id.into(), credit.remaining.into()],
            ))
            .await?;
        if claimed.rows_affected() == 0 {
            // Spent or expired meanwhile; the next round sees what is left.
            continue;
        }
        // What remains of credits is what the member holds, so this never
        // goes below zero; the guard keeps it so even if that were broken.
        let taken = tx
            .execute_raw(statement(
                &tx,
                "UPDATE bonus_account SET points = points - $1 WHERE account_id = $2 AND points >= $1",
                vec![credit.remaining.into(), credit.account_id.into()],
            ))
            .await?;
        if taken.rows_affected() == 0 {
            tracing::error!(
                account = credit.account_id,
                "bonus points below what remains of credits; expiry skipped"
            );
            continue;
        }
        tx.execute_raw(statement(
            &tx,
            "INSERT INTO bonus_entry (account_id, points, reason, description, source, ledger_entry_id, \
             redemption_id, staff_credential_id, created_at, expires_at, remaining) \
             VALUES ($1, $2, $3, $4, NULL, NULL, NULL, NULL, $5, NULL, 0)",
            vec![
                credit.account_id.into(),
                (-credit.remaining).into(),
                "expiry".into(),
                format!("Срок баллов истёк: {}", credit.description)
                    .chars()
                    .take(300)
                    .collect::<String>()
                    .into(),
                now.into(),
            ],
        ))
        .await?;
        tx.commit().await?;
        expired += credit.remaining;
    }
    Ok(expired)
}

/// The credits that expire next: when, and how many points.
pub async fn next_expiry(
    db: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Option<(DateTime<Utc>, i64)>, DbErr> {
    let credits = bonus_entry::Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::Remaining.gt(0))
        .filter(Column::ExpiresAt.is_not_null())
        .order_by_asc(Column::ExpiresAt)
        .all(db)
        .await?;
    let Some(first) = credits.first().and_then(|c| c.expires_at) else {
        return Ok(None);
    };
    let day = moscow_date(first);
    let points = credits
        .iter()
        .filter(|c| c.expires_at.is_some_and(|at| moscow_date(at) == day))
        .map(|c| c.remaining)
        .sum();
    Ok(Some((first, points)))
}
