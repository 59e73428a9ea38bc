//! The cost of leaving: what ending a subscription (or the whole contract)
//! today would cost, line by line with the rule behind each line and the last
//! day it is owed. One home for the rule: the contract's `exitCost`, the
//! equipment's figures and a disconnection's one-off charge all come from here.

use chrono::{Days, NaiveDate};

use crate::billing::arithmetic::daily_charge;
use crate::billing::subscriptions::{Ownership, Subscription};
use crate::money::Kopecks;

/// Why leaving costs something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    /// Instalments of equipment not yet paid.
    Instalments,
    /// Equipment given free or cheap for a minimum term: its compensation,
    /// falling evenly to zero over the term.
    EquipmentCompensation,
    /// A service's minimum term: its compensation, falling evenly to zero.
    EarlyTermination,
    /// A service's promo price granted for a minimum term: the discount received so far.
    PromoClawback,
}

/// One line of the cost of leaving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitLine {
    /// Why.
    pub kind: ExitKind,
    /// The subscription it concerns.
    pub subscription_id: i64,
    /// What leaving on the day costs for it (zero when waived).
    pub amount: Kopecks,
    /// What it would cost without the trial period.
    pub full_amount: Kopecks,
    /// The last day it is owed; from the day after, it is zero.
    pub until: NaiveDate,
    /// Waived: the subscription is in its trial period.
    pub waived: bool,
}

/// The trial period's last day of a subscription (`None` with no trial).
pub fn trial_until(subscription: &Subscription, trial_days: u32) -> Option<NaiveDate> {
    (trial_days > 0).then(|| {
        subscription
            .starts_on
            .checked_add_days(Days::new(u64::from(trial_days) - 1))
            .unwrap_or(NaiveDate::MAX)
    })
}

/// What ending `subscription` so that `leaving` is its first day without
/// service costs, line by line: instalments left, the minimum term's
/// compensation, the promo discount received under the term. Everything is
/// waived while the subscription is in its trial period on the day before
/// `leaving` (the last day of service).
pub fn lines_for(
    subscription: &Subscription,
    leaving: NaiveDate,
    trial_days: u32,
) -> Vec<ExitLine> {
    let last_day = leaving.pred_opt().unwrap_or(leaving);
    let waived = trial_until(subscription, trial_days).is_some_and(|t| last_day <= t);
    let mut lines = Vec::new();
    let mut push = |kind, full_amount: Kopecks, until| {
        if full_amount > Kopecks::ZERO {
            lines.push(ExitLine {
                kind,
                subscription_id: subscription.id,
                amount: if waived { Kopecks::ZERO } else { full_amount },
                full_amount,
                until,
                waived,
            });
        }
    };
    if subscription.ownership == Some(Ownership::Instalment)
        && let Some(end) = subscription.ends_on
    {
        let left: Kopecks = leaving
            .iter_days()
            .take_while(|d| *d <= end)
            .map(|d| subscription.charge_on(d))
            .sum();
        push(ExitKind::Instalments, left, end);
    }
    if let Some(term) = subscription.min_term.filter(|t| leaving <= t.until) {
        let kind = if subscription.ownership.is_some() {
            ExitKind::EquipmentCompensation
        } else {
            ExitKind::EarlyTermination
        };
        push(kind, compensation_on(subscription, leaving), term.until);
        // Equipment's compensation already stands for what it was given at;
        // a service's promo under a term is owed back when the term is broken.
        if let Some(promo) = subscription
            .promo
            .filter(|_| subscription.ownership.is_none())
        {
            // The discount of every promo day served so far.
            let clawback: Kopecks = subscription
                .starts_on
                .iter_days()
                .take_while(|d| *d <= promo.until && *d < leaving)
                .map(|d| daily_charge(subscription.monthly_fee, d) - daily_charge(promo.fee, d))
                .sum();
            push(ExitKind::PromoClawback, clawback, term.until);
        }
    }
    lines
}

/// The minimum term's compensation for leaving so that `leaving` is the first
/// day without service: the exit fee times the share of the term's days from
/// `leaving` on, rounded down (never a part of a kopeck); zero once the term
/// is over.
pub fn compensation_on(subscription: &Subscription, leaving: NaiveDate) -> Kopecks {
    let Some(term) = subscription.min_term else {
        return Kopecks::ZERO;
    };
    if leaving > term.until {
        return Kopecks::ZERO;
    }
    let total = (term.until - subscription.starts_on).num_days() + 1;
    let left = ((term.until - leaving).num_days() + 1).min(total);
    if total <= 0 || left <= 0 {
        return Kopecks::ZERO;
    }
    let share = i128::from(term.exit_fee.get()) * i128::from(left) / i128::from(total);
    Kopecks::new(i64::try_from(share).unwrap_or(i64::MAX))
}

/// What leaving the whole contract so that `leaving` is the first day without
/// service costs: the lines of every subscription in force the day before.
/// A subscription already ending (a disconnection scheduled, its charge
/// pending) has nothing more to add, except instalments that run on.
pub fn contract_lines(
    items: &[Subscription],
    leaving: NaiveDate,
    trial_days: u32,
) -> Vec<ExitLine> {
    let last_day = leaving.pred_opt().unwrap_or(leaving);
    items
        .iter()
        .filter(|s| s.active_on(last_day))
        .filter(|s| s.ends_on.is_none() || s.ownership == Some(Ownership::Instalment))
        .flat_map(|s| lines_for(s, leaving, trial_days))
        .collect()
}

/// Instalments not yet charged (a product bought in instalments), one line
/// per subscription: owed however one leaves, except within its trial period.
pub fn instalment_lines(
    items: &[Subscription],
    unpaid: &[super::antivirus::Instalment],
    leaving: NaiveDate,
    trial_days: u32,
) -> Vec<ExitLine> {
    let last_day = leaving.pred_opt().unwrap_or(leaving);
    let mut by_subscription: Vec<(i64, Kopecks, NaiveDate)> = Vec::new();
    for i in unpaid {
        match by_subscription
            .iter_mut()
            .find(|(id, _, _)| *id == i.subscription_id)
        {
            Some((_, left, until)) => {
                *left += i.amount;
                *until = (*until).max(i.due_on);
            }
            None => by_subscription.push((i.subscription_id, i.amount, i.due_on)),
        }
    }
    by_subscription
        .into_iter()
        .filter_map(|(id, left, until)| {
            let sub = items.iter().find(|s| s.id == id)?;
            let waived = trial_until(sub, trial_days).is_some_and(|t| last_day <= t);
            Some(ExitLine {
                kind: ExitKind::Instalments,
                subscription_id: id,
                amount: if waived { Kopecks::ZERO } else { left },
                full_amount: left,
                until,
                waived,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::subscriptions::{MinTerm, Promo};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn under_term(starts: NaiveDate, until: NaiveDate, fee: i64) -> Subscription {
        Subscription {
            id: 1,
            account_id: 1,
            item_id: 1,
            monthly_fee: Kopecks::new(3_000),
            promo: None,
            starts_on: starts,
            ends_on: None,
            ownership: None,
            min_term: Some(MinTerm {
                until,
                exit_fee: Kopecks::new(fee),
            }),
            licence_key: None,
        }
    }

    #[test]
    fn the_compensation_falls_evenly_to_zero_over_the_term() {
        let s = under_term(day(2026, 1, 1), day(2026, 1, 10), 1000);
        assert_eq!(compensation_on(&s, day(2026, 1, 1)), Kopecks::new(1000));
        assert_eq!(compensation_on(&s, day(2026, 1, 2)), Kopecks::new(900));
        assert_eq!(compensation_on(&s, day(2026, 1, 10)), Kopecks::new(100));
        assert_eq!(compensation_on(&s, day(2026, 1, 11)), Kopecks::ZERO);
        // Rounded down: 7 × 2 / 3 = 4.67 → 4.
        let s = under_term(day(2026, 1, 1), day(2026, 1, 3), 7);
        assert_eq!(compensation_on(&s, day(2026, 1, 2)), Kopecks::new(4));
        let mut none = s.clone();
        none.min_term = None;
        assert_eq!(compensation_on(&none, day(2026, 1, 2)), Kopecks::ZERO);
    }

    #[test]
    fn the_trial_period_waives_every_line_and_then_they_apply() {
        let s = under_term(day(2026, 1, 1), day(2026, 12, 31), 36_500);
        // Last day of service the 14th: still in the trial.
        let lines = lines_for(&s, day(2026, 1, 15), 14);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].waived);
        assert_eq!(lines[0].amount, Kopecks::ZERO);
        assert!(lines[0].full_amount > Kopecks::ZERO);
        let lines = lines_for(&s, day(2026, 1, 16), 14);
        assert!(!lines[0].waived);
        assert_eq!(lines[0].amount, lines[0].full_amount);
        assert_eq!(
            lines_for(&s, day(2026, 1, 16), 0)[0].amount,
            lines[0].amount
        );
    }

    #[test]
    fn a_promo_under_a_term_claws_back_the_discount_received() {
        let mut s = under_term(day(2026, 11, 1), day(2027, 10, 31), 0);
        // 30 ₽ a month, 0 ₽ for November: 1 ₽ a day of discount.
        s.promo = Some(Promo {
            fee: Kopecks::ZERO,
            until: day(2026, 11, 30),
        });
        let lines = lines_for(&s, day(2026, 11, 21), 0);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0].kind, ExitKind::PromoClawback);
        assert_eq!(lines[0].amount, Kopecks::new(2_000));
        assert_eq!(lines[0].until, day(2027, 10, 31));
        // Once the term is over, nothing.
        assert!(lines_for(&s, day(2027, 11, 1), 0).is_empty());
    }

    #[test]
    fn unpaid_instalments_are_what_is_left_of_them() {
        let s = Subscription {
            id: 1,
            account_id: 1,
            item_id: 1,
            monthly_fee: Kopecks::new(30_000),
            promo: None,
            starts_on: day(2026, 1, 1),
            ends_on: Some(day(2026, 12, 31)),
            ownership: Some(Ownership::Instalment),
            min_term: None,
            licence_key: None,
        };
        let lines = lines_for(&s, day(2026, 12, 1), 14);
        assert_eq!(lines[0].kind, ExitKind::Instalments);
        assert_eq!(lines[0].amount, Kopecks::new(30_000), "December, exactly");
        assert!(lines_for(&s, day(2027, 1, 1), 14).is_empty());
    }
}
