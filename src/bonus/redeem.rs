//! Taking a catalog item for points: in one transaction the points are taken
//! (guarded), the stock lowered (guarded), the redemption written (one
//! internet discount per account and month, by a unique index) and its code
//! made; any refusal rolls all of it back. With an idempotency key the first
//! result is returned to every repeat.

use chrono::{DateTime, NaiveDate, Utc};
use entity::bonus_redemption;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, SqlErr,
};

use super::catalog::{self, Item, Viewer};
use super::points::{self, Debit};
use super::{BonusEffect, BonusError, BonusReason, member, random_code};
use crate::db::statement;
use crate::idempotency::{self, Claim, IdempotencyKey};

/// The discount the internet-discount item gives, percent.
pub const INTERNET_DISCOUNT_PERCENT: i32 = 50;

/// An item taken for points.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Redemption {
    /// Internal id.
    pub id: i64,
    /// Whose.
    pub account_id: i64,
    /// The item.
    pub item_id: i64,
    /// Points paid.
    pub points: i64,
    /// A digital product's code.
    pub code: Option<String>,
    /// The first day of the month a discount covers.
    pub discount_month: Option<NaiveDate>,
    /// The discount, percent of the internet fee.
    pub discount_percent: Option<i32>,
    /// When.
    pub created_at: DateTime<Utc>,
}

fn from_row(row: bonus_redemption::Model) -> Redemption {
    Redemption {
        id: row.id,
        account_id: row.account_id,
        item_id: row.item_id,
        points: row.points,
        code: row.code,
        discount_month: row.discount_month,
        discount_percent: row.discount_percent,
        created_at: row.created_at,
    }
}

/// Redemptions by id.
pub async fn find_many(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Redemption>, DbErr> {
    Ok(bonus_redemption::Entity::find()
        .filter(bonus_redemption::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// An account's redemptions, newest first, with their total count.
pub async fn page(
    db: &impl ConnectionTrait,
    account_id: i64,
    request: &crate::pagination::PageRequest,
) -> Result<crate::pagination::Page<Redemption>, DbErr> {
    let list =
        bonus_redemption::Entity::find().filter(bonus_redemption::Column::AccountId.eq(account_id));
    Ok(crate::pagination::fetch(
        db,
        list,
        (
            bonus_redemption::Column::Id,
            crate::pagination::Direction::Descending,
        ),
        |row| row.id,
        request,
    )
    .await?
    .map(from_row))
}

/// What decides whether `account_id` can take items now.
pub async fn viewer(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
) -> Result<Viewer, DbErr> {
    let today = crate::time::moscow_date(now);
    let items = crate::billing::subscriptions::for_accounts(db, &[account_id], today).await?;
    let ids: Vec<i64> = items
        .iter()
        .filter(|s| s.active_on(today))
        .map(|s| s.item_id)
        .collect();
    let kinds = crate::catalog::find_many(db, &ids)
        .await?
        .into_iter()
        .map(|entry| entry.kind)
        .collect();
    let discount_taken = bonus_redemption::Entity::find()
        .filter(bonus_redemption::Column::AccountId.eq(account_id))
        .filter(bonus_redemption::Column::DiscountMonth.eq(catalog::discount_month(now)))
        .one(db)
        .await?
        .is_some();
    Ok(Viewer {
        member: member(db, account_id).await?,
        kinds,
        discount_taken,
    })
}

/// Takes item `item_id` for `account_id`.
pub async fn redeem(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    item_id: i64,
    key: Option<&IdempotencyKey>,
) -> Result<Redemption, BonusError> {
    let claim = key.map(|key| Claim {
        account_id,
        operation: "redeemBonusItem",
        key,
        input: serde_json::json!({ "itemId": item_id }),
    });
    idempotency::run(db, now, claim, |tx| async move {
        let result = redeem_in(&tx, now, account_id, item_id).await;
        (tx, result)
    })
    .await
}

async fn redeem_in(
    tx: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    item_id: i64,
) -> Result<Redemption, BonusError> {
    let item = catalog::find(tx, item_id)
        .await?
        .ok_or(BonusError::NoItem)?;
    let viewer = viewer(tx, now, account_id).await?;
    // Told in the catalog's order; the guarded updates below decide the races.
    match catalog::refusal(&item, &viewer) {
        None | Some(BonusError::InsufficientPoints) | Some(BonusError::OutOfStock) => {}
        Some(refusal) => return Err(refusal),
    }
    let (discount_month, discount_percent) = match item.effect {
        BonusEffect::InternetDiscount50 => (
            Some(catalog::discount_month(now)),
            Some(INTERNET_DISCOUNT_PERCENT),
        ),
        BonusEffect::Goods | BonusEffect::DigitalCode => (None, None),
    };
    let code = (item.effect == BonusEffect::DigitalCode).then(|| {
        format!(
            "KB-{}-{}-{}",
            random_code(4),
            random_code(4),
            random_code(4)
        )
    });
    // Points first: with too few, nothing of the stock is touched.
    let debited = points::debit_in(
        tx,
        now,
        Debit {
            account_id,
            points: item.price,
            reason: BonusReason::Redemption,
            description: item.name.clone(),
            redemption_id: None,
            staff_credential_id: None,
        },
    )
    .await?;
    take_one(tx, &item).await?;
    let row = bonus_redemption::ActiveModel {
        account_id: Set(account_id),
        item_id: Set(item.id),
        points: Set(item.price),
        code: Set(code.clone()),
        discount_month: Set(discount_month),
        discount_percent: Set(discount_percent),
        created_at: Set(now),
        ..Default::default()
    };
    let id = match bonus_redemption::Entity::insert(row).exec(tx).await {
        Ok(done) => done.last_insert_id,
        // Another redemption of the same month's discount won the race.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(BonusError::DiscountTaken);
        }
        Err(err) => return Err(err.into()),
    };
    tx.execute_raw(statement(
        tx,
        "UPDATE bonus_entry SET redemption_id = $1 WHERE id = $2",
        vec![id.into(), debited.entry_id.into()],
    ))
    .await?;
    Ok(Redemption {
        id,
        account_id,
        item_id: item.id,
        points: item.price,
        code,
        discount_month,
        discount_percent,
        created_at: now,
    })
}

/// Lowers a limited stock by one, never below zero.
async fn take_one(tx: &impl ConnectionTrait, item: &Item) -> Result<(), BonusError> {
    if item.stock.is_none() {
        return Ok(());
    }
    let result = tx
        .execute_raw(statement(
            tx,
            "UPDATE bonus_item SET stock = stock - 1 WHERE id = $1 AND stock > 0",
            vec![item.id.into()],
        ))
        .await?;
    if result.rows_affected() == 0 {
        return Err(BonusError::OutOfStock);
    }
    Ok(())
}

/// The internet discount of each account for the month of `day`, percent.
pub async fn discounts_on(
    db: &impl ConnectionTrait,
    day: NaiveDate,
    account_ids: &[i64],
) -> Result<Vec<(i64, i32)>, DbErr> {
    let month = month_of(day);
    Ok(bonus_redemption::Entity::find()
        .filter(bonus_redemption::Column::AccountId.is_in(account_ids.iter().copied()))
        .filter(bonus_redemption::Column::DiscountMonth.eq(month))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.account_id, r.discount_percent?)))
        .collect())
}

/// The first day of `day`'s month.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    day.with_day(1).unwrap_or(day)
}

/// What a discount of `percent` takes off a month's internet fees: rounded
/// down, as billing spreads it (`billing::run`).
pub fn discount_of(internet_fees: crate::money::Kopecks, percent: i32) -> crate::money::Kopecks {
    crate::money::Kopecks::new(internet_fees.get() * i64::from(percent) / 100)
}

/// The discounts of an account for the month of `today` and the next, by month.
pub async fn discounts_around(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    account_id: i64,
) -> Result<Vec<(NaiveDate, i32)>, DbErr> {
    let this = month_of(today);
    let next = this
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(this);
    let mut found: Vec<(NaiveDate, i32)> = bonus_redemption::Entity::find()
        .filter(bonus_redemption::Column::AccountId.eq(account_id))
        .filter(bonus_redemption::Column::DiscountMonth.is_in([this, next]))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.discount_month?, r.discount_percent?)))
        .collect();
    found.sort();
    Ok(found)
}
