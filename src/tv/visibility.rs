//! Which channels a subscriber sees by default: all of them, or only those of
//! their packages ("only my packages"), with channels shown or hidden one by
//! one on top. An explicit choice for a channel wins over the package rule.
//! Anonymous viewers see every channel.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{tv_channel_visibility, tv_preferences};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, Value, sea_query::OnConflict,
};

use super::Channel;
use crate::db::statement;

/// A subscriber's channel visibility, read once per request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visibility {
    /// "Only my packages" is on.
    pub only_my_packages: bool,
    /// Packages the subscriber has today.
    pub my_packages: HashSet<i64>,
    /// Channels shown (`true`) or hidden (`false`) explicitly.
    pub choices: HashMap<i64, bool>,
}

impl Visibility {
    /// Whether the channel is shown by default.
    pub fn shows(&self, channel: &Channel) -> bool {
        match self.choices.get(&channel.id) {
            Some(choice) => *choice,
            None if self.only_my_packages => channel
                .package_id
                .is_some_and(|p| self.my_packages.contains(&p)),
            None => true,
        }
    }
}

/// Packages an account has on `today`: base packages with any TV tariff, and
/// the packages its TV-package services sell.
pub async fn my_packages(
    db: &impl ConnectionTrait,
    account_id: i64,
    today: NaiveDate,
) -> Result<HashSet<i64>, DbErr> {
    let active =
        "s.account_id = $1 AND s.starts_on <= $2 AND (s.ends_on IS NULL OR s.ends_on >= $2)";
    let sql = format!(
        "SELECT p.id FROM tv_package p WHERE \
         (p.base AND EXISTS (SELECT 1 FROM subscription s JOIN catalog_item c ON c.id = s.catalog_item_id \
                             WHERE {active} AND c.kind = 'tv')) \
         OR EXISTS (SELECT 1 FROM subscription s JOIN catalog_item c ON c.id = s.catalog_item_id \
                    WHERE {active} AND c.code = p.catalog_code)"
    );
    let rows = db
        .query_all_raw(statement(
            db,
            &sql,
            vec![account_id.into(), Value::from(today)],
        ))
        .await?;
    rows.into_iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect()
}

/// The account's visibility settings: one statement for the preference and
/// the per-channel choices together, a second for the packages only when
/// "only my packages" is on.
pub async fn of(
    db: &impl ConnectionTrait,
    account_id: i64,
    today: NaiveDate,
) -> Result<Visibility, DbErr> {
    // The preference is the row without a channel.
    let rows = db
        .query_all_raw(statement(
            db,
            "SELECT CAST(NULL AS BIGINT) AS channel_id, only_my_packages AS visible \
             FROM tv_preferences WHERE account_id = $1 \
             UNION ALL \
             SELECT channel_id, visible FROM tv_channel_visibility WHERE account_id = $1",
            vec![account_id.into()],
        ))
        .await?;
    let mut only_my_packages = false;
    let mut choices = HashMap::new();
    for row in rows {
        let visible: bool = row.try_get("", "visible")?;
        match row.try_get::<Option<i64>>("", "channel_id")? {
            Some(channel_id) => {
                choices.insert(channel_id, visible);
            }
            None => only_my_packages = visible,
        }
    }
    let my_packages = if only_my_packages {
        my_packages(db, account_id, today).await?
    } else {
        HashSet::new()
    };
    Ok(Visibility {
        only_my_packages,
        my_packages,
        choices,
    })
}

/// Turns "only my packages" on or off.
pub async fn set_only_my_packages(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    enabled: bool,
) -> Result<(), DbErr> {
    tv_preferences::Entity::insert(tv_preferences::ActiveModel {
        account_id: Set(account_id),
        only_my_packages: Set(enabled),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(tv_preferences::Column::AccountId)
            .update_columns([
                tv_preferences::Column::OnlyMyPackages,
                tv_preferences::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// Shows or hides these channels for the account.
pub async fn set_visible(
    db: &impl ConnectionTrait,
    account_id: i64,
    channel_ids: &[i64],
    visible: bool,
) -> Result<(), DbErr> {
    if channel_ids.is_empty() {
        return Ok(());
    }
    tv_channel_visibility::Entity::insert_many(channel_ids.iter().map(|id| {
        tv_channel_visibility::ActiveModel {
            account_id: Set(account_id),
            channel_id: Set(*id),
            visible: Set(visible),
        }
    }))
    .on_conflict(
        OnConflict::columns([
            tv_channel_visibility::Column::AccountId,
            tv_channel_visibility::Column::ChannelId,
        ])
        .update_column(tv_channel_visibility::Column::Visible)
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// The channels a subscriber with `visibility` sees, in list order.
pub async fn channels_seen(
    db: &impl sea_orm::ConnectionTrait,
    visibility: &Visibility,
) -> Result<Vec<super::Channel>, sea_orm::DbErr> {
    let mut channels = super::channels_by_id(db, None).await?;
    channels.retain(|c| visibility.shows(c));
    Ok(channels)
}
