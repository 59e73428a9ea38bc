//! Scheduled changes: stored together with the subscription rows they make
//! or end (so charges ahead, days until blocking and "my TV packages" count
//! them at once), cancelled before midnight by undoing those rows, and
//! applied at midnight exactly once: one guarded update per change, in the
//! transaction that charges what is charged once.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::scheduled_change::{self, ChangeStatus, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, SqlErr,
};

use super::ServiceError;
use super::plan::{self, ChangeKind, Plan, Request, Situation, newly_unmet};
use crate::accounts;
use crate::billing::ledger::EntryKind;
use crate::billing::subscriptions::{self, Subscription};
use crate::billing::{self, BillingError, Movement};
use crate::catalog::{self, CatalogItem};
use crate::db::statement;
use crate::money::Kopecks;
use crate::time::moscow_date;

/// Changes applied per round of the worker.
const APPLY_BATCH: u64 = 500;

/// A scheduled change as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Internal id.
    pub id: i64,
    /// The account.
    pub account_id: i64,
    /// What it does.
    pub kind: ChangeKind,
    /// The entry connected, disconnected or moved to.
    pub item_id: i64,
    /// The subscription it ends.
    pub ends_subscription_id: Option<i64>,
    /// The subscription it starts.
    pub new_subscription_id: Option<i64>,
    /// The Moscow day it was asked for.
    pub requested_on: NaiveDate,
    /// The Moscow day it takes effect.
    pub effective_on: NaiveDate,
    /// Pending, applied or cancelled.
    pub status: ChangeStatus,
    /// The monthly total it leads to.
    pub monthly_total_after: Kopecks,
    /// What it charges once.
    pub one_off_total: Kopecks,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
}

pub use entity::scheduled_change::ChangeStatus as Status;

fn from_row(row: scheduled_change::Model) -> Change {
    Change {
        id: row.id,
        account_id: row.account_id,
        kind: row.kind,
        item_id: row.catalog_item_id,
        ends_subscription_id: row.ends_subscription_id,
        new_subscription_id: row.new_subscription_id,
        requested_on: row.requested_on,
        effective_on: row.effective_on,
        status: row.status,
        monthly_total_after: Kopecks::new(row.monthly_total_after),
        one_off_total: Kopecks::new(row.one_off_total),
        created_at: row.created_at,
    }
}

/// What a client names a change by.
#[derive(Debug, Clone)]
pub enum Target {
    /// Connect the service with this catalog code.
    Connect(String),
    /// Disconnect this subscription of the account.
    Disconnect(i64),
    /// Move to the tariff with this catalog code.
    Tariff(String),
}

/// Everything `plan` needs, read in one place.
struct Loaded {
    status: accounts::AccountStatus,
    available: Kopecks,
    items: Vec<Subscription>,
    catalog: HashMap<i64, CatalogItem>,
    pending_ends: Vec<i64>,
    pending_one_offs: Kopecks,
    tariff_changed_today: bool,
    target: Option<CatalogItem>,
}

async fn load(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    target: &Target,
) -> Result<Loaded, ServiceError> {
    let today = moscow_date(now);
    let account = accounts::find_many(db, &[account_id])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound)?;
    let items = subscriptions::for_accounts(db, &[account_id], today).await?;
    let ids: Vec<i64> = items.iter().map(|i| i.item_id).collect();
    let catalog = catalog::by_id(db, &ids).await?;
    let pending = pending_of(db, account_id).await?;
    let tariff_changed_today = scheduled_change::Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::Kind.eq(ChangeKind::Tariff))
        .filter(Column::RequestedOn.eq(today))
        .filter(Column::Status.ne(ChangeStatus::Canceled))
        .one(db)
        .await?
        .is_some();
    let target = match target {
        Target::Connect(code) | Target::Tariff(code) => Some(
            catalog::find_active_by_code(db, code)
                .await?
                .ok_or(ServiceError::NotFound)?,
        ),
        Target::Disconnect(_) => None,
    };
    Ok(Loaded {
        status: account.status,
        available: super::available(db, &account).await?,
        items,
        catalog,
        pending_ends: pending
            .iter()
            .filter_map(|c| c.ends_subscription_id)
            .collect(),
        pending_one_offs: pending.iter().map(|c| c.one_off_total).sum(),
        tariff_changed_today,
        target,
    })
}

impl Loaded {
    fn situation(&self, now: DateTime<Utc>, account_id: i64, trial_days: u32) -> Situation<'_> {
        Situation {
            now,
            account_id,
            status: self.status,
            available: self.available,
            items: &self.items,
            catalog: &self.catalog,
            pending_ends: &self.pending_ends,
            pending_one_offs: self.pending_one_offs,
            tariff_changed_today: self.tariff_changed_today,
            trial_days,
        }
    }
}

fn plan_of(
    now: DateTime<Utc>,
    account_id: i64,
    loaded: &Loaded,
    target: &Target,
    trial_days: u32,
) -> Result<Plan, ServiceError> {
    let request = match (target, &loaded.target) {
        (Target::Connect(_), Some(item)) => Request::Connect(item),
        (Target::Tariff(_), Some(item)) => Request::Tariff(item),
        (Target::Disconnect(id), _) => Request::Disconnect(*id),
        _ => return Err(ServiceError::NotFound),
    };
    plan::plan(&loaded.situation(now, account_id, trial_days), request)
}

/// What fits the account now: every other tariff and every service it can
/// connect, each as the plan its preview shows, read in one go. A change
/// that only needs a top-up is offered too (its plan says how much).
pub async fn offers(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    trial_days: u32,
) -> Result<Vec<Plan>, ServiceError> {
    let loaded = load(db, now, account_id, &Target::Disconnect(0)).await?;
    let situation = loaded.situation(now, account_id, trial_days);
    let mut candidates = catalog::list(db, true, None).await?;
    candidates.extend(catalog::list(db, false, None).await?);
    Ok(candidates
        .iter()
        .filter(|item| item.kind != crate::catalog::ServiceKind::Equipment)
        .filter_map(|item| {
            let request = if item.is_tariff {
                Request::Tariff(item)
            } else {
                Request::Connect(item)
            };
            plan::plan(&situation, request).ok()
        })
        .filter(|plan| {
            plan.blockers
                .iter()
                .all(|b| matches!(b, ServiceError::InsufficientFunds { .. }))
        })
        .collect())
}

/// What a change would do now, without making it.
pub async fn preview(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    target: &Target,
    trial_days: u32,
) -> Result<Plan, ServiceError> {
    let loaded = load(db, now, account_id, target).await?;
    plan_of(now, account_id, &loaded, target, trial_days)
}

/// What asking for a change came to: the change made, or why not, with the
/// plan as it stands (for `PREVIEW_OUTDATED` and the rules, the new preview).
#[derive(Debug)]
pub struct Outcome {
    /// The change as worked out now (absent when the request named nothing).
    pub plan: Option<Plan>,
    /// The change made, or the refusal.
    pub result: Result<Change, ServiceError>,
}

/// Makes a change effective at the next Moscow midnight, if the rules allow
/// it and its monthly total is still `expected_total` (what the subscriber
/// saw). Everything is written in one transaction with the account held.
pub async fn schedule(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    target: &Target,
    expected_total: Kopecks,
    trial_days: u32,
) -> Result<Outcome, DbErr> {
    let tx = crate::db::begin_write(db).await?;
    accounts::lock(&tx, account_id).await?;
    let refused = |plan, error| {
        Ok(Outcome {
            plan,
            result: Err(error),
        })
    };
    let plan = match load(&tx, now, account_id, target)
        .await
        .and_then(|loaded| plan_of(now, account_id, &loaded, target, trial_days))
    {
        Ok(plan) => plan,
        Err(ServiceError::Db(e)) => return Err(e),
        Err(error) => return refused(None, error),
    };
    if let Some(first) = plan.blockers.first() {
        let error = first.refusal();
        return refused(Some(plan), error);
    }
    if plan.after.total != expected_total {
        return refused(Some(plan), ServiceError::PreviewOutdated);
    }
    let today = moscow_date(now);
    if let Some(old) = &plan.ends {
        let ended = tx
            .execute_raw(statement(
                &tx,
                "UPDATE subscription SET ends_on = $1 WHERE id = $2 AND account_id = $3 AND ends_on IS NULL",
                vec![today.into(), old.id.into(), account_id.into()],
            ))
            .await?
            .rows_affected();
        if ended != 1 {
            return refused(Some(plan), ServiceError::AlreadyScheduled);
        }
    }
    let new_id = match &plan.starts {
        Some(new) => Some(subscriptions::insert(&tx, now, new.clone()).await?.id),
        None => None,
    };
    let row = scheduled_change::ActiveModel {
        account_id: Set(account_id),
        kind: Set(plan.kind),
        catalog_item_id: Set(plan.item.id),
        ends_subscription_id: Set(plan.ends.as_ref().map(|s| s.id)),
        new_subscription_id: Set(new_id),
        requested_on: Set(today),
        effective_on: Set(plan.effective_on),
        status: Set(ChangeStatus::Pending),
        monthly_total_after: Set(plan.after.total.get()),
        one_off_total: Set(plan.one_off_total().get()),
        created_at: Set(now),
        ..Default::default()
    };
    let change = match scheduled_change::Entity::insert(row)
        .exec_with_returning(&tx)
        .await
    {
        Ok(row) => from_row(row),
        // A request racing this one got there first.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            let error = match plan.kind {
                ChangeKind::Tariff => ServiceError::TariffChangeLimit {
                    possible_at: crate::time::next_moscow_midnight(now),
                },
                _ => ServiceError::AlreadyScheduled,
            };
            return refused(Some(plan), error);
        }
        Err(err) => return Err(err),
    };
    tx.commit().await?;
    Ok(Outcome {
        plan: Some(plan),
        result: Ok(change),
    })
}

/// Cancels a pending change of the account before it takes effect: its
/// subscription rows are undone, nothing is charged. A change others depend
/// on (a TV package scheduled on the TV tariff being cancelled) stays.
pub async fn cancel(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    change_id: i64,
) -> Result<Change, ServiceError> {
    let today = moscow_date(now);
    let tx = crate::db::begin_write(db).await?;
    accounts::lock(&tx, account_id).await?;
    let change = find(&tx, change_id)
        .await?
        .filter(|c| c.account_id == account_id)
        .ok_or(ServiceError::NotFound)?;
    match change.status {
        ChangeStatus::Applied => return Err(ServiceError::AlreadyApplied),
        ChangeStatus::Canceled => return Err(ServiceError::AlreadyCanceled),
        ChangeStatus::Pending if change.effective_on <= today => {
            return Err(ServiceError::AlreadyApplied);
        }
        ChangeStatus::Pending => {}
    }
    let items = subscriptions::for_accounts(&tx, &[account_id], today).await?;
    let undone: Vec<Subscription> = items
        .iter()
        .filter(|s| Some(s.id) != change.new_subscription_id)
        .cloned()
        .map(|mut s| {
            if Some(s.id) == change.ends_subscription_id {
                s.ends_on = None;
            }
            s
        })
        .collect();
    let ids: Vec<i64> = items.iter().map(|i| i.item_id).collect();
    let catalog = catalog::by_id(&tx, &ids).await?;
    let broken: Vec<String> = newly_unmet(&items, &undone, &catalog, change.effective_on)
        .into_iter()
        .filter_map(|(id, _)| {
            let item = undone.iter().find(|s| s.id == id)?;
            catalog.get(&item.item_id).map(|c| c.name.clone())
        })
        .collect();
    if !broken.is_empty() {
        return Err(ServiceError::DependentServices { names: broken });
    }
    let canceled = tx
        .execute_raw(statement(
            &tx,
            "UPDATE scheduled_change SET status = 'canceled', canceled_at = $1 \
             WHERE id = $2 AND status = 'pending' AND effective_on > $3",
            vec![now.into(), change.id.into(), today.into()],
        ))
        .await?
        .rows_affected();
    if canceled != 1 {
        return Err(ServiceError::AlreadyApplied);
    }
    if let Some(id) = change.new_subscription_id {
        tx.execute_raw(statement(
            &tx,
            "DELETE FROM subscription WHERE id = $1 AND starts_on > $2",
            vec![id.into(), today.into()],
        ))
        .await?;
    }
    if let Some(id) = change.ends_subscription_id {
        tx.execute_raw(statement(
            &tx,
            "UPDATE subscription SET ends_on = NULL WHERE id = $1",
            vec![id.into()],
        ))
        .await?;
    }
    tx.commit().await?;
    Ok(Change {
        status: ChangeStatus::Canceled,
        ..change
    })
}

/// The account's pending changes, oldest first.
pub async fn pending_of(db: &impl ConnectionTrait, account_id: i64) -> Result<Vec<Change>, DbErr> {
    Ok(scheduled_change::Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::Status.eq(ChangeStatus::Pending))
        .order_by_asc(Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// One change by id (the caller checks whose it is).
pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<Change>, DbErr> {
    Ok(scheduled_change::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(from_row))
}

/// A change that took effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The change.
    pub change: Change,
    /// The balance after its one-off charge, when it had one.
    pub balance: Option<Kopecks>,
}

fn one_off_description(kind: ChangeKind, name: &str) -> String {
    match kind {
        ChangeKind::Connect => format!("Разовый платёж при подключении «{name}»"),
        ChangeKind::Disconnect => format!("Компенсация за досрочное отключение «{name}»"),
        ChangeKind::Tariff => format!("Разовый платёж при переходе на тариф «{name}»"),
    }
}

/// Applies every pending change whose day has come: each is marked applied
/// by one guarded update, and what it charges once is posted in the same
/// transaction, so however many replicas (or restarts) run this, each change
/// is applied and charged once.
pub async fn apply_due(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<Applied>, DbErr> {
    let today = moscow_date(now);
    let mut applied = Vec::new();
    loop {
        let due: Vec<Change> = scheduled_change::Entity::find()
            .filter(Column::Status.eq(ChangeStatus::Pending))
            .filter(Column::EffectiveOn.lte(today))
            .order_by_asc(Column::Id)
            .limit(APPLY_BATCH)
            .all(db)
            .await?
            .into_iter()
            .map(from_row)
            .collect();
        let full = due.len() as u64 == APPLY_BATCH;
        let ids: Vec<i64> = due.iter().map(|c| c.item_id).collect();
        let names: HashMap<i64, String> = catalog::find_many(db, &ids)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let mut moved = 0;
        for change in due {
            let tx = crate::db::begin_write(db).await?;
            let won = tx
                .execute_raw(statement(
                    &tx,
                    "UPDATE scheduled_change SET status = 'applied', applied_at = $1 \
                     WHERE id = $2 AND status = 'pending'",
                    vec![now.into(), change.id.into()],
                ))
                .await?
                .rows_affected()
                == 1;
            if !won {
                continue;
            }
            moved += 1;
            let mut balance = None;
            if change.one_off_total > Kopecks::ZERO {
                let name = names.get(&change.item_id).map(String::as_str).unwrap_or("");
                let movement = Movement {
                    account_id: change.account_id,
                    kind: EntryKind::Charge,
                    amount: -change.one_off_total,
                    description: one_off_description(change.kind, name),
                    staff_credential_id: None,
                };
                match billing::post_in(&tx, now, movement).await {
                    Ok(appended) => balance = Some(appended.balance),
                    Err(BillingError::Db(e)) => return Err(e),
                    Err(other) => return Err(DbErr::Custom(other.to_string())),
                }
            }
            tx.commit().await?;
            applied.push(Applied {
                change: Change {
                    status: ChangeStatus::Applied,
                    ..change
                },
                balance,
            });
        }
        if !full || moved == 0 {
            return Ok(applied);
        }
    }
}
