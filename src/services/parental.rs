//! Parental control: the categories of sites the account's connection blocks.
//! Switching it on needs the «Родительский контроль» service in force;
//! switching it off is always possible.

use chrono::{DateTime, Utc};
use entity::parental_control;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};

use super::ServiceError;
use crate::billing::subscriptions;
use crate::catalog::{self, ServiceKind};
use crate::time::moscow_date;

/// A category of sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SiteCategory {
    /// Adult content.
    Adult,
    /// Gambling and betting.
    Gambling,
    /// Violence.
    Violence,
    /// Drugs.
    Drugs,
    /// Weapons.
    Weapons,
    /// Extremism.
    Extremism,
    /// Phishing and malware.
    Phishing,
    /// Dating.
    Dating,
    /// Social networks.
    SocialNetworks,
    /// Online games.
    Games,
}

impl SiteCategory {
    /// Every category, in a stable order.
    pub const ALL: [SiteCategory; 10] = [
        SiteCategory::Adult,
        SiteCategory::Gambling,
        SiteCategory::Violence,
        SiteCategory::Drugs,
        SiteCategory::Weapons,
        SiteCategory::Extremism,
        SiteCategory::Phishing,
        SiteCategory::Dating,
        SiteCategory::SocialNetworks,
        SiteCategory::Games,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            SiteCategory::Adult => "adult",
            SiteCategory::Gambling => "gambling",
            SiteCategory::Violence => "violence",
            SiteCategory::Drugs => "drugs",
            SiteCategory::Weapons => "weapons",
            SiteCategory::Extremism => "extremism",
            SiteCategory::Phishing => "phishing",
            SiteCategory::Dating => "dating",
            SiteCategory::SocialNetworks => "social_networks",
            SiteCategory::Games => "games",
        }
    }

    fn parse(code: &str) -> Option<SiteCategory> {
        SiteCategory::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// The account's parental control.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParentalControl {
    /// Whether sites are filtered.
    pub enabled: bool,
    /// The blocked categories, in the stable order.
    pub categories: Vec<SiteCategory>,
    /// When it was last changed.
    pub updated_at: Option<DateTime<Utc>>,
}

/// The account's parental control (off, nothing blocked, until first set).
pub async fn of(db: &impl ConnectionTrait, account_id: i64) -> Result<ParentalControl, DbErr> {
    Ok(parental_control::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .map(|row| ParentalControl {
            enabled: row.enabled,
            categories: row
                .categories
                .split(',')
                .filter_map(SiteCategory::parse)
                .collect(),
            updated_at: Some(row.updated_at),
        })
        .unwrap_or_default())
}

/// Sets parental control. On needs at least one category and the parental
/// control service in force today; the categories are kept without repeats.
pub async fn set(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    enabled: bool,
    categories: &[SiteCategory],
) -> Result<ParentalControl, ServiceError> {
    let mut categories = categories.to_vec();
    categories.sort();
    categories.dedup();
    if enabled {
        if categories.is_empty() {
            return Err(ServiceError::CategoriesRequired);
        }
        let today = moscow_date(now);
        let items = subscriptions::for_accounts(db, &[account_id], today).await?;
        let ids: Vec<i64> = items
            .iter()
            .filter(|s| s.active_on(today))
            .map(|s| s.item_id)
            .collect();
        let has = catalog::find_many(db, &ids)
            .await?
            .iter()
            .any(|c| c.kind == ServiceKind::ParentalControl);
        if !has {
            return Err(ServiceError::RequiresService {
                kind: ServiceKind::ParentalControl,
            });
        }
    }
    let codes: Vec<&str> = categories.iter().map(|c| c.code()).collect();
    let row = parental_control::ActiveModel {
        account_id: Set(account_id),
        enabled: Set(enabled),
        categories: Set(codes.join(",")),
        updated_at: Set(now),
    };
    parental_control::Entity::insert(row)
        .on_conflict(
            OnConflict::column(parental_control::Column::AccountId)
                .update_columns([
                    parental_control::Column::Enabled,
                    parental_control::Column::Categories,
                    parental_control::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(ParentalControl {
        enabled,
        categories,
        updated_at: Some(now),
    })
}
