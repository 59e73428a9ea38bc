//! DataLoaders: every object fetched by id goes through one, so a list of N
//! items costs one SQL statement, not N. The loaders hold no cache (async-graphql's
//! `NoCache`), so one set serves all requests without leaking data between them.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{DatabaseConnection, DbErr};

use crate::clock::SharedClock;
use crate::{accounts, auth, billing, catalog, notices, tv};

/// All loaders of the schema.
pub struct Loaders {
    /// Accounts by id (ownership is checked by the caller).
    pub accounts: DataLoader<AccountLoader>,
    /// Service notices by id.
    pub notices: DataLoader<NoticeLoader>,
    /// Live login sessions by id (ownership is checked by the caller).
    pub sessions: DataLoader<SessionLoader>,
    /// Current and future subscriptions by account id.
    pub subscriptions: DataLoader<SubscriptionsLoader>,
    /// Catalog items by id.
    pub catalog: DataLoader<CatalogLoader>,
    /// TV channels by id.
    pub tv_channels: DataLoader<TvChannelLoader>,
    /// TV packages by id.
    pub tv_packages: DataLoader<TvPackageLoader>,
    /// TV programmes by id.
    pub tv_programmes: DataLoader<TvProgrammeLoader>,
    /// A channel's programmes on a Moscow day, by (channel id, day).
    pub tv_days: DataLoader<TvDayLoader>,
    /// Public rating summaries by normalised title.
    pub tv_ratings: DataLoader<TvRatingLoader>,
    /// A subscriber's own stars by (account id, normalised title).
    pub tv_own_ratings: DataLoader<TvOwnRatingLoader>,
    /// A subscriber's channel visibility by account id.
    pub tv_visibility: DataLoader<TvVisibilityLoader>,
}

impl Loaders {
    /// Loaders over `db`, batching on the Tokio runtime.
    pub fn new(
        db: &DatabaseConnection,
        clock: &SharedClock,
        guide: &Arc<tv::guide::Guide>,
    ) -> Self {
        Loaders {
            accounts: DataLoader::new(AccountLoader(db.clone()), tokio::spawn),
            notices: DataLoader::new(NoticeLoader(db.clone()), tokio::spawn),
            sessions: DataLoader::new(SessionLoader(db.clone(), clock.clone()), tokio::spawn),
            subscriptions: DataLoader::new(
                SubscriptionsLoader(db.clone(), clock.clone()),
                tokio::spawn,
            ),
            catalog: DataLoader::new(CatalogLoader(db.clone()), tokio::spawn),
            tv_channels: DataLoader::new(TvChannelLoader(db.clone()), tokio::spawn),
            tv_packages: DataLoader::new(TvPackageLoader(db.clone()), tokio::spawn),
            tv_programmes: DataLoader::new(TvProgrammeLoader(db.clone()), tokio::spawn),
            tv_days: DataLoader::new(TvDayLoader(db.clone(), guide.clone()), tokio::spawn),
            tv_ratings: DataLoader::new(TvRatingLoader(db.clone()), tokio::spawn),
            tv_own_ratings: DataLoader::new(TvOwnRatingLoader(db.clone()), tokio::spawn),
            tv_visibility: DataLoader::new(
                TvVisibilityLoader(db.clone(), clock.clone()),
                tokio::spawn,
            ),
        }
    }
}

/// Loads accounts by id.
pub struct AccountLoader(DatabaseConnection);

impl Loader<i64> for AccountLoader {
    type Value = accounts::Account;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = accounts::find_many(&self.0, ids).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|a| (a.id, a)).collect())
    }
}

/// Loads service notices by id.
pub struct NoticeLoader(DatabaseConnection);

impl Loader<i64> for NoticeLoader {
    type Value = notices::Notice;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = notices::find_many(&self.0, ids).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|n| (n.id, n)).collect())
    }
}

/// Loads live login sessions by id.
pub struct SessionLoader(DatabaseConnection, SharedClock);

impl Loader<i64> for SessionLoader {
    type Value = auth::Session;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = auth::find_sessions(&self.0, self.1.now(), ids)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|s| (s.id, s)).collect())
    }
}

/// Loads the subscriptions of accounts (those not ended before today).
pub struct SubscriptionsLoader(DatabaseConnection, SharedClock);

impl Loader<i64> for SubscriptionsLoader {
    type Value = Vec<billing::subscriptions::Subscription>;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let today = crate::time::moscow_date(self.1.now());
        let rows = billing::subscriptions::for_accounts(&self.0, ids, today)
            .await
            .map_err(Arc::new)?;
        let mut by_account: HashMap<i64, Self::Value> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        for row in rows {
            by_account.entry(row.account_id).or_default().push(row);
        }
        Ok(by_account)
    }
}

/// Loads catalog items by id.
pub struct CatalogLoader(DatabaseConnection);

impl Loader<i64> for CatalogLoader {
    type Value = catalog::CatalogItem;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = catalog::find_many(&self.0, ids).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|c| (c.id, c)).collect())
    }
}

/// Loads TV channels by id.
pub struct TvChannelLoader(DatabaseConnection);

impl Loader<i64> for TvChannelLoader {
    type Value = tv::Channel;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = tv::channels_by_id(&self.0, Some(ids))
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|c| (c.id, c)).collect())
    }
}

/// Loads TV packages by id.
pub struct TvPackageLoader(DatabaseConnection);

impl Loader<i64> for TvPackageLoader {
    type Value = tv::Package;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = tv::packages_by_id(&self.0, ids).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|p| (p.id, p)).collect())
    }
}

/// Loads TV programmes by id.
pub struct TvProgrammeLoader(DatabaseConnection);

impl Loader<i64> for TvProgrammeLoader {
    type Value = tv::Programme;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = tv::programmes_by_id(&self.0, ids).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|p| (p.id, p)).collect())
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
        let mut days: HashMap<chrono::NaiveDate, Vec<i64>> = HashMap::new();
        for (channel, day) in keys {
            days.entry(*day).or_default().push(*channel);
        }
        let mut out: HashMap<(i64, chrono::NaiveDate), Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        let guide = self.1.get(&self.0).await.map_err(Arc::new)?;
        for (day, channels) in days {
            let from = crate::time::start_of_moscow_day(day);
            let to = crate::time::next_moscow_midnight(from);
            for p in guide.between(&channels, from, to) {
                out.entry((p.channel_id, day)).or_default().push(p);
            }
        }
        Ok(out)
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
