//! The money arithmetic of daily billing, free of storage: how a monthly fee is
//! spread over the days of a Moscow month, and how many days a sum covers.

use chrono::{Datelike, Days, NaiveDate};

use crate::money::Kopecks;

/// Days in the month of `day`.
pub fn days_in_month(day: NaiveDate) -> u32 {
    let first = day.with_day(1).unwrap_or(day);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    u32::try_from((next - first).num_days()).unwrap_or(30)
}

/// What an item with monthly fee `fee` costs on `day`: `fee div n` for a month
/// of n days, plus one kopeck on each of the first `fee mod n` days, so that
/// the month adds up to `fee` exactly.
pub fn daily_charge(fee: Kopecks, day: NaiveDate) -> Kopecks {
    let fee = fee.get().max(0);
    let n = i64::from(days_in_month(day));
    let extra = i64::from(i64::from(day.day()) <= fee % n);
    Kopecks::new(fee / n + extra)
}

/// [`daily_charge`] as an SQL expression, for the set-based billing run:
/// `fee`, `days` (in the month) and `day` (of the month) are SQL expressions.
/// A test runs it on SQLite and PostgreSQL against the Rust function for every
/// day of 28- to 31-day months, so the two cannot drift.
pub fn daily_charge_sql(fee: &str, days: &str, day: &str) -> String {
    format!("({fee} / {days} + CASE WHEN {day} <= ({fee} % {days}) THEN 1 ELSE 0 END)")
}

/// Whether `available` (the balance plus any promised credit) pays for the
/// next day's charges: below that, a promised payment is offered, and at or
/// above it a blocked account is unblocked.
pub fn covers_next_day(available: Kopecks, next_day: Kopecks) -> bool {
    available >= next_day
}

/// Whether an account with `available` (the balance plus any promised
/// credit) is below the blocking threshold, zero. The billing run says the
/// same in SQL: [`BELOW_THRESHOLD_SQL`].
pub fn below_threshold(available: Kopecks) -> bool {
    available < Kopecks::ZERO
}

/// [`below_threshold`] in SQL, over an expression `available`.
pub const BELOW_THRESHOLD_SQL: &str = "{available} < 0";

/// Longest horizon looked at when counting covered days (ten years).
pub const HORIZON_DAYS: u32 = 3660;

/// How many whole days, starting with `first`, `available` pays for when day
/// `d` costs `cost(d)`. `None` when nothing is charged at all over the horizon.
pub fn days_covered(
    available: Kopecks,
    first: NaiveDate,
    cost: impl Fn(NaiveDate) -> Kopecks,
) -> Option<u32> {
    let mut left = available.get();
    let mut charged_anything = false;
    let mut day = first;
    for covered in 0..HORIZON_DAYS {
        let charge = cost(day).get();
        if charge > 0 {
            charged_anything = true;
        }
        if charge > left {
            return Some(covered);
        }
        left -= charge;
        day = match day.checked_add_days(Days::new(1)) {
            Some(next) => next,
            None => return Some(covered + 1),
        };
    }
    charged_anything.then_some(HORIZON_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month_total(fee: i64, year: i32, month: u32) -> i64 {
        let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap();
        (0..days_in_month(first))
            .map(|d| {
                daily_charge(
                    Kopecks::new(fee),
                    first + chrono::Duration::days(i64::from(d)),
                )
                .get()
            })
            .sum()
    }

    #[test]
    fn a_month_adds_up_to_the_fee_exactly() {
        for fee in [0, 1, 29, 30, 31, 54_900, 99_999, 123_457] {
            assert_eq!(month_total(fee, 2028, 2), fee, "leap February, {fee}");
            assert_eq!(month_total(fee, 2026, 2), fee, "February, {fee}");
            assert_eq!(month_total(fee, 2026, 11), fee, "30 days, {fee}");
            assert_eq!(month_total(fee, 2026, 12), fee, "31 days, {fee}");
        }
    }

    #[test]
    fn the_first_days_carry_the_extra_kopeck() {
        // 549.00 ₽ over 30 days: 1830 each, no remainder.
        let nov = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert_eq!(daily_charge(Kopecks::new(54_900), nov(1)).get(), 1_830);
        // 550.07 ₽ over 30 days: 1833 each, the first 17 days one more.
        assert_eq!(daily_charge(Kopecks::new(55_007), nov(17)).get(), 1_834);
        assert_eq!(daily_charge(Kopecks::new(55_007), nov(18)).get(), 1_833);
        // Leap February: 29 days.
        let feb = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
        assert_eq!(days_in_month(feb), 29);
        assert_eq!(daily_charge(Kopecks::new(2_900), feb).get(), 100);
    }

    #[test]
    fn covered_days_follow_the_real_calendar() {
        let first = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let fee = Kopecks::new(30_000); // 10.00 ₽ a day in November, 9.68 early in December
        let cost = |d| daily_charge(fee, d);
        assert_eq!(days_covered(Kopecks::new(0), first, cost), Some(0));
        assert_eq!(days_covered(Kopecks::new(1_999), first, cost), Some(1));
        assert_eq!(days_covered(Kopecks::new(2_000), first, cost), Some(2));
        // 29, 30 Nov (1000 each) then 1 Dec (968): 29.68 ₽ covers three days.
        assert_eq!(days_covered(Kopecks::new(2_968), first, cost), Some(3));
        assert_eq!(days_covered(Kopecks::new(-5), first, cost), Some(0));
        assert_eq!(
            days_covered(Kopecks::new(100), first, |_| Kopecks::ZERO),
            None
        );
    }
}
