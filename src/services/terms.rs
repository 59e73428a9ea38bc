//! The terms a catalog entry brings, fixed on the subscription when it is
//! made, and what leaving under a minimum term costs on a given day.

use chrono::{Days, Months, NaiveDate};

use crate::billing::subscriptions::{MinTerm, NewSubscription, Promo, Subscription};
use crate::catalog::CatalogItem;
use crate::money::Kopecks;

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
    }
}

/// What ending `subscription` so that `day` is its first day without service
/// costs under its minimum term: the exit fee times the share of the term's
/// days from `day` on, rounded down (the subscriber never pays a part of a
/// kopeck); zero once the term is over.
pub fn exit_charge_on(subscription: &Subscription, day: NaiveDate) -> Kopecks {
    let Some(term) = subscription.min_term else {
        return Kopecks::ZERO;
    };
    if day > term.until {
        return Kopecks::ZERO;
    }
    let total = (term.until - subscription.starts_on).num_days() + 1;
    let left = ((term.until - day).num_days() + 1).min(total);
    if total <= 0 || left <= 0 {
        return Kopecks::ZERO;
    }
    let share = i128::from(term.exit_fee.get()) * i128::from(left) / i128::from(total);
    Kopecks::new(i64::try_from(share).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn under_term(starts: NaiveDate, until: NaiveDate, fee: i64) -> Subscription {
        Subscription {
            id: 1,
            account_id: 1,
            item_id: 1,
            monthly_fee: Kopecks::new(100),
            promo: None,
            starts_on: starts,
            ends_on: None,
            ownership: None,
            min_term: Some(MinTerm {
                until,
                exit_fee: Kopecks::new(fee),
            }),
        }
    }

    #[test]
    fn a_period_of_months_ends_the_day_before_the_same_date() {
        assert_eq!(last_day_of(day(2026, 11, 26), 12), day(2027, 11, 25));
        assert_eq!(last_day_of(day(2026, 1, 31), 1), day(2026, 2, 27));
        assert_eq!(last_day_of(day(2026, 12, 1), 1), day(2026, 12, 31));
    }

    #[test]
    fn the_exit_charge_falls_evenly_to_zero_over_the_term() {
        let s = under_term(day(2026, 1, 1), day(2026, 1, 10), 1000);
        assert_eq!(exit_charge_on(&s, day(2026, 1, 1)), Kopecks::new(1000));
        assert_eq!(exit_charge_on(&s, day(2026, 1, 2)), Kopecks::new(900));
        assert_eq!(exit_charge_on(&s, day(2026, 1, 10)), Kopecks::new(100));
        assert_eq!(exit_charge_on(&s, day(2026, 1, 11)), Kopecks::ZERO);
        // Rounded down: 7 × 2 / 3 = 4.67 → 4.
        let s = under_term(day(2026, 1, 1), day(2026, 1, 3), 7);
        assert_eq!(exit_charge_on(&s, day(2026, 1, 2)), Kopecks::new(4));
        let mut none = s.clone();
        none.min_term = None;
        assert_eq!(exit_charge_on(&none, day(2026, 1, 2)), Kopecks::ZERO);
    }
}
