//! An account's recurring items and what they cost on a given day.

use chrono::NaiveDate;
use entity::subscription::{self, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

pub use entity::subscription::Ownership;

use super::arithmetic::daily_charge;
use crate::money::Kopecks;

/// A promo price: a fee below the regular one until a last day. One value, so
/// a promo price without an end cannot exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Promo {
    /// The monthly fee while the promo lasts.
    pub fee: Kopecks,
    /// The promo's last day.
    pub until: NaiveDate,
}

/// A minimum term fixed when the item was subscribed: leaving before its
/// last day costs a compensation that falls evenly to zero over the term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinTerm {
    /// The term's last day.
    pub until: NaiveDate,
    /// What leaving on the term's first day costs.
    pub exit_fee: Kopecks,
}

/// A recurring item of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Internal id.
    pub id: i64,
    /// The account.
    pub account_id: i64,
    /// The catalog item.
    pub item_id: i64,
    /// The regular monthly fee (what a promo ends into).
    pub monthly_fee: Kopecks,
    /// A promo price and its last day, if any.
    pub promo: Option<Promo>,
    /// First day charged.
    pub starts_on: NaiveDate,
    /// Last day charged, if it ends.
    pub ends_on: Option<NaiveDate>,
    /// How equipment is held.
    pub ownership: Option<Ownership>,
    /// A minimum term, if the item came with one.
    pub min_term: Option<MinTerm>,
    /// A licence key (antivirus bought).
    pub licence_key: Option<String>,
}

impl Subscription {
    /// Whether the item is charged on `day`.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && self.ends_on.is_none_or(|end| day <= end)
    }

    /// The monthly fee in force on `day` (the promo fee while the promo lasts).
    pub fn fee_on(&self, day: NaiveDate) -> Kopecks {
        match self.promo {
            Some(promo) if day <= promo.until => promo.fee,
            _ => self.monthly_fee,
        }
    }

    /// The last day of a promo still running on `day`.
    pub fn promo_until_on(&self, day: NaiveDate) -> Option<NaiveDate> {
        self.promo.map(|p| p.until).filter(|until| *until >= day)
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
        // Both columns or neither: a fee without an end (or an end without a
        // fee) is not a promo.
        promo: row
            .promo_fee
            .zip(row.promo_until)
            .map(|(fee, until)| Promo {
                fee: Kopecks::new(fee),
                until,
            }),
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        ownership: row.ownership,
        min_term: row
            .min_term_until
            .zip(row.early_exit_fee)
            .map(|(until, fee)| MinTerm {
                until,
                exit_fee: Kopecks::new(fee),
            }),
        licence_key: row.licence_key,
    }
}

/// The subscriptions of these accounts still running on `today` or later
/// (not ended before it), oldest first.
fn current_of(account_ids: &[i64], today: NaiveDate) -> sea_orm::Select<subscription::Entity> {
    subscription::Entity::find()
        .filter(Column::AccountId.is_in(account_ids.iter().copied()))
        .filter(
            sea_orm::Condition::any()
                .add(Column::EndsOn.is_null())
                .add(Column::EndsOn.gte(today)),
        )
        .order_by_asc(Column::Id)
}

/// Subscriptions of these accounts that have not ended before `today`, oldest first.
pub async fn for_accounts(
    db: &impl ConnectionTrait,
    account_ids: &[i64],
    today: NaiveDate,
) -> Result<Vec<Subscription>, DbErr> {
    Ok(current_of(account_ids, today)
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// As [`for_accounts`], each with its catalog entry, in one statement (what
/// the account's pages show: names, kinds, the tariff).
pub async fn for_accounts_with_entries(
    db: &impl ConnectionTrait,
    account_ids: &[i64],
    today: NaiveDate,
) -> Result<Vec<(Subscription, crate::catalog::CatalogItem)>, DbErr> {
    Ok(current_of(account_ids, today)
        .find_also_related(entity::catalog_item::Entity)
        .all(db)
        .await?
        .into_iter()
        // The foreign key keeps every subscription's entry.
        .filter_map(|(row, entry)| Some((from_row(row), crate::catalog::from_row(entry?))))
        .collect())
}

/// The subscription with this id, whoever's (the caller checks the owner).
pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<Subscription>, DbErr> {
    Ok(subscription::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(from_row))
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
    /// A promo price and its last day.
    pub promo: Option<Promo>,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: Option<NaiveDate>,
    /// Equipment ownership.
    pub ownership: Option<Ownership>,
    /// A minimum term.
    pub min_term: Option<MinTerm>,
    /// A licence key.
    pub licence_key: Option<String>,
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
        promo_fee: Set(new.promo.map(|p| p.fee.get())),
        promo_until: Set(new.promo.map(|p| p.until)),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        ownership: Set(new.ownership),
        min_term_until: Set(new.min_term.map(|t| t.until)),
        early_exit_fee: Set(new.min_term.map(|t| t.exit_fee.get())),
        licence_key: Set(new.licence_key),
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
    subscriptions.iter().map(|s| s.charge_on(day)).sum()
}

/// One recurring charge as the subscriber sees it on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostLine {
    /// The catalog item.
    pub item_id: i64,
    /// The monthly fee in force that day.
    pub fee: Kopecks,
    /// The last day of a promo still running, if any.
    pub promo_until: Option<NaiveDate>,
    /// The fee once the promo ends (the regular fee).
    pub fee_after_promo: Kopecks,
}

/// The monthly cost on a day: its lines and totals.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CostBreakdown {
    /// Every charge in force that day (items not started or already ended are not).
    pub lines: Vec<CostLine>,
    /// The monthly total in force.
    pub total: Kopecks,
    /// The monthly total once every promo has ended.
    pub total_after_promos: Kopecks,
}

/// The monthly cost of the subscriptions on `day`: the one answer for the
/// breakdown a subscriber sees and for the monthly total rules use.
pub fn breakdown_on(subscriptions: &[Subscription], day: NaiveDate) -> CostBreakdown {
    let lines: Vec<CostLine> = subscriptions
        .iter()
        .filter(|s| s.active_on(day))
        .map(|s| CostLine {
            item_id: s.item_id,
            fee: s.fee_on(day),
            promo_until: s.promo_until_on(day),
            fee_after_promo: s.monthly_fee,
        })
        .collect();
    CostBreakdown {
        total: lines.iter().map(|l| l.fee).sum(),
        total_after_promos: lines.iter().map(|l| l.fee_after_promo).sum(),
        lines,
    }
}

/// The tariff plan in force on `day`: the first item active that day whose
/// catalog entry (from `catalog`, by item id) is a tariff.
pub fn tariff_on<'a>(
    subscriptions: &[Subscription],
    day: NaiveDate,
    catalog: &'a std::collections::HashMap<i64, crate::catalog::CatalogItem>,
) -> Option<&'a crate::catalog::CatalogItem> {
    subscriptions
        .iter()
        .filter(|s| s.active_on(day))
        .filter_map(|s| catalog.get(&s.item_id))
        .find(|entry| entry.is_tariff)
}

/// The monthly total in force on `day` (sum of current monthly fees).
pub fn monthly_total_on(subscriptions: &[Subscription], day: NaiveDate) -> Kopecks {
    breakdown_on(subscriptions, day).total
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::catalog::{CatalogItem, ServiceKind};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn item(id: i64, fee: i64, starts: u32, promo: Option<(i64, u32)>) -> Subscription {
        Subscription {
            id,
            account_id: 1,
            item_id: id,
            monthly_fee: Kopecks::new(fee),
            promo: promo.map(|(fee, until)| Promo {
                fee: Kopecks::new(fee),
                until: day(until),
            }),
            starts_on: day(starts),
            ends_on: None,
            ownership: None,
            min_term: None,
            licence_key: None,
        }
    }

    #[test]
    fn the_breakdown_and_the_monthly_total_are_one_answer() {
        let items = [
            item(1, 80_000, 1, None),
            item(2, 15_000, 1, Some((0, 20))),
            item(3, 9_900, 26, None), // starts later: not in force yet
        ];
        for d in [10, 20, 21, 26] {
            let cost = breakdown_on(&items, day(d));
            assert_eq!(cost.total, monthly_total_on(&items, day(d)), "day {d}");
            assert_eq!(cost.lines.len(), if d < 26 { 2 } else { 3 });
        }
        let on_10 = breakdown_on(&items, day(10));
        assert_eq!(on_10.total, Kopecks::new(80_000));
        assert_eq!(on_10.total_after_promos, Kopecks::new(95_000));
        assert_eq!(on_10.lines[1].promo_until, Some(day(20)));
        assert_eq!(breakdown_on(&items, day(21)).lines[1].promo_until, None);
    }

    #[test]
    fn the_tariff_in_force_is_the_active_tariff_item() {
        let entry = |id: i64, is_tariff: bool| CatalogItem {
            id,
            code: format!("c{id}"),
            is_tariff,
            kind: ServiceKind::Internet,
            name: String::new(),
            description: String::new(),
            monthly_fee: Kopecks::ZERO,
            speed_mbps: None,
            tv_channels: None,
            requires_kind: None,
            terms: crate::catalog::Terms::default(),
            purchase: None,
        };
        let catalog: HashMap<i64, CatalogItem> = [
            (1, entry(1, false)),
            (2, entry(2, true)),
            (3, entry(3, true)),
        ]
        .into();
        let items = [
            item(1, 100, 1, None),
            item(2, 100, 1, None),
            item(3, 100, 26, None),
        ];
        assert_eq!(tariff_on(&items, day(10), &catalog).map(|c| c.id), Some(2));
        assert_eq!(tariff_on(&items[..1], day(10), &catalog), None);
    }
}
