//! GraphQL face of turbo and parental control: `turboOptions`, `me { turbo
//! parentalControl }`, `activateTurbo`, `setParentalControl`.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use super::context::ContextExt;
use super::errors::{ApiError, UserError};
use super::scalars::{DateTime, Money};
use super::services::user_error;
use crate::events::{AccountEvent, Events};
use crate::services::parental::{self, SiteCategory as Domain};
use crate::services::turbo;

/// A speed boost on sale (like ABillS and Билайн): its speed, hours and one-off price.
#[derive(Debug, Clone)]
pub struct TurboOption(turbo::TurboOption);

/// A speed boost on sale.
#[Object]
impl TurboOption {
    /// Its id (for `activateTurbo`).
    async fn id(&self) -> ID {
        ID(self.0.code.clone())
    }

    /// The speed while it lasts, Mbit/s.
    async fn speed_mbps(&self) -> i32 {
        self.0.speed_mbps
    }

    /// How many hours it lasts from the moment it is bought.
    async fn hours(&self) -> i32 {
        self.0.hours
    }

    /// The one-off price, charged when bought.
    async fn price(&self) -> Money {
        self.0.price.into()
    }
}

/// A speed boost in force; it ends by itself at `endsAt`.
#[derive(Debug, Clone, SimpleObject)]
pub struct Turbo {
    /// The speed, Mbit/s.
    pub speed_mbps: i32,
    /// What was charged.
    pub price: Money,
    /// When it started.
    pub started_at: DateTime,
    /// When it ends by itself.
    pub ends_at: DateTime,
}

impl From<turbo::Turbo> for Turbo {
    fn from(t: turbo::Turbo) -> Self {
        Turbo {
            speed_mbps: t.speed_mbps,
            price: t.price.into(),
            started_at: DateTime(t.started_at),
            ends_at: DateTime(t.ends_at),
        }
    }
}

/// A category of sites parental control can block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "Domain")]
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

/// Parental control: whether sites are filtered and which categories.
#[derive(Debug, Clone, SimpleObject)]
pub struct ParentalControl {
    /// Whether sites are filtered.
    pub enabled: bool,
    /// The blocked categories.
    pub blocked_categories: Vec<SiteCategory>,
    /// When it was last changed (null until first set).
    pub updated_at: Option<DateTime>,
}

impl From<parental::ParentalControl> for ParentalControl {
    fn from(p: parental::ParentalControl) -> Self {
        ParentalControl {
            enabled: p.enabled,
            blocked_categories: p.categories.into_iter().map(Into::into).collect(),
            updated_at: p.updated_at.map(DateTime),
        }
    }
}

/// `Account.turbo`.
pub(super) async fn turbo_of(
    ctx: &Context<'_>,
    account_id: i64,
) -> Result<Option<Turbo>, ApiError> {
    Ok(turbo::active_of(ctx.db(), account_id, ctx.clock().now())
        .await?
        .map(Into::into))
}

/// `Account.parentalControl`.
pub(super) async fn parental_of(
    ctx: &Context<'_>,
    account_id: i64,
) -> Result<ParentalControl, ApiError> {
    Ok(parental::of(ctx.db(), account_id).await?.into())
}

/// Root fields of turbo.
#[derive(Default)]
pub struct TurboQuery;

#[Object]
impl TurboQuery {
    /// Speed boosts on sale, with speed, hours and price. Anyone may ask.
    #[graphql(complexity = "super::cost::times(super::cost::CATALOG_ITEMS, child_complexity)")]
    async fn turbo_options(&self, ctx: &Context<'_>) -> Result<Vec<TurboOption>, ApiError> {
        Ok(turbo::options(ctx.db())
            .await?
            .into_iter()
            .map(TurboOption)
            .collect())
    }
}

/// Input of `activateTurbo`.
#[derive(Debug, InputObject)]
pub struct ActivateTurboInput {
    /// The boost (`TurboOption.id`).
    pub option_id: ID,
}

/// Result of `activateTurbo`.
#[derive(SimpleObject)]
pub struct ActivateTurboPayload {
    /// The boost now in force.
    pub turbo: Option<Turbo>,
    /// `NOT_FOUND`, `ALREADY_ACTIVE`, `NOT_AVAILABLE_FOR_TARIFF`, `REQUIRES_SERVICE`,
    /// `INSUFFICIENT_FUNDS`, `ACCOUNT_BLOCKED`, `ACCOUNT_SUSPENDED`, `ACCOUNT_CLOSED`.
    pub user_errors: Vec<UserError>,
}

/// Input of `setParentalControl`.
#[derive(Debug, InputObject)]
pub struct SetParentalControlInput {
    /// Filter sites or not.
    pub enabled: bool,
    /// The categories to block (at least one to switch on).
    #[graphql(default)]
    pub blocked_categories: Vec<SiteCategory>,
}

/// Result of `setParentalControl`.
#[derive(SimpleObject)]
pub struct SetParentalControlPayload {
    /// The settings now.
    pub parental_control: Option<ParentalControl>,
    /// `REQUIRED` (no category), `REQUIRES_SERVICE` (the parental control service
    /// is not connected).
    pub user_errors: Vec<UserError>,
}

/// Subscribers' turbo and parental control.
#[derive(Default)]
pub struct TurboMutation;

#[Object]
impl TurboMutation {
    /// Buys a speed boost: in force at once for its hours, its price (shown
    /// in `turboOptions`) charged now; it ends by itself.
    async fn activate_turbo(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The boost.")] input: ActivateTurboInput,
    ) -> Result<ActivateTurboPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let now = ctx.clock().now();
        match turbo::activate(ctx.db(), now, account_id, &input.option_id).await {
            Ok((bought, balance)) => {
                ctx.data_unchecked::<Events>()
                    .publish(AccountEvent::BalanceChanged {
                        account_id,
                        balance,
                        at: now,
                    })
                    .await;
                Ok(ActivateTurboPayload {
                    turbo: Some(bought.into()),
                    user_errors: Vec::new(),
                })
            }
            Err(e) => Ok(ActivateTurboPayload {
                turbo: None,
                user_errors: vec![user_error(e)?],
            }),
        }
    }

    /// Switches parental control on with the categories to block, or off.
    async fn set_parental_control(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "On or off, and the categories.")] input: SetParentalControlInput,
    ) -> Result<SetParentalControlPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let categories: Vec<Domain> = input
            .blocked_categories
            .into_iter()
            .map(Into::into)
            .collect();
        let now = ctx.clock().now();
        match parental::set(ctx.db(), now, account_id, input.enabled, &categories).await {
            Ok(set) => Ok(SetParentalControlPayload {
                parental_control: Some(set.into()),
                user_errors: Vec::new(),
            }),
            Err(e) => Ok(SetParentalControlPayload {
                parental_control: None,
                user_errors: vec![user_error(e)?],
            }),
        }
    }
}
