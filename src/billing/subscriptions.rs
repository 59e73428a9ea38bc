//! An account's recurring items and what they cost on a given day.

use chrono::NaiveDate;
use entity::subscription::{self, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

pub use entity::subscription::Ownership;

use super::arithmetic::daily_charge;
use crate::money::Kopecks;

/// A recurring item of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Internal id.
    pub id: i64,
    /// The account.
    pub account_id: i64,
    /// The catalog item.
    pub item_id: i64,
    /// Fee after any promo.
    pub monthly_fee: Kopecks,
    /// Fee during the promo.
    pub promo_fee: Option<Kopecks>,
    /// Last day of the promo.
    pub promo_until: Option<NaiveDate>,
    /// First day charged.
    pub starts_on: NaiveDate,
    /// Last day charged, if it ends.
    pub ends_on: Option<NaiveDate>,
    /// How equipment is held.
    pub ownership: Option<Ownership>,
}

impl Subscription {
    /// Whether the item is charged on `day`.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && self.ends_on.is_none_or(|end| day <= end)
    }

    /// The monthly fee in force on `day` (the promo fee while the promo lasts).
    pub fn fee_on(&self, day: NaiveDate) -> Kopecks {
        match (self.promo_fee, self.promo_until) {
            (Some(promo), Some(until)) if day <= until => promo,
            _ => self.monthly_fee,
        }
    }

    /// What `day` costs (zero when inactive).
    pub fn charge_on(&self, day: NaiveDate) -> Kopecks {
        if self.active_on(day) {
            daily_charge(self.fee_on(day), day)
        } else {
            Kopecks::ZERO
        }
    }
}

fn from_row(row: subscription::Model) -> Subscription {
    Subscription {
        id: row.id,
        account_id: row.account_id,
        item_id: row.catalog_item_id,
        monthly_fee: Kopecks::new(row.monthly_fee),
        promo_fee: row.promo_fee.map(Kopecks::new),
        promo_until: row.promo_until,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        ownership: row.ownership,
    }
}

/// Subscriptions of these accounts that have not ended before `today`, oldest first.
pub async fn for_accounts(
    db: &impl ConnectionTrait,
    account_ids: &[i64],
    today: NaiveDate,
) -> Result<Vec<Subscription>, DbErr> {
    Ok(subscription::Entity::find()
        .filter(Column::AccountId.is_in(account_ids.iter().copied()))
        .filter(
            sea_orm::Condition::any()
                .add(Column::EndsOn.is_null())
                .add(Column::EndsOn.gte(today)),
        )
        .order_by_asc(Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// A subscription to create.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    /// Account.
    pub account_id: i64,
    /// Catalog item.
    pub item_id: i64,
    /// Fee after any promo.
    pub monthly_fee: Kopecks,
    /// Promo fee and its last day.
    pub promo: Option<(Kopecks, NaiveDate)>,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: Option<NaiveDate>,
    /// Equipment ownership.
    pub ownership: Option<Ownership>,
}

/// Adds a subscription.
pub async fn insert(
    db: &impl ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
    new: NewSubscription,
) -> Result<Subscription, DbErr> {
    let row = subscription::ActiveModel {
        account_id: Set(new.account_id),
        catalog_item_id: Set(new.item_id),
        monthly_fee: Set(new.monthly_fee.get()),
        promo_fee: Set(new.promo.map(|(fee, _)| fee.get())),
        promo_until: Set(new.promo.map(|(_, until)| until)),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        ownership: Set(new.ownership),
        created_at: Set(now),
        ..Default::default()
    };
    Ok(from_row(
        subscription::Entity::insert(row)
            .exec_with_returning(db)
            .await?,
    ))
}

/// What the subscriptions cost together on `day`.
pub fn total_charge_on(subscriptions: &[Subscription], day: NaiveDate) -> Kopecks {
    Kopecks::new(subscriptions.iter().map(|s| s.charge_on(day).get()).sum())
}

/// The monthly total in force on `day` (sum of current monthly fees).
pub fn monthly_total_on(subscriptions: &[Subscription], day: NaiveDate) -> Kopecks {
    Kopecks::new(
        subscriptions
            .iter()
            .filter(|s| s.active_on(day))
            .map(|s| s.fee_on(day).get())
            .sum(),
    )
}
