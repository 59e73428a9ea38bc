//! Turbo: a speed boost for a few hours at a one-off price shown first,
//! charged when bought and ending by itself (it is in force while `ends_at`
//! is ahead). One at a time per account, only above the tariff's speed.

use chrono::{DateTime, Duration, Utc};
use entity::{turbo_activation, turbo_option};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};

use super::ServiceError;
use crate::billing::ledger::EntryKind;
use crate::billing::{self, BillingError, Movement, subscriptions};
use crate::catalog::{self, ServiceKind};
use crate::money::Kopecks;
use crate::time::moscow_date;

/// A speed boost on sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurboOption {
    /// Internal id.
    pub id: i64,
    /// Stable code (the API's id), e.g. `turbo-1000-3h`.
    pub code: String,
    /// The speed while it lasts, Mbit/s.
    pub speed_mbps: i32,
    /// How long it lasts.
    pub hours: i32,
    /// The one-off price.
    pub price: Kopecks,
}

fn option_from(row: turbo_option::Model) -> TurboOption {
    TurboOption {
        id: row.id,
        code: row.code,
        speed_mbps: row.speed_mbps,
        hours: row.hours,
        price: Kopecks::new(row.price),
    }
}

/// A boost bought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turbo {
    /// Internal id.
    pub id: i64,
    /// The speed, Mbit/s.
    pub speed_mbps: i32,
    /// What was charged.
    pub price: Kopecks,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ends by itself.
    pub ends_at: DateTime<Utc>,
}

fn turbo_from(row: turbo_activation::Model) -> Turbo {
    Turbo {
        id: row.id,
        speed_mbps: row.speed_mbps,
        price: Kopecks::new(row.price),
        started_at: row.started_at,
        ends_at: row.ends_at,
    }
}

/// The boosts on sale, in catalog order.
pub async fn options(db: &impl ConnectionTrait) -> Result<Vec<TurboOption>, DbErr> {
    Ok(turbo_option::Entity::find()
        .filter(turbo_option::Column::Active.eq(true))
        .order_by_asc(turbo_option::Column::SortOrder)
        .order_by_asc(turbo_option::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(option_from)
        .collect())
}

/// Adds a boost to the catalog (demo data).
pub async fn insert_option(
    db: &impl ConnectionTrait,
    code: &str,
    speed_mbps: i32,
    hours: i32,
    price: Kopecks,
    sort_order: i32,
) -> Result<TurboOption, DbErr> {
    let row = turbo_option::ActiveModel {
        code: Set(code.to_owned()),
        speed_mbps: Set(speed_mbps),
        hours: Set(hours),
        price: Set(price.get()),
        sort_order: Set(sort_order),
        active: Set(true),
        ..Default::default()
    };
    Ok(option_from(
        turbo_option::Entity::insert(row)
            .exec_with_returning(db)
            .await?,
    ))
}

/// The account's boost in force at `now`, if any.
pub async fn active_of(
    db: &impl ConnectionTrait,
    account_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<Turbo>, DbErr> {
    Ok(turbo_activation::Entity::find()
        .filter(turbo_activation::Column::AccountId.eq(account_id))
        .filter(turbo_activation::Column::EndsAt.gt(now))
        .order_by_desc(turbo_activation::Column::EndsAt)
        .one(db)
        .await?
        .map(turbo_from))
}

/// Buys the boost `code` for the account: in force at once for its hours,
/// its price charged now. Checked and written in one transaction with the
/// account held, so two purchases at once make one.
pub async fn activate(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    code: &str,
) -> Result<(Turbo, Kopecks), ServiceError> {
    let tx = crate::db::begin_write(db).await?;
    let account = super::hold_active(&tx, account_id).await?;
    let option = turbo_option::Entity::find()
        .filter(turbo_option::Column::Code.eq(code))
        .filter(turbo_option::Column::Active.eq(true))
        .one(&tx)
        .await?
        .map(option_from)
        .ok_or(ServiceError::NotFound)?;
    let today = moscow_date(now);
    let items = subscriptions::for_accounts(&tx, &[account_id], today).await?;
    let ids: Vec<i64> = items.iter().map(|i| i.item_id).collect();
    let entries = catalog::by_id(&tx, &ids).await?;
    let speed = subscriptions::tariff_on(&items, today, &entries).and_then(|t| t.speed_mbps);
    let Some(speed) = speed else {
        return Err(ServiceError::RequiresService {
            kind: ServiceKind::Internet,
        });
    };
    if option.speed_mbps <= speed {
        return Err(ServiceError::NotAvailableForTariff);
    }
    if active_of(&tx, account_id, now).await?.is_some() {
        return Err(ServiceError::TurboActive);
    }
    let available = super::available(&tx, &account).await?;
    if available < option.price {
        return Err(ServiceError::InsufficientFunds {
            needed: option.price - available,
        });
    }
    let row = turbo_activation::ActiveModel {
        account_id: Set(account_id),
        option_id: Set(option.id),
        speed_mbps: Set(option.speed_mbps),
        price: Set(option.price.get()),
        started_at: Set(now),
        ends_at: Set(now + Duration::hours(i64::from(option.hours))),
        ..Default::default()
    };
    let turbo = turbo_from(
        turbo_activation::Entity::insert(row)
            .exec_with_returning(&tx)
            .await?,
    );
    let mut balance = account.balance;
    if option.price > Kopecks::ZERO {
        let movement = Movement {
            account_id,
            kind: EntryKind::Charge,
            amount: -option.price,
            description: format!(
                "Турбо: до {} Мбит/с на {} ч",
                option.speed_mbps, option.hours
            ),
            staff_credential_id: None,
        };
        balance = match billing::post_in(&tx, now, movement).await {
            Ok(appended) => appended.balance,
            Err(BillingError::Db(e)) => return Err(e.into()),
            Err(other) => return Err(DbErr::Custom(other.to_string()).into()),
        };
    }
    tx.commit().await?;
    Ok((turbo, balance))
}
