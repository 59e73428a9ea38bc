//! The terms a catalog entry brings, fixed on the subscription when it is made.

use chrono::{Days, Months, NaiveDate};

use crate::billing::subscriptions::{MinTerm, NewSubscription, Promo};
use crate::catalog::CatalogItem;

/// The last day of a period of `months` months starting on `start`.
pub fn last_day_of(start: NaiveDate, months: u32) -> NaiveDate {
    start
        .checked_add_months(Months::new(months))
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .unwrap_or(NaiveDate::MAX)
}

/// A subscription to `item` from `starts_on`, with the item's promo and
/// minimum term fixed from that day: a later catalog change does not move
/// what the subscriber agreed to.
pub fn new_subscription(
    item: &CatalogItem,
    account_id: i64,
    starts_on: NaiveDate,
) -> NewSubscription {
    NewSubscription {
        account_id,
        item_id: item.id,
        monthly_fee: item.monthly_fee,
        promo: item.terms.promo.map(|p| Promo {
            fee: p.fee,
            until: last_day_of(starts_on, p.months),
        }),
        starts_on,
        ends_on: None,
        ownership: None,
        min_term: item.terms.min_term.map(|t| MinTerm {
            until: last_day_of(starts_on, t.months),
            exit_fee: t.exit_fee,
        }),
        licence_key: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_period_of_months_ends_the_day_before_the_same_date() {
        assert_eq!(last_day_of(day(2026, 11, 26), 12), day(2027, 11, 25));
        assert_eq!(last_day_of(day(2026, 1, 31), 1), day(2026, 2, 27));
        assert_eq!(last_day_of(day(2026, 12, 1), 1), day(2026, 12, 31));
    }
}
