//! The contract as the subscriber sees it: its items, every obligation in
//! force and what leaving today would cost, line by line. The same view feeds
//! `me { contract }`, the equipment's figures and the contract PDF, so they
//! cannot disagree.

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbErr};

use super::exit::{self, ExitLine};
use super::plan::{Obligation, obligations_of};
use crate::accounts::{self, Account};
use crate::billing::subscriptions::{self, Subscription};
use crate::catalog::{self, CatalogItem};
use crate::money::Kopecks;
use crate::time::moscow_date;

/// An exit-cost line with what it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedExitLine {
    /// The line.
    pub line: ExitLine,
    /// The tariff, service or equipment it concerns.
    pub item_name: String,
}

/// The contract on a day.
#[derive(Debug, Clone)]
pub struct ContractView {
    /// The account (number, contract number and date, holder, address).
    pub account: Account,
    /// The Moscow day it is.
    pub today: NaiveDate,
    /// The first day without service if the contract ended today.
    pub leaving: NaiveDate,
    /// Items in force today, with their catalog entries.
    pub items: Vec<(Subscription, CatalogItem)>,
    /// Obligations in force.
    pub obligations: Vec<Obligation>,
    /// What leaving today would cost.
    pub exit: Vec<NamedExitLine>,
    /// Trial period length.
    pub trial_days: u32,
}

impl ContractView {
    /// What leaving today would cost, all lines together.
    pub fn exit_total(&self) -> Kopecks {
        self.exit.iter().map(|l| l.line.amount).sum()
    }

    /// The exit lines of one subscription.
    pub fn exit_of(&self, subscription_id: i64) -> impl Iterator<Item = &ExitLine> {
        self.exit
            .iter()
            .map(|l| &l.line)
            .filter(move |l| l.subscription_id == subscription_id)
    }
}

/// The contract of `account_id` now; `None` when there is no such account.
pub async fn of(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    trial_days: u32,
) -> Result<Option<ContractView>, DbErr> {
    let Some(account) = accounts::find_many(db, &[account_id]).await?.pop() else {
        return Ok(None);
    };
    let today = moscow_date(now);
    let leaving = today.checked_add_days(Days::new(1)).unwrap_or(today);
    let all = subscriptions::for_accounts(db, &[account_id], today).await?;
    let ids: Vec<i64> = all.iter().map(|s| s.item_id).collect();
    let catalog = catalog::by_id(db, &ids).await?;
    let name = |s: &Subscription| {
        catalog
            .get(&s.item_id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let mut lines = exit::contract_lines(&all, leaving, trial_days);
    lines.extend(exit::instalment_lines(
        &all,
        &super::antivirus::unpaid_of(db, account_id).await?,
        leaving,
        trial_days,
    ));
    let exit = lines
        .into_iter()
        .filter_map(|line| {
            let sub = all.iter().find(|s| s.id == line.subscription_id)?;
            Some(NamedExitLine {
                item_name: name(sub),
                line,
            })
        })
        .collect();
    let items: Vec<(Subscription, CatalogItem)> = all
        .iter()
        .filter(|s| s.active_on(today))
        .filter_map(|s| Some((s.clone(), catalog.get(&s.item_id)?.clone())))
        .collect();
    let obligations = items
        .iter()
        .flat_map(|(s, c)| obligations_of(s, &c.name, leaving, trial_days))
        .collect();
    Ok(Some(ContractView {
        account,
        today,
        leaving,
        items,
        obligations,
        exit,
        trial_days,
    }))
}
