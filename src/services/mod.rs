//! Service changes with nothing hidden: connecting and disconnecting services
//! and changing the tariff at the next Moscow midnight, each previewed first
//! with every sum and obligation it brings or ends.
//!
//! `terms` fixes a catalog entry's promo and minimum term on a subscription;
//! `exit` prices leaving (instalments, compensations, clawbacks, the trial); `plan` works out what a change does (pure: the
//! rules, the totals, the obligations); `scheduled` stores, cancels and
//! applies changes.

pub mod antivirus;
pub mod contract;
pub mod exit;
pub mod parental;
pub mod plan;
pub mod scheduled;
pub mod suspension;
pub mod terms;
pub mod turbo;

use chrono::{DateTime, Utc};
use entity::account::AccountStatus;
use sea_orm::{ConnectionTrait, DbErr};

use crate::accounts::{self, Account};

use crate::catalog::ServiceKind;
use crate::money::Kopecks;

/// Why a service change was refused, or failed. Codes and data in English;
/// what a person reads is said in `graphql::services`.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The tariff, service, subscription or change does not exist or is not the caller's.
    #[error("not found")]
    NotFound,
    /// The contract is terminated.
    #[error("the account is closed")]
    AccountClosed,
    /// The item is connected already (or is the tariff in force).
    #[error("already connected")]
    AlreadyConnected,
    /// A change of this item is scheduled already.
    #[error("a change is already scheduled")]
    AlreadyScheduled,
    /// Nothing to disconnect: the subscription is not in force.
    #[error("not connected")]
    NotConnected,
    /// Tariffs change with `changeTariff`; equipment and instalments are not services to drop.
    #[error("cannot be disconnected this way")]
    NotDisconnectable,
    /// Tariffs and equipment are not connected as services.
    #[error("cannot be connected this way")]
    NotConnectable,
    /// The tariff changed today already.
    #[error("the tariff was changed today already")]
    TariffChangeLimit {
        /// When another change can be asked for (the next Moscow midnight).
        possible_at: DateTime<Utc>,
    },
    /// The item needs another that the account will not have.
    #[error("requires {kind:?}")]
    RequiresService {
        /// The kind needed.
        kind: ServiceKind,
    },
    /// Other items of the account need what the change takes away.
    #[error("other services depend on it")]
    DependentServices {
        /// Their names.
        names: Vec<String>,
    },
    /// The balance plus promised credit does not cover the change's first day.
    #[error("insufficient funds: {needed} more needed")]
    InsufficientFunds {
        /// What is missing.
        needed: Kopecks,
    },
    /// The monthly total the subscriber saw is no longer what the change leads to.
    #[error("the preview is outdated")]
    PreviewOutdated,
    /// The change took effect already.
    #[error("already applied")]
    AlreadyApplied,
    /// The change was cancelled already.
    #[error("already cancelled")]
    AlreadyCanceled,
    /// A suspension's first day is today or before.
    #[error("the first day has passed")]
    DateInPast,
    /// A suspension ends before it starts.
    #[error("the period ends before it starts")]
    PeriodBackwards,
    /// A suspension shorter than a day or longer than the most allowed.
    #[error("the period is too long")]
    PeriodTooLong,
    /// A suspension starting too far ahead.
    #[error("the period starts too far ahead")]
    PeriodTooFarAhead,
    /// The yearly limit of suspended days would be passed.
    #[error("the yearly limit of suspended days would be passed")]
    YearlyLimit {
        /// The calendar year.
        year: i32,
        /// Days still allowed in it.
        days_left: i64,
    },
    /// A suspension is scheduled or in force already.
    #[error("already suspended")]
    AlreadySuspended,
    /// The account is blocked for debt.
    #[error("the account is blocked")]
    AccountBlocked,
    /// No suspension to resume.
    #[error("not suspended")]
    NotSuspended,
    /// Services are voluntarily suspended.
    #[error("the account is suspended")]
    AccountSuspended,
    /// Not above what the tariff gives (a turbo slower than the tariff).
    #[error("not available for the tariff")]
    NotAvailableForTariff,
    /// A turbo is in force already.
    #[error("a turbo is in force")]
    TurboActive,
    /// Parental control on needs at least one category.
    #[error("no category given")]
    CategoriesRequired,
    /// Not one of the instalment terms the product allows.
    #[error("instalment term not offered")]
    InstalmentTermNotOffered {
        /// The terms it allows, months.
        offered: Vec<u32>,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl ServiceError {
    /// The same refusal again (a plan keeps its blockers for the preview
    /// while the mutation answers with the first). A database failure is
    /// never a blocker; its copy keeps only the message.
    pub fn refusal(&self) -> ServiceError {
        use ServiceError as E;
        match self {
            E::NotFound => E::NotFound,
            E::AccountClosed => E::AccountClosed,
            E::AlreadyConnected => E::AlreadyConnected,
            E::AlreadyScheduled => E::AlreadyScheduled,
            E::NotConnected => E::NotConnected,
            E::NotDisconnectable => E::NotDisconnectable,
            E::NotConnectable => E::NotConnectable,
            E::TariffChangeLimit { possible_at } => E::TariffChangeLimit {
                possible_at: *possible_at,
            },
            E::RequiresService { kind } => E::RequiresService { kind: *kind },
            E::DependentServices { names } => E::DependentServices {
                names: names.clone(),
            },
            E::InsufficientFunds { needed } => E::InsufficientFunds { needed: *needed },
            E::PreviewOutdated => E::PreviewOutdated,
            E::AlreadyApplied => E::AlreadyApplied,
            E::AlreadyCanceled => E::AlreadyCanceled,
            E::DateInPast => E::DateInPast,
            E::PeriodBackwards => E::PeriodBackwards,
            E::PeriodTooLong => E::PeriodTooLong,
            E::PeriodTooFarAhead => E::PeriodTooFarAhead,
            E::YearlyLimit { year, days_left } => E::YearlyLimit {
                year: *year,
                days_left: *days_left,
            },
            E::AlreadySuspended => E::AlreadySuspended,
            E::AccountBlocked => E::AccountBlocked,
            E::NotSuspended => E::NotSuspended,
            E::AccountSuspended => E::AccountSuspended,
            E::NotAvailableForTariff => E::NotAvailableForTariff,
            E::TurboActive => E::TurboActive,
            E::CategoriesRequired => E::CategoriesRequired,
            E::InstalmentTermNotOffered { offered } => E::InstalmentTermNotOffered {
                offered: offered.clone(),
            },
            E::Db(e) => E::Db(DbErr::Custom(e.to_string())),
        }
    }
}

/// Holds the account's row for the transaction and returns it, if services
/// can be bought on it now: not closed, blocked or suspended.
async fn hold_active(db: &impl ConnectionTrait, account_id: i64) -> Result<Account, ServiceError> {
    accounts::lock(db, account_id).await?;
    let account = accounts::find_many(db, &[account_id])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound)?;
    match account.status {
        AccountStatus::Closed => Err(ServiceError::AccountClosed),
        AccountStatus::Blocked => Err(ServiceError::AccountBlocked),
        AccountStatus::Suspended => Err(ServiceError::AccountSuspended),
        AccountStatus::Active => Ok(account),
    }
}

/// What the account can spend: its balance plus any promised credit.
async fn available(db: &impl ConnectionTrait, account: &Account) -> Result<Kopecks, DbErr> {
    Ok(account.balance + crate::billing::promised::credit_of(db, account.id).await?)
}
