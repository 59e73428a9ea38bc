//! GraphQL face of voluntary suspension: `me { suspension suspensionPreview }`,
//! `suspendServices` and `resumeServices`.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};

use super::context::ContextExt;
use super::errors::{ApiError, UserError};
use super::scalars::{Date, Money};
use super::services::user_error;
use crate::events::{AccountEvent, Events};
use crate::money::Kopecks;
use crate::services::ServiceError;
use crate::services::suspension::{self, Suspension as Domain};

/// The daily fee of a suspension (schema data).
#[derive(Debug, Clone, Copy)]
pub struct SuspensionDailyFee(pub Kopecks);

/// Where a suspension stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "suspension::Status")]
pub enum SuspensionStatus {
    /// Asked for; starts at 00:00 Moscow time of its first day.
    Scheduled,
    /// In force: services are paused and not charged.
    Active,
    /// Over.
    Ended,
    /// Withdrawn before it started.
    Canceled,
}

/// A voluntary suspension (добровольная блокировка) of all services.
#[derive(Debug, Clone)]
pub struct Suspension(Domain);

/// A voluntary suspension (добровольная блокировка) of all services.
#[Object]
impl Suspension {
    /// First Moscow day paused.
    async fn from(&self) -> Date {
        Date(self.0.starts_on)
    }

    /// Last Moscow day paused.
    async fn until(&self) -> Date {
        Date(self.0.ends_on)
    }

    /// Where it stands.
    async fn status(&self) -> SuspensionStatus {
        self.0.status.into()
    }

    /// Its days.
    async fn days(&self) -> i32 {
        i32::try_from(self.0.days()).unwrap_or(i32::MAX)
    }

    /// The fee of each day paused.
    async fn daily_fee(&self) -> Money {
        self.0.daily_fee.into()
    }

    /// The fee of all its days (charged once when it starts; the unused days
    /// come back on an early resume).
    async fn total_fee(&self) -> Money {
        self.0.total_fee().into()
    }
}

/// What a suspension would be, before it is asked for.
#[derive(SimpleObject)]
pub struct SuspensionPreview {
    /// First day.
    pub from: Date,
    /// Last day.
    pub until: Date,
    /// Its days.
    pub days: i32,
    /// The fee of each day.
    pub daily_fee: Money,
    /// The fee of all its days, charged once when it starts.
    pub total_fee: Money,
    /// Days suspended (or scheduled) already in the first day's calendar year.
    pub days_used_this_year: i32,
    /// Days still allowed in that year.
    pub days_left_this_year: i32,
    /// Whether it can be asked for.
    pub allowed: bool,
    /// Why not (the codes `suspendServices` would answer with).
    pub blockers: Vec<UserError>,
}

fn int(value: i64) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// `Account.suspension`.
pub(super) async fn of(ctx: &Context<'_>, account_id: i64) -> Result<Option<Suspension>, ApiError> {
    Ok(suspension::open_of(ctx.db(), account_id)
        .await?
        .map(Suspension))
}

/// `Account.suspensionPreview`.
pub(super) async fn preview(
    ctx: &Context<'_>,
    account_id: i64,
    from: Date,
    until: Date,
) -> Result<SuspensionPreview, ApiError> {
    let fee = ctx.data_unchecked::<SuspensionDailyFee>().0;
    let plan = match suspension::preview(
        ctx.db(),
        ctx.clock().now(),
        account_id,
        from.0,
        until.0,
        fee,
    )
    .await
    {
        Ok(plan) => plan,
        Err(ServiceError::Db(e)) => return Err(e.into()),
        Err(e) => return Err(ApiError::internal(e)),
    };
    Ok(SuspensionPreview {
        from: Date(plan.from),
        until: Date(plan.until),
        days: int(plan.days),
        daily_fee: plan.daily_fee.into(),
        total_fee: plan.total_fee.into(),
        days_used_this_year: int(plan.used_this_year),
        days_left_this_year: int(plan.left_this_year),
        allowed: plan.blockers.is_empty(),
        blockers: plan
            .blockers
            .iter()
            .map(|b| user_error(b.refusal()))
            .collect::<Result<_, _>>()?,
    })
}

/// Input of `suspendServices`.
#[derive(Debug, InputObject)]
pub struct SuspendServicesInput {
    /// First Moscow day paused (tomorrow at the earliest).
    pub from: Date,
    /// Last Moscow day paused (1–90 days in all).
    pub until: Date,
}

/// Result of `suspendServices`.
#[derive(SimpleObject)]
pub struct SuspendServicesPayload {
    /// The suspension asked for.
    pub suspension: Option<Suspension>,
    /// `INVALID_VALUE` (dates), `LIMIT_REACHED` (90 days a year), `ALREADY_ACTIVE`,
    /// `ACCOUNT_BLOCKED`, `ACCOUNT_CLOSED`, `INSUFFICIENT_FUNDS` (the fee).
    pub user_errors: Vec<UserError>,
}

/// Result of `resumeServices`.
#[derive(SimpleObject)]
pub struct ResumeServicesPayload {
    /// The suspension, now `ENDED` (or `CANCELED` if it had not started).
    pub suspension: Option<Suspension>,
    /// The fee of the unused days, credited back.
    pub refund: Option<Money>,
    /// `NOT_SUSPENDED`.
    pub user_errors: Vec<UserError>,
}

/// Subscribers' voluntary suspension.
#[derive(Default)]
pub struct SuspensionMutation;

#[Object]
impl SuspensionMutation {
    /// Pauses every service for `from`..`until` (1–90 days, at most 90 days a
    /// calendar year), from 00:00 Moscow time of `from`: nothing is charged
    /// meanwhile but the daily fee shown in `suspensionPreview`.
    async fn suspend_services(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to pause.")] input: SuspendServicesInput,
    ) -> Result<SuspendServicesPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let fee = ctx.data_unchecked::<SuspensionDailyFee>().0;
        let now = ctx.clock().now();
        match suspension::schedule(ctx.db(), now, account_id, input.from.0, input.until.0, fee)
            .await
        {
            Ok(made) => Ok(SuspendServicesPayload {
                suspension: Some(Suspension(made)),
                user_errors: Vec::new(),
            }),
            Err(e) => Ok(SuspendServicesPayload {
                suspension: None,
                user_errors: vec![user_error(e)?],
            }),
        }
    }

    /// Ends the suspension now (services back at once, charged from tomorrow;
    /// the unused days' fee credited), or withdraws one not yet started.
    async fn resume_services(&self, ctx: &Context<'_>) -> Result<ResumeServicesPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let now = ctx.clock().now();
        match suspension::resume(ctx.db(), now, account_id).await {
            Ok(resumed) => {
                if let Some(balance) = resumed.balance {
                    ctx.data_unchecked::<Events>()
                        .publish(AccountEvent::BalanceChanged {
                            account_id,
                            balance,
                            at: now,
                        })
                        .await;
                }
                Ok(ResumeServicesPayload {
                    suspension: Some(Suspension(resumed.suspension)),
                    refund: Some(resumed.refund.into()),
                    user_errors: Vec::new(),
                })
            }
            Err(e) => Ok(ResumeServicesPayload {
                suspension: None,
                refund: None,
                user_errors: vec![user_error(e)?],
            }),
        }
    }
}
