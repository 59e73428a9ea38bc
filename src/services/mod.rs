//! Service changes with nothing hidden: connecting and disconnecting services
//! and changing the tariff at the next Moscow midnight, each previewed first
//! with every sum and obligation it brings or ends.
//!
//! `terms` fixes a catalog entry's promo and minimum term on a subscription
//! and prices leaving early; `plan` works out what a change does (pure: the
//! rules, the totals, the obligations); `scheduled` stores, cancels and
//! applies changes.

pub mod plan;
pub mod scheduled;
pub mod terms;

use chrono::{DateTime, Utc};
use sea_orm::DbErr;

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
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}
