//! What a change does to an account, worked out before anything is written:
//! the items after it, the monthly total before and after, what is charged
//! once, what the first day costs, every obligation it brings or ends, and
//! the rules it would break. The preview shows this; the change mutations
//! write exactly this, so a preview and what billing then charges agree to
//! the kopeck.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use entity::account::AccountStatus;

pub use entity::scheduled_change::ChangeKind;

use super::ServiceError;
use super::exit::{self, ExitKind};
use super::terms::new_subscription;
use crate::billing::arithmetic::covers_next_day;
use crate::billing::subscriptions::{
    CostBreakdown, NewSubscription, Subscription, breakdown_on, total_charge_on,
};
use crate::catalog::{CatalogItem, ServiceKind};
use crate::money::Kopecks;
use crate::time::{moscow_date, next_moscow_midnight};

/// A change a subscriber asks for.
#[derive(Debug, Clone, Copy)]
pub enum Request<'a> {
    /// Connect a service.
    Connect(&'a CatalogItem),
    /// Disconnect one of the account's subscriptions (by id).
    Disconnect(i64),
    /// Move to another tariff.
    Tariff(&'a CatalogItem),
}

/// Where the account stands when a change is asked for.
#[derive(Debug, Clone, Copy)]
pub struct Situation<'a> {
    /// Now.
    pub now: DateTime<Utc>,
    /// The account.
    pub account_id: i64,
    /// Its status.
    pub status: AccountStatus,
    /// Balance plus any promised credit.
    pub available: Kopecks,
    /// Its subscriptions not ended before today, those starting later included.
    pub items: &'a [Subscription],
    /// Catalog entries of those items.
    pub catalog: &'a HashMap<i64, CatalogItem>,
    /// Subscriptions that pending changes end.
    pub pending_ends: &'a [i64],
    /// What pending changes will charge once at midnight.
    pub pending_one_offs: Kopecks,
    /// Whether a tariff change was asked for today (and not cancelled).
    pub tariff_changed_today: bool,
    /// Days from a service's start in which leaving it costs nothing.
    pub trial_days: u32,
}

/// Why something is charged once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OneOffReason {
    /// The connection fee of what is connected.
    Connection,
    /// The compensation for leaving a minimum term early.
    EarlyTermination,
    /// The promo discount received under a minimum term left early.
    PromoClawback,
}

/// A sum charged once, on the day the change takes effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOff {
    /// Why.
    pub reason: OneOffReason,
    /// The catalog entry it concerns.
    pub item_name: String,
    /// How much.
    pub amount: Kopecks,
}

/// What an obligation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObligationKind {
    /// A promo price that ends on a day, then the regular fee.
    PromoPrice,
    /// A minimum term; leaving earlier costs a compensation that falls to zero.
    MinimumTerm,
    /// The compensation for leaving a minimum term early.
    EarlyTermination,
    /// The promo discount received, owed back when a minimum term is left early.
    PromoClawback,
    /// Equipment given for a minimum term: its compensation when left early.
    EquipmentCompensation,
    /// Instalments of equipment still to pay.
    Instalments,
    /// Days in which leaving costs nothing.
    TrialPeriod,
}

impl From<ExitKind> for ObligationKind {
    fn from(kind: ExitKind) -> Self {
        match kind {
            ExitKind::Instalments => ObligationKind::Instalments,
            ExitKind::EquipmentCompensation => ObligationKind::EquipmentCompensation,
            ExitKind::EarlyTermination => ObligationKind::EarlyTermination,
            ExitKind::PromoClawback => ObligationKind::PromoClawback,
        }
    }
}

/// Whether the change brings an obligation or ends one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The change brings it.
    Brings,
    /// The change ends it (a promo lost, a term left early).
    Ends,
}

/// An obligation a change brings or ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obligation {
    /// What it is.
    pub kind: ObligationKind,
    /// Brought or ended.
    pub effect: Effect,
    /// The catalog entry it concerns.
    pub item_name: String,
    /// The promo fee; the compensation at the term's start (brought) or
    /// charged now (ended).
    pub amount: Kopecks,
    /// The fee once a promo ends.
    pub amount_after: Option<Kopecks>,
    /// The promo's or the term's last day.
    pub until: NaiveDate,
    /// Waived by the trial period (the amount is then zero).
    pub waived: bool,
}

/// A change worked out.
#[derive(Debug)]
pub struct Plan {
    /// What it does.
    pub kind: ChangeKind,
    /// The entry connected, disconnected or moved to.
    pub item: CatalogItem,
    /// The Moscow day it takes effect (at 00:00): its first charge date.
    pub effective_on: NaiveDate,
    /// The subscription it ends (its last day is today).
    pub ends: Option<Subscription>,
    /// The subscription it starts.
    pub starts: Option<NewSubscription>,
    /// The monthly cost on the effective day without the change.
    pub before: CostBreakdown,
    /// The monthly cost on the effective day with it.
    pub after: CostBreakdown,
    /// What is charged once when it takes effect.
    pub one_offs: Vec<OneOff>,
    /// Everything the effective day costs: its daily charges and the one-offs.
    pub first_day_charge: Kopecks,
    /// Obligations brought and ended.
    pub obligations: Vec<Obligation>,
    /// The rules it breaks, most fundamental first; empty when it can be made.
    pub blockers: Vec<ServiceError>,
}

impl Plan {
    /// What is charged once, together.
    pub fn one_off_total(&self) -> Kopecks {
        self.one_offs.iter().map(|o| o.amount).sum()
    }
}

fn name_of(catalog: &HashMap<i64, CatalogItem>, item_id: i64) -> String {
    catalog
        .get(&item_id)
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

/// The items after a change: `ends` ends today, `starts` (id 0) begins on its day.
pub fn items_after(
    items: &[Subscription],
    today: NaiveDate,
    ends: Option<&Subscription>,
    starts: Option<&NewSubscription>,
) -> Vec<Subscription> {
    let mut after: Vec<Subscription> = items
        .iter()
        .cloned()
        .map(|mut s| {
            if ends.is_some_and(|e| e.id == s.id) {
                s.ends_on = Some(today);
            }
            s
        })
        .collect();
    if let Some(new) = starts {
        after.push(new_as_subscription(new));
    }
    after
}

/// The obligations a subscription carries from `day` on: a promo price
/// running, a minimum term with its compensation and the promo discount it
/// would claw back, instalments left, and the trial period in which leaving
/// costs none of that.
pub fn obligations_of(
    sub: &Subscription,
    name: &str,
    day: NaiveDate,
    trial_days: u32,
) -> Vec<Obligation> {
    let mut out = Vec::new();
    let mut push = |kind, amount, amount_after, until| {
        out.push(Obligation {
            kind,
            effect: Effect::Brings,
            item_name: name.to_owned(),
            amount,
            amount_after,
            until,
            waived: false,
        })
    };
    if let (Some(promo), Some(until)) = (sub.promo, sub.promo_until_on(day)) {
        push(
            ObligationKind::PromoPrice,
            promo.fee,
            Some(sub.monthly_fee),
            until,
        );
    }
    let term = sub.min_term.filter(|t| t.until >= day);
    if let Some(term) = term {
        push(ObligationKind::MinimumTerm, term.exit_fee, None, term.until);
        if let Some(promo) = sub.promo.filter(|_| sub.ownership.is_none()) {
            // Leaving on the term's last day claws back the whole promo discount.
            let most: Kopecks = exit::lines_for(sub, term.until, 0)
                .iter()
                .filter(|l| l.kind == ExitKind::PromoClawback)
                .map(|l| l.full_amount)
                .sum();
            push(
                ObligationKind::PromoClawback,
                most,
                Some(promo.fee),
                term.until,
            );
        }
    }
    let instalments = exit::lines_for(sub, day, 0)
        .into_iter()
        .find(|l| l.kind == ExitKind::Instalments);
    if let Some(line) = &instalments {
        push(
            ObligationKind::Instalments,
            line.full_amount,
            None,
            line.until,
        );
    }
    if (term.is_some() || instalments.is_some())
        && let Some(until) = exit::trial_until(sub, trial_days).filter(|t| *t >= day)
    {
        push(ObligationKind::TrialPeriod, Kopecks::ZERO, None, until);
    }
    out
}

/// A subscription about to be made, as the rules see subscriptions.
fn new_as_subscription(new: &NewSubscription) -> Subscription {
    Subscription {
        id: 0,
        account_id: new.account_id,
        item_id: new.item_id,
        monthly_fee: new.monthly_fee,
        promo: new.promo,
        starts_on: new.starts_on,
        ends_on: new.ends_on,
        ownership: new.ownership,
        min_term: new.min_term,
        licence_key: new.licence_key.clone(),
    }
}

/// Items in force on `day` whose prerequisite (`requires_kind`) no other item
/// in force that day provides.
fn unmet_requirements(
    items: &[Subscription],
    catalog: &HashMap<i64, CatalogItem>,
    day: NaiveDate,
) -> Vec<(i64, ServiceKind)> {
    let active: Vec<&Subscription> = items.iter().filter(|s| s.active_on(day)).collect();
    active
        .iter()
        .filter_map(|s| {
            let needed = catalog.get(&s.item_id)?.requires_kind?;
            let met = active.iter().any(|o| {
                o.id != s.id && catalog.get(&o.item_id).is_some_and(|c| c.provides(needed))
            });
            (!met).then_some((s.id, needed))
        })
        .collect()
}

/// Items in force on `day` whose prerequisite `after` a change leaves unmet
/// when `before` it was met: only what the change breaks counts, a
/// prerequisite already missing is not its fault.
pub fn newly_unmet(
    before: &[Subscription],
    after: &[Subscription],
    catalog: &HashMap<i64, CatalogItem>,
    day: NaiveDate,
) -> Vec<(i64, ServiceKind)> {
    let already: Vec<i64> = unmet_requirements(before, catalog, day)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    unmet_requirements(after, catalog, day)
        .into_iter()
        .filter(|(id, _)| !already.contains(id))
        .collect()
}

/// Works a change out. `Err` when the request names nothing the account can
/// change (an unknown subscription, a tariff asked for as a service); rule
/// violations are the plan's `blockers`, so a preview can show them.
pub fn plan(s: &Situation<'_>, request: Request<'_>) -> Result<Plan, ServiceError> {
    let today = moscow_date(s.now);
    let effective_on = today.checked_add_days(Days::new(1)).unwrap_or(today);
    let mut blockers = Vec::new();
    if s.status == AccountStatus::Closed {
        blockers.push(ServiceError::AccountClosed);
    }
    let mut catalog = s.catalog.clone();
    let (kind, item, ends, starts) = match request {
        Request::Connect(item) => {
            // Products bought outright go through their own purchase.
            if item.is_tariff || item.kind == ServiceKind::Equipment || item.purchase.is_some() {
                return Err(ServiceError::NotConnectable);
            }
            let same: Vec<&Subscription> =
                s.items.iter().filter(|i| i.item_id == item.id).collect();
            if same
                .iter()
                .any(|i| i.starts_on > today || s.pending_ends.contains(&i.id))
            {
                blockers.push(ServiceError::AlreadyScheduled);
            } else if same.iter().any(|i| i.active_on(effective_on)) {
                blockers.push(ServiceError::AlreadyConnected);
            }
            let starts = new_subscription(item, s.account_id, effective_on);
            (ChangeKind::Connect, item.clone(), None, Some(starts))
        }
        Request::Disconnect(id) => {
            let sub = s
                .items
                .iter()
                .find(|i| i.id == id)
                .ok_or(ServiceError::NotFound)?;
            let entry = s.catalog.get(&sub.item_id).ok_or(ServiceError::NotFound)?;
            if entry.is_tariff || entry.kind == ServiceKind::Equipment || sub.ownership.is_some() {
                return Err(ServiceError::NotDisconnectable);
            }
            if s.pending_ends.contains(&sub.id) || sub.starts_on > today {
                blockers.push(ServiceError::AlreadyScheduled);
            } else if !sub.active_on(effective_on) {
                blockers.push(ServiceError::NotConnected);
            } else if sub.ends_on.is_some() {
                // It ends by itself (a paid-for period): nothing to cut short.
                blockers.push(ServiceError::NotDisconnectable);
            }
            (
                ChangeKind::Disconnect,
                entry.clone(),
                Some(sub.clone()),
                None,
            )
        }
        Request::Tariff(item) => {
            if !item.is_tariff {
                return Err(ServiceError::NotFound);
            }
            let is_tariff =
                |i: &&Subscription| s.catalog.get(&i.item_id).is_some_and(|c| c.is_tariff);
            let tomorrow = s
                .items
                .iter()
                .filter(is_tariff)
                .find(|i| i.active_on(effective_on));
            if s.tariff_changed_today {
                blockers.push(ServiceError::TariffChangeLimit {
                    possible_at: next_moscow_midnight(s.now),
                });
            } else if tomorrow.is_some_and(|t| t.item_id == item.id) {
                blockers.push(ServiceError::AlreadyConnected);
            }
            let ends = s
                .items
                .iter()
                .filter(is_tariff)
                .find(|i| i.active_on(today) && i.ends_on.is_none())
                .cloned();
            let starts = new_subscription(item, s.account_id, effective_on);
            (ChangeKind::Tariff, item.clone(), ends, Some(starts))
        }
    };
    catalog.insert(item.id, item.clone());

    let after_items = items_after(s.items, today, ends.as_ref(), starts.as_ref());
    let before = breakdown_on(s.items, effective_on);
    let after = breakdown_on(&after_items, effective_on);

    let mut one_offs = Vec::new();
    let mut obligations = Vec::new();
    if let Some(new) = &starts {
        if item.terms.connection_fee > Kopecks::ZERO {
            one_offs.push(OneOff {
                reason: OneOffReason::Connection,
                item_name: item.name.clone(),
                amount: item.terms.connection_fee,
            });
        }
        obligations.extend(obligations_of(
            &new_as_subscription(new),
            &item.name,
            effective_on,
            s.trial_days,
        ));
    }
    if let Some(old) = &ends {
        let name = name_of(&catalog, old.item_id);
        for line in exit::lines_for(old, effective_on, s.trial_days) {
            obligations.push(Obligation {
                kind: line.kind.into(),
                effect: Effect::Ends,
                item_name: name.clone(),
                amount: line.amount,
                amount_after: None,
                until: line.until,
                waived: line.waived,
            });
            if line.amount > Kopecks::ZERO {
                one_offs.push(OneOff {
                    reason: match line.kind {
                        ExitKind::PromoClawback => OneOffReason::PromoClawback,
                        _ => OneOffReason::EarlyTermination,
                    },
                    item_name: name.clone(),
                    amount: line.amount,
                });
            }
        }
        if let (Some(promo), Some(until)) = (old.promo, old.promo_until_on(effective_on)) {
            obligations.push(Obligation {
                kind: ObligationKind::PromoPrice,
                effect: Effect::Ends,
                item_name: name,
                amount: promo.fee,
                amount_after: None,
                until,
                waived: false,
            });
        }
    }

    let mut dependent = Vec::new();
    for (id, needed) in newly_unmet(s.items, &after_items, &catalog, effective_on) {
        if id == 0 {
            blockers.push(ServiceError::RequiresService { kind: needed });
        } else {
            let item_id = after_items.iter().find(|i| i.id == id).map(|i| i.item_id);
            dependent.push(item_id.map(|i| name_of(&catalog, i)).unwrap_or_default());
        }
    }
    if !dependent.is_empty() {
        blockers.push(ServiceError::DependentServices { names: dependent });
    }

    let one_off_total: Kopecks = one_offs.iter().map(|o| o.amount).sum();
    let first_day_charge = total_charge_on(&after_items, effective_on) + one_off_total;
    // The rule guards what the change buys (its days and connection fees): the
    // compensation for leaving a term early is owed however one leaves, and
    // refusing to let a subscriber go until it is paid would only add fees.
    let compensation: Kopecks = one_offs
        .iter()
        .filter(|o| o.reason != OneOffReason::Connection)
        .map(|o| o.amount)
        .sum();
    let bought = first_day_charge - compensation;
    let without = total_charge_on(s.items, effective_on);
    let due = bought + s.pending_one_offs;
    if bought > without && !covers_next_day(s.available, due) {
        blockers.push(ServiceError::InsufficientFunds {
            needed: due - s.available,
        });
    }

    Ok(Plan {
        kind,
        item,
        effective_on,
        ends,
        starts,
        before,
        after,
        one_offs,
        first_day_charge,
        obligations,
        blockers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Terms;

    fn entry(
        id: i64,
        kind: ServiceKind,
        tariff: bool,
        requires: Option<ServiceKind>,
    ) -> CatalogItem {
        CatalogItem {
            id,
            code: format!("c{id}"),
            is_tariff: tariff,
            kind,
            name: format!("item {id}"),
            description: String::new(),
            monthly_fee: Kopecks::new(30_000),
            speed_mbps: (kind == ServiceKind::Internet).then_some(100),
            tv_channels: None,
            requires_kind: requires,
            terms: Terms {
                connection_fee: Kopecks::new(10_000),
                ..Terms::default()
            },
            purchase: None,
        }
    }

    fn sub(id: i64, item: &CatalogItem, starts: NaiveDate) -> Subscription {
        Subscription {
            id,
            account_id: 1,
            item_id: item.id,
            monthly_fee: item.monthly_fee,
            promo: None,
            starts_on: starts,
            ends_on: None,
            ownership: None,
            min_term: None,
            licence_key: None,
        }
    }

    fn noon_of_25th() -> DateTime<Utc> {
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 25, 9, 0, 0).unwrap()
    }

    fn situation<'a>(
        items: &'a [Subscription],
        catalog: &'a HashMap<i64, CatalogItem>,
        available: i64,
    ) -> Situation<'a> {
        Situation {
            now: noon_of_25th(),
            account_id: 1,
            status: AccountStatus::Active,
            available: Kopecks::new(available),
            items,
            catalog,
            pending_ends: &[],
            pending_one_offs: Kopecks::ZERO,
            tariff_changed_today: false,
            trial_days: 0,
        }
    }

    #[test]
    fn home_phone_needs_internet_and_internet_cannot_leave_it_alone() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let alarm = entry(1, ServiceKind::SecurityAlarm, false, None);
        let phone = entry(
            2,
            ServiceKind::HomePhone,
            false,
            Some(ServiceKind::Internet),
        );
        let internet = entry(3, ServiceKind::Internet, false, None);
        let catalog: HashMap<i64, CatalogItem> = [
            (1, alarm.clone()),
            (2, phone.clone()),
            (3, internet.clone()),
        ]
        .into();

        let without_internet = [sub(10, &alarm, start)];
        let planned = super::plan(
            &situation(&without_internet, &catalog, 1_000_000),
            Request::Connect(&phone),
        )
        .unwrap();
        assert!(matches!(
            planned.blockers.as_slice(),
            [ServiceError::RequiresService {
                kind: ServiceKind::Internet
            }]
        ));

        let with_internet = [sub(10, &alarm, start), sub(11, &internet, start)];
        let planned = super::plan(
            &situation(&with_internet, &catalog, 1_000_000),
            Request::Connect(&phone),
        )
        .unwrap();
        assert!(planned.blockers.is_empty(), "{:?}", planned.blockers);
        assert_eq!(planned.one_off_total(), Kopecks::new(10_000));
        // 300 ₽ over November's 30 days: 10 ₽ a day each, plus the connection fee.
        assert_eq!(planned.first_day_charge, Kopecks::new(3 * 1_000 + 10_000));

        let both = [sub(11, &internet, start), sub(12, &phone, start)];
        let planned = super::plan(
            &situation(&both, &catalog, 1_000_000),
            Request::Disconnect(11),
        )
        .unwrap();
        match planned.blockers.as_slice() {
            [ServiceError::DependentServices { names }] => assert_eq!(names, &["item 2"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn funds_must_cover_the_first_day_with_the_change() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let alarm = entry(1, ServiceKind::SecurityAlarm, false, None);
        let internet = entry(3, ServiceKind::Internet, false, None);
        let catalog: HashMap<i64, CatalogItem> = [(1, alarm.clone()), (3, internet.clone())].into();
        let items = [sub(11, &internet, start)];
        // The day: 10 ₽ internet + 10 ₽ alarm + 100 ₽ connection = 120 ₽.
        let short = super::plan(
            &situation(&items, &catalog, 11_999),
            Request::Connect(&alarm),
        )
        .unwrap();
        assert!(matches!(
            short.blockers.as_slice(),
            [ServiceError::InsufficientFunds { needed }] if *needed == Kopecks::new(1)
        ));
        let exact = super::plan(
            &situation(&items, &catalog, 12_000),
            Request::Connect(&alarm),
        )
        .unwrap();
        assert!(exact.blockers.is_empty());
        // Dropping something never needs money.
        let two = [sub(11, &internet, start), sub(12, &alarm, start)];
        let drop =
            super::plan(&situation(&two, &catalog, -50_000), Request::Disconnect(12)).unwrap();
        assert!(drop.blockers.is_empty(), "{:?}", drop.blockers);
    }
}
