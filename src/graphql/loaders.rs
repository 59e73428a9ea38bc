//! DataLoaders: every object fetched by id goes through one, so a list of N
//! items costs one SQL statement, not N. The loaders hold no cache (async-graphql's
//! `NoCache`), so one set serves all requests without leaking data between them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};
use futures_util::future::BoxFuture;
use sea_orm::{DatabaseConnection, DbErr};

use crate::clock::SharedClock;
use crate::{accounts, auth, billing, catalog, notices, tv};

/// All loaders of the schema.
pub struct Loaders {
    /// Accounts by id (ownership is checked by the caller).
    pub accounts: DataLoader<ById<accounts::Account>>,
    /// Service notices by id.
    pub notices: DataLoader<ById<notices::Notice>>,
    /// Live login sessions by id (ownership is checked by the caller).
    pub sessions: DataLoader<ById<auth::Session>>,
    /// Current and future subscriptions by account id.
    pub subscriptions: DataLoader<SubscriptionsLoader>,
    /// Catalog items by id.
    pub catalog: DataLoader<ById<catalog::CatalogItem>>,
    /// TV channels by id.
    pub tv_channels: DataLoader<ById<tv::Channel>>,
    /// TV packages by id.
    pub tv_packages: DataLoader<ById<tv::Package>>,
    /// TV programmes by id.
    pub tv_programmes: DataLoader<ById<tv::Programme>>,
    /// A channel's programmes on a Moscow day, by (channel id, day).
    pub tv_days: DataLoader<TvDayLoader>,
    /// Public rating summaries by normalised title.
    pub tv_ratings: DataLoader<TvRatingLoader>,
    /// A subscriber's own stars by (account id, normalised title).
    pub tv_own_ratings: DataLoader<TvOwnRatingLoader>,
    /// A subscriber's channel visibility by account id.
    pub tv_visibility: DataLoader<TvVisibilityLoader>,
    /// Ledger entries by id (ownership is checked by the caller).
    pub ledger_entries: DataLoader<ById<billing::ledger::Entry>>,
    /// Payments by id (ownership is checked by the caller).
    pub payments: DataLoader<ById<crate::payments::Payment>>,
    /// Refunds by payment id.
    pub refunds: DataLoader<RefundsLoader>,
    /// Bonus catalog items by id (withdrawn ones too, for past redemptions).
    pub bonus_items: DataLoader<ById<crate::bonus::catalog::Item>>,
    /// Bonus redemptions by id (ownership is checked by the caller).
    pub bonus_redemptions: DataLoader<ById<crate::bonus::redeem::Redemption>>,
    /// Support tickets by id (ownership is checked by the caller).
    pub tickets: DataLoader<ById<crate::support::tickets::Ticket>>,
    /// The latest technician visit of each ticket, by ticket id.
    pub ticket_visits: DataLoader<ById<crate::support::visits::Visit>>,
    /// What decides whether a subscriber can take catalog items, by account id.
    pub bonus_viewers: DataLoader<BonusViewerLoader>,
}

impl Loaders {
    /// Loaders over `db`, batching on the Tokio runtime.
    pub fn new(
        db: &DatabaseConnection,
        clock: &SharedClock,
        guide: &Arc<tv::guide::Guide>,
        delay: Duration,
    ) -> Self {
        Loaders {
            accounts: by_id(
                delay,
                db,
                |a| a.id,
                |db, ids| Box::pin(async move { accounts::find_many(&db, &ids).await }),
            ),
            notices: by_id(
                delay,
                db,
                |n| n.id,
                |db, ids| Box::pin(async move { notices::find_many(&db, &ids).await }),
            ),
            sessions: {
                let clock = clock.clone();
                by_id(
                    delay,
                    db,
                    |s| s.id,
                    move |db, ids| {
                        let now = clock.now();
                        Box::pin(async move { auth::find_sessions(&db, now, &ids).await })
                    },
                )
            },
            subscriptions: loader(SubscriptionsLoader(db.clone(), clock.clone()), delay),
            catalog: by_id(
                delay,
                db,
                |c| c.id,
                |db, ids| Box::pin(async move { catalog::find_many(&db, &ids).await }),
            ),
            tv_channels: by_id(
                delay,
                db,
                |c| c.id,
                |db, ids| Box::pin(async move { tv::channels_by_id(&db, Some(&ids)).await }),
            ),
            tv_packages: by_id(
                delay,
                db,
                |p| p.id,
                |db, ids| Box::pin(async move { tv::packages_by_id(&db, &ids).await }),
            ),
            tv_programmes: by_id(
                delay,
                db,
                |p| p.id,
                |db, ids| Box::pin(async move { tv::programmes_by_id(&db, &ids).await }),
            ),
            ledger_entries: by_id(
                delay,
                db,
                |e| e.id,
                |db, ids| Box::pin(async move { billing::ledger::find_many(&db, &ids).await }),
            ),
            payments: by_id(
                delay,
                db,
                |p| p.id,
                |db, ids| Box::pin(async move { crate::payments::find_many(&db, &ids).await }),
            ),
            refunds: loader(RefundsLoader(db.clone()), delay),
            bonus_items: by_id(
                delay,
                db,
                |i| i.id,
                |db, ids| {
                    Box::pin(async move { crate::bonus::catalog::find_many(&db, &ids).await })
                },
            ),
            bonus_redemptions: by_id(
                delay,
                db,
                |r| r.id,
                |db, ids| Box::pin(async move { crate::bonus::redeem::find_many(&db, &ids).await }),
            ),
            tickets: by_id(
                delay,
                db,
                |t| t.id,
                |db, ids| {
                    Box::pin(async move { crate::support::tickets::find_many(&db, &ids).await })
                },
            ),
            ticket_visits: by_id(
                delay,
                db,
                |v| v.ticket_id,
                |db, ids| {
                    Box::pin(
                        async move { crate::support::visits::latest_of_tickets(&db, &ids).await },
                    )
                },
            ),
            bonus_viewers: loader(BonusViewerLoader(db.clone(), clock.clone()), delay),
            tv_days: loader(TvDayLoader(db.clone(), guide.clone()), delay),
            tv_ratings: loader(TvRatingLoader(db.clone()), delay),
            tv_own_ratings: loader(TvOwnRatingLoader(db.clone()), delay),
            tv_visibility: loader(TvVisibilityLoader(db.clone(), clock.clone()), delay),
        }
    }
}

/// A loader batching on the Tokio runtime after `delay`: the keys every
/// resolver of one wave asks for (across concurrent requests too) go in one
/// statement.
fn loader<L: Send + Sync + 'static>(inner: L, delay: Duration) -> DataLoader<L> {
    DataLoader::new(inner, super::waves::spawn_wave).delay(delay)
}

/// Finds the rows of these ids (missing ones are simply absent).
type Lookup<T> = Box<
    dyn Fn(DatabaseConnection, Vec<i64>) -> BoxFuture<'static, Result<Vec<T>, DbErr>> + Send + Sync,
>;

/// Loads objects by id with one lookup per batch: the loader of every type
/// that is found by its id, differing only in the lookup it calls.
pub struct ById<T> {
    db: DatabaseConnection,
    key: fn(&T) -> i64,
    lookup: Lookup<T>,
}

fn by_id<T: Send + Sync + Clone + 'static>(
    delay: Duration,
    db: &DatabaseConnection,
    key: fn(&T) -> i64,
    lookup: impl Fn(DatabaseConnection, Vec<i64>) -> BoxFuture<'static, Result<Vec<T>, DbErr>>
    + Send
    + Sync
    + 'static,
) -> DataLoader<ById<T>> {
    loader(
        ById {
            db: db.clone(),
            key,
            lookup: Box::new(lookup),
        },
        delay,
    )
}

impl<T: Send + Sync + Clone + 'static> Loader<i64> for ById<T> {
    type Value = T;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, T>, Self::Error> {
        let rows = (self.lookup)(self.db.clone(), ids.to_vec())
            .await
            .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|row| ((self.key)(&row), row))
            .collect())
    }
}

/// A subscription with its catalog entry, as the subscriptions loader gives it.
pub type Listed = (
    billing::subscriptions::Subscription,
    Arc<crate::catalog::CatalogItem>,
);

/// Loads the subscriptions of accounts (those not ended before today), each
/// with its catalog entry, so names and the tariff need no second wave.
pub struct SubscriptionsLoader(DatabaseConnection, SharedClock);

impl Loader<i64> for SubscriptionsLoader {
    type Value = Vec<Listed>;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let today = crate::time::moscow_date(self.1.now());
        let rows = billing::subscriptions::for_accounts_with_entries(&self.0, ids, today)
            .await
            .map_err(Arc::new)?;
        let mut by_account: HashMap<i64, Self::Value> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        for (row, entry) in rows {
            by_account
                .entry(row.account_id)
                .or_default()
                .push((row, Arc::new(entry)));
        }
        Ok(by_account)
    }
}

/// Loads the refunds of payments.
pub struct RefundsLoader(DatabaseConnection);

impl Loader<i64> for RefundsLoader {
    type Value = Vec<crate::payments::refunds::Refund>;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = crate::payments::refunds::for_payments(&self.0, ids)
            .await
            .map_err(Arc::new)?;
        let mut by_payment: HashMap<i64, Self::Value> = HashMap::new();
        for row in rows {
            by_payment.entry(row.payment_id).or_default().push(row);
        }
        Ok(by_payment)
    }
}

/// Loads channels' days from the guide in memory.
pub struct TvDayLoader(DatabaseConnection, Arc<tv::guide::Guide>);

impl Loader<(i64, chrono::NaiveDate)> for TvDayLoader {
    type Value = Vec<tv::Programme>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[(i64, chrono::NaiveDate)],
    ) -> Result<HashMap<(i64, chrono::NaiveDate), Self::Value>, Self::Error> {
        let guide = self.1.get(&self.0).await.map_err(Arc::new)?;
        Ok(guide.moscow_days(keys))
    }
}

/// Loads public rating summaries by normalised title.
pub struct TvRatingLoader(DatabaseConnection);

impl Loader<String> for TvRatingLoader {
    type Value = tv::ratings::Summary;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        tv::ratings::summaries(&self.0, keys)
            .await
            .map_err(Arc::new)
    }
}

/// Loads a subscriber's own stars by (account id, normalised title).
pub struct TvOwnRatingLoader(DatabaseConnection);

impl Loader<(i64, String)> for TvOwnRatingLoader {
    type Value = i32;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[(i64, String)],
    ) -> Result<HashMap<(i64, String), Self::Value>, Self::Error> {
        let mut by_account: HashMap<i64, Vec<String>> = HashMap::new();
        for (account, title) in keys {
            by_account.entry(*account).or_default().push(title.clone());
        }
        let mut out = HashMap::new();
        for (account, titles) in by_account {
            for (title, stars) in tv::ratings::own(&self.0, account, &titles)
                .await
                .map_err(Arc::new)?
            {
                out.insert((account, title), stars);
            }
        }
        Ok(out)
    }
}

/// Wraps a loader's shared error for the API.
#[derive(Debug, thiserror::Error)]
#[error("loading failed: {0}")]
pub struct LoadError(Arc<DbErr>);

impl From<Arc<DbErr>> for super::errors::ApiError {
    fn from(err: Arc<DbErr>) -> Self {
        super::errors::ApiError::internal(LoadError(err))
    }
}

/// Loads subscribers' channel visibility (asked once per request however many
/// channels show `visible`).
pub struct TvVisibilityLoader(DatabaseConnection, SharedClock);

impl Loader<i64> for TvVisibilityLoader {
    type Value = tv::visibility::Visibility;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let today = crate::time::moscow_date(self.1.now());
        let mut out = HashMap::new();
        // One viewer per request: the batch has one key.
        for id in ids {
            let visibility = tv::visibility::of(&self.0, *id, today)
                .await
                .map_err(Arc::new)?;
            out.insert(*id, visibility);
        }
        Ok(out)
    }
}

/// Loads what decides whether a subscriber can take bonus catalog items.
pub struct BonusViewerLoader(DatabaseConnection, SharedClock);

impl Loader<i64> for BonusViewerLoader {
    type Value = crate::bonus::catalog::Viewer;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let now = self.1.now();
        let mut out = HashMap::new();
        // One viewer per request: the batch has one key.
        for id in ids {
            let viewer = crate::bonus::redeem::viewer(&self.0, now, *id)
                .await
                .map_err(Arc::new)?;
            out.insert(*id, viewer);
        }
        Ok(out)
    }
}
