//! The devices an account has been seen with, and the rule that makes one
//! "new": a MAC address not seen on the account for [`UNSEEN_FOR`]. Each
//! decision is one guarded insert or update, so two batches racing over the
//! same device tell the subscriber once.

use chrono::{DateTime, Duration, Utc};
use entity::account_device::{self, Column};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};
use std::collections::{BTreeMap, HashMap};

/// How long a device must have been away from the account to count as new.
pub const UNSEEN_FOR: Duration = Duration::days(90);

/// A device seen on an account in one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// The account.
    pub account_id: i64,
    /// The device, canonical.
    pub mac: String,
    /// The earliest start of its sessions in the batch.
    pub first: DateTime<Utc>,
    /// The latest end of its sessions in the batch.
    pub last: DateTime<Utc>,
    /// The address of its earliest session.
    pub ip: String,
}

/// Records the sightings; returns the ones that make a device new on its
/// account (a device never seen, or not since [`UNSEEN_FOR`] before it came back).
pub async fn record(
    tx: &impl ConnectionTrait,
    sightings: Vec<Sighting>,
) -> Result<Vec<Sighting>, DbErr> {
    if sightings.is_empty() {
        return Ok(Vec::new());
    }
    let known: HashMap<(i64, String), account_device::Model> = account_device::Entity::find()
        .filter(Column::AccountId.is_in(sightings.iter().map(|s| s.account_id)))
        .filter(Column::Mac.is_in(sightings.iter().map(|s| s.mac.clone())))
        .all(tx)
        .await?
        .into_iter()
        .map(|d| ((d.account_id, d.mac.clone()), d))
        .collect();
    let mut new = Vec::new();
    for sighting in sightings {
        let key = (sighting.account_id, sighting.mac.clone());
        let this_device = || {
            account_device::Entity::update_many()
                .filter(Column::AccountId.eq(sighting.account_id))
                .filter(Column::Mac.eq(sighting.mac.clone()))
        };
        let is_new = match known.get(&key) {
            None => {
                let inserted = account_device::Entity::insert(account_device::ActiveModel {
                    account_id: Set(sighting.account_id),
                    mac: Set(sighting.mac.clone()),
                    first_seen_at: Set(sighting.first),
                    last_seen_at: Set(sighting.last),
                })
                .on_conflict(
                    OnConflict::columns([Column::AccountId, Column::Mac])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(tx)
                .await?;
                inserted == 1
            }
            Some(device) if device.last_seen_at < sighting.first - UNSEEN_FOR => {
                // Back after a long time: new again, unless another batch got here first.
                this_device()
                    .col_expr(Column::LastSeenAt, Expr::value(sighting.last))
                    .filter(Column::LastSeenAt.lt(sighting.first - UNSEEN_FOR))
                    .exec(tx)
                    .await?
                    .rows_affected
                    == 1
            }
            Some(device) if device.last_seen_at < sighting.last => {
                this_device()
                    .col_expr(Column::LastSeenAt, Expr::value(sighting.last))
                    .filter(Column::LastSeenAt.lt(sighting.last))
                    .exec(tx)
                    .await?;
                false
            }
            Some(_) => false,
        };
        if is_new {
            new.push(sighting);
        }
    }
    Ok(new)
}

/// Groups a batch's sessions into one sighting per account and device.
pub fn sightings<'a>(
    sessions: impl IntoIterator<Item = (i64, &'a str, DateTime<Utc>, DateTime<Utc>, &'a str)>,
) -> Vec<Sighting> {
    let mut by_device: BTreeMap<(i64, &str), Sighting> = BTreeMap::new();
    for (account_id, mac, start, end, ip) in sessions {
        let sighting = by_device
            .entry((account_id, mac))
            .or_insert_with(|| Sighting {
                account_id,
                mac: mac.to_owned(),
                first: start,
                last: end,
                ip: ip.to_owned(),
            });
        if start < sighting.first {
            sighting.first = start;
            sighting.ip = ip.to_owned();
        }
        sighting.last = sighting.last.max(end);
    }
    by_device.into_values().collect()
}

/// Records a device as known on an account since `first_seen` (demo data and
/// migrations from another system, where no alert is due).
pub async fn remember(
    db: &impl ConnectionTrait,
    account_id: i64,
    mac: &str,
    first_seen: DateTime<Utc>,
    last_seen: DateTime<Utc>,
) -> Result<(), DbErr> {
    account_device::Entity::insert(account_device::ActiveModel {
        account_id: Set(account_id),
        mac: Set(mac.to_owned()),
        first_seen_at: Set(first_seen),
        last_seen_at: Set(last_seen),
    })
    .on_conflict(
        OnConflict::columns([Column::AccountId, Column::Mac])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}
