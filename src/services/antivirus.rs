//! Antivirus bought outright or in instalments: a licence (a key on a
//! subscription that costs nothing monthly, for a year) and its price split
//! into monthly instalments that add up to it exactly (the remainder of the
//! split in the first), each charged once when due as an `INSTALMENT` entry:
//! the first at purchase, the rest by the billing worker on the same day of
//! each following month.

use std::collections::HashMap;

use chrono::{DateTime, Months, NaiveDate, Utc};
use entity::instalment::{self, Column};
use rand::Rng;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};

use super::ServiceError;
use super::terms::last_day_of;
use crate::billing::ledger::EntryKind;
use crate::billing::subscriptions::{self, NewSubscription, Subscription};
use crate::billing::{self, BillingError, Movement};
use crate::catalog::{self, ServiceKind};
use crate::money::Kopecks;
use crate::time::moscow_date;

/// How long a licence lasts, months.
pub const LICENCE_MONTHS: u32 = 12;

/// One instalment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instalment {
    /// The subscription bought.
    pub subscription_id: i64,
    /// 1-based.
    pub number: i32,
    /// How many there are.
    pub of: i32,
    /// When it is due.
    pub due_on: NaiveDate,
    /// How much.
    pub amount: Kopecks,
    /// Whether it has been charged.
    pub charged: bool,
}

fn from_row(row: instalment::Model) -> Instalment {
    Instalment {
        subscription_id: row.subscription_id,
        number: row.number,
        of: row.of,
        due_on: row.due_on,
        amount: Kopecks::new(row.amount),
        charged: row.charged_at.is_some(),
    }
}

/// `price` split into `months` instalments that add up to it exactly: the
/// remainder of the division goes into the first.
pub fn split(price: Kopecks, months: u32) -> Vec<Kopecks> {
    let n = i64::from(months.max(1));
    let base = price.get() / n;
    let first = base + price.get() % n;
    (0..n)
        .map(|i| Kopecks::new(if i == 0 { first } else { base }))
        .collect()
}

/// A licence key: five groups of five letters and digits.
fn licence_key() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..5)
        .map(|_| {
            (0..5)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// What a purchase made.
#[derive(Debug, Clone)]
pub struct Purchased {
    /// The licence, with its key.
    pub subscription: Subscription,
    /// Every instalment, the first charged.
    pub instalments: Vec<Instalment>,
    /// The balance after the first.
    pub balance: Kopecks,
}

fn post_error(err: BillingError) -> ServiceError {
    match err {
        BillingError::Db(e) => e.into(),
        other => DbErr::Custom(other.to_string()).into(),
    }
}

fn description(name: &str, number: i32, of: i32) -> String {
    if of == 1 {
        format!("Покупка «{name}»")
    } else {
        format!("Рассрочка «{name}»: платёж {number} из {of}")
    }
}

/// Buys antivirus `code` over `months` months (one of its terms; 1: at once).
/// The first instalment must be covered by the balance plus promised credit.
pub async fn purchase(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    code: &str,
    months: u32,
) -> Result<Purchased, ServiceError> {
    let today = moscow_date(now);
    let tx = crate::db::begin_write(db).await?;
    let account = super::hold_active(&tx, account_id).await?;
    let product = catalog::find_active_by_code(&tx, code)
        .await?
        .filter(|p| p.kind == ServiceKind::Antivirus)
        .ok_or(ServiceError::NotFound)?;
    let Some(terms) = product.purchase.clone() else {
        return Err(ServiceError::NotFound);
    };
    if !terms.instalment_months.contains(&months) {
        return Err(ServiceError::InstalmentTermNotOffered {
            offered: terms.instalment_months,
        });
    }
    let items = subscriptions::for_accounts(&tx, &[account_id], today).await?;
    if items
        .iter()
        .any(|s| s.item_id == product.id && s.active_on(today))
    {
        return Err(ServiceError::AlreadyConnected);
    }
    let amounts = split(terms.price, months);
    let first = amounts.first().copied().unwrap_or(Kopecks::ZERO);
    let available = super::available(&tx, &account).await?;
    if available < first {
        return Err(ServiceError::InsufficientFunds {
            needed: first - available,
        });
    }
    let subscription = subscriptions::insert(
        &tx,
        now,
        NewSubscription {
            account_id,
            item_id: product.id,
            monthly_fee: Kopecks::ZERO,
            promo: None,
            starts_on: today,
            ends_on: Some(last_day_of(today, LICENCE_MONTHS)),
            ownership: None,
            min_term: None,
            licence_key: Some(licence_key()),
        },
    )
    .await?;
    let of = i32::try_from(amounts.len()).unwrap_or(i32::MAX);
    let mut instalments = Vec::with_capacity(amounts.len());
    for (i, amount) in amounts.iter().enumerate() {
        let number = i32::try_from(i).unwrap_or(i32::MAX) + 1;
        let due_on = today
            .checked_add_months(Months::new(u32::try_from(i).unwrap_or(0)))
            .unwrap_or(today);
        let row = instalment::ActiveModel {
            account_id: Set(account_id),
            subscription_id: Set(subscription.id),
            number: Set(number),
            of: Set(of),
            due_on: Set(due_on),
            amount: Set(amount.get()),
            charged_at: Set((number == 1).then_some(now)),
            ..Default::default()
        };
        instalments.push(from_row(
            instalment::Entity::insert(row)
                .exec_with_returning(&tx)
                .await?,
        ));
    }
    let movement = Movement {
        account_id,
        kind: EntryKind::Instalment,
        amount: -first,
        description: description(&product.name, 1, of),
        staff_credential_id: None,
    };
    let balance = billing::post_in(&tx, now, movement)
        .await
        .map_err(post_error)?
        .balance;
    tx.commit().await?;
    Ok(Purchased {
        subscription,
        instalments,
        balance,
    })
}

/// Charges every instalment due by today, each once (one guarded update in
/// the transaction of its entry), on any number of replicas. Returns the
/// accounts charged with their balance after.
pub async fn charge_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, Kopecks)>, DbErr> {
    let today = moscow_date(now);
    let due = instalment::Entity::find()
        .filter(Column::ChargedAt.is_null())
        .filter(Column::DueOn.lte(today))
        .order_by_asc(Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = due.iter().map(|d| d.subscription_id).collect();
    let mut names: HashMap<i64, String> = HashMap::new();
    if !ids.is_empty() {
        let subs = subscription_items(db, &ids).await?;
        let items: Vec<i64> = subs.values().copied().collect();
        let catalog: HashMap<i64, String> = catalog::find_many(db, &items)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        for (sub, item) in subs {
            names.insert(sub, catalog.get(&item).cloned().unwrap_or_default());
        }
    }
    let mut charged = Vec::new();
    for row in due {
        let tx = crate::db::begin_write(db).await?;
        let won = instalment::Entity::update_many()
            .col_expr(Column::ChargedAt, sea_orm::sea_query::Expr::value(now))
            .filter(Column::Id.eq(row.id))
            .filter(Column::ChargedAt.is_null())
            .exec(&tx)
            .await?
            .rows_affected
            == 1;
        if !won {
            continue;
        }
        let name = names
            .get(&row.subscription_id)
            .map(String::as_str)
            .unwrap_or("");
        let movement = Movement {
            account_id: row.account_id,
            kind: EntryKind::Instalment,
            amount: -Kopecks::new(row.amount),
            description: description(name, row.number, row.of),
            staff_credential_id: None,
        };
        let balance = match billing::post_in(&tx, now, movement).await {
            Ok(appended) => appended.balance,
            Err(BillingError::Db(e)) => return Err(e),
            Err(other) => return Err(DbErr::Custom(other.to_string())),
        };
        tx.commit().await?;
        charged.push((row.account_id, balance));
    }
    Ok(charged)
}

/// Subscription id → its catalog item id.
async fn subscription_items(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, i64>, DbErr> {
    Ok(entity::subscription::Entity::find()
        .filter(entity::subscription::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.catalog_item_id))
        .collect())
}

/// The instalments of an account not yet charged, by subscription, in order.
pub async fn unpaid_of(
    db: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<Instalment>, DbErr> {
    Ok(instalment::Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::ChargedAt.is_null())
        .order_by_asc(Column::SubscriptionId)
        .order_by_asc(Column::Number)
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instalments_add_up_to_the_price_exactly() {
        for (price, months) in [(299_000, 12), (199_000, 3), (100, 7), (5, 6), (299_000, 1)] {
            let parts = split(Kopecks::new(price), months);
            assert_eq!(parts.len(), months as usize);
            assert_eq!(parts.iter().copied().sum::<Kopecks>(), Kopecks::new(price));
            assert!(parts.windows(2).all(|w| w[0] >= w[1]));
        }
        assert_eq!(
            split(Kopecks::new(100), 3),
            [Kopecks::new(34), Kopecks::new(33), Kopecks::new(33)]
        );
    }

    #[test]
    fn a_licence_key_is_five_groups_of_five() {
        let key = licence_key();
        assert_eq!(key.len(), 29);
        assert!(key.split('-').all(|g| g.len() == 5));
    }
}
