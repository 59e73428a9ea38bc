//! The API's error model (see shared/API.md):
//! - rule violations a person can fix are `UserError`s in a mutation payload;
//! - everything else is a GraphQL error with a stable `extensions.code`.
//!
//! The `custom-error-conversion` feature of async-graphql is on, so a resolver
//! can only fail with an [`ApiError`]: no database or library error can reach a
//! client with its own text.

use async_graphql::{Enum, ErrorExtensions, SimpleObject};
use chrono::{DateTime, Utc};

/// Codes of GraphQL errors (`extensions.code`). Stable English names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// No valid session where one is needed.
    Unauthenticated,
    /// Signed in, but this is not yours to see or do.
    Forbidden,
    /// An argument is malformed or out of range.
    BadUserInput,
    /// Too many attempts; retry later.
    RateLimited,
    /// The query is too deep, too complex or too large.
    QueryTooComplex,
    /// The document does not parse.
    GraphqlParseFailed,
    /// The document does not match the schema.
    GraphqlValidationFailed,
    /// Something failed on our side; the client sees only a request id.
    Internal,
    /// A persisted query's hash is not known: send the text with it.
    PersistedQueryNotFound,
    /// Only the application's own operations are accepted here.
    PersistedQueryNotAllowed,
}

impl ErrorCode {
    /// The code as it appears in `extensions.code`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::QueryTooComplex => "QUERY_TOO_COMPLEX",
            ErrorCode::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            ErrorCode::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            ErrorCode::PersistedQueryNotAllowed => "PERSISTED_QUERY_NOT_ALLOWED",
        }
    }
}

/// A failure of a resolver that is not the user's to fix in a form.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A session is required.
    #[error("Войдите в личный кабинет")]
    Unauthenticated,
    /// The viewer may not do this.
    #[error("Недостаточно прав")]
    Forbidden,
    /// An argument is malformed or out of range.
    #[error("{message}")]
    BadUserInput {
        /// What is wrong, in Russian.
        message: String,
        /// The argument, when one is to blame.
        argument: Option<&'static str>,
    },
    /// Too many attempts.
    #[error("Слишком много попыток, повторите позже")]
    RateLimited {
        /// When a new attempt will be accepted.
        retry_at: DateTime<Utc>,
    },
    /// An unexpected failure; the source is logged, never shown.
    #[error("{}", super::messages::INTERNAL)]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// A malformed or out-of-range argument.
    pub fn bad_input(argument: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadUserInput {
            message: message.into(),
            argument: Some(argument),
        }
    }

    /// An unexpected failure of our own.
    pub fn internal(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApiError::Internal(Box::new(source))
    }

    /// The code the client sees.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Unauthenticated => ErrorCode::Unauthenticated,
            ApiError::Forbidden => ErrorCode::Forbidden,
            ApiError::BadUserInput { .. } => ErrorCode::BadUserInput,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        ApiError::internal(err)
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        if let ApiError::Internal(source) = &err {
            // Logged inside the request's span, so the line carries its request id;
            // `graphql::extensions` adds that id to what the client sees.
            tracing::error!(error = %source, "internal error in a resolver");
        }
        let error = async_graphql::Error::new(err.to_string());
        error.extend_with(|_, ext| {
            ext.set("code", err.code().as_str());
            match &err {
                ApiError::BadUserInput {
                    argument: Some(argument),
                    ..
                } => ext.set("argument", *argument),
                ApiError::RateLimited { retry_at } => ext.set("retryAt", retry_at.to_rfc3339()),
                _ => {}
            }
        })
    }
}

/// Codes of user errors: rule violations a person can fix. Stable English names;
/// the message beside the code is in Russian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum UserErrorCode {
    /// A required value is missing or empty.
    Required,
    /// The value does not have an acceptable form.
    InvalidValue,
    /// The value is too short.
    TooShort,
    /// The value is too long.
    TooLong,
    /// The amount is below the smallest allowed.
    AmountTooSmall,
    /// The amount is above the largest allowed.
    AmountTooLarge,
    /// The object the input refers to does not exist or is not yours.
    NotFound,
    /// The rules of service were not accepted.
    RulesNotAccepted,
    /// Unknown login or wrong password.
    InvalidCredentials,
    /// Sign-in is locked for a while after wrong passwords.
    LoginLocked,
    /// The current password given is wrong.
    WrongPassword,
    /// One is already in force (e.g. a promised payment).
    AlreadyActive,
    /// The balance is too high for this (e.g. a promised payment).
    BalanceTooHigh,
    /// The contract is terminated.
    AccountClosed,
    /// Services are voluntarily suspended.
    AccountSuspended,
    /// Nothing is charged on the account.
    NothingCharged,
    /// A list is full (e.g. favourites); remove something first.
    LimitReached,
    /// The idempotency key was used before for another request: send a new key.
    IdempotencyKeyReused,
    /// The payment provider is down or slow; nothing was created: try again later.
    ProviderUnavailable,
    /// The payment provider refused the operation.
    ProviderRefused,
    /// Already in the bonus program.
    AlreadyEnrolled,
    /// Join the bonus program first.
    NotEnrolled,
    /// Fewer bonus points than needed.
    InsufficientPoints,
    /// None left in stock.
    OutOfStock,
    /// Not offered for the subscriber's services.
    NotAvailableForTariff,
    /// The network does not reach the address yet.
    NotCovered,
    /// Not offered there (e.g. a tariff at an address).
    NotOffered,
    /// The status cannot change that way from where it is.
    InvalidTransition,
    /// The tariff was changed today already; see when it is possible again.
    TariffChangeLimit,
    /// The balance (plus promised credit) does not cover the change's first day.
    InsufficientFunds,
    /// The terms changed since the preview: show the new preview and ask again.
    PreviewOutdated,
    /// It is connected already.
    AlreadyConnected,
    /// A change of it is scheduled already: cancel that one first.
    AlreadyScheduled,
    /// It is not connected.
    NotConnected,
    /// It is not disconnected this way (the tariff, equipment).
    NotDisconnectable,
    /// It is not connected this way (a tariff, equipment).
    NotConnectable,
    /// It needs another service first (home phone needs internet).
    RequiresService,
    /// Other services depend on it.
    DependentServices,
    /// The change took effect already.
    AlreadyApplied,
    /// The change was cancelled already.
    AlreadyCanceled,
    /// The account is blocked for debt.
    AccountBlocked,
    /// Services are not suspended.
    NotSuspended,
}

/// A rule violation a person can fix, returned in a mutation payload.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct UserError {
    /// Path to the input field at fault, e.g. `["input", "amount"]`; null when the
    /// error concerns the input as a whole.
    pub field: Option<Vec<String>>,
    /// Stable machine-readable code.
    pub code: UserErrorCode,
    /// What went wrong and what to do, in Russian, ready to show.
    pub message: String,
}

impl UserError {
    /// An error about the input as a whole.
    pub fn general(code: UserErrorCode, message: impl Into<String>) -> Self {
        UserError {
            field: None,
            code,
            message: message.into(),
        }
    }

    /// An error about the input field at `field` (e.g. `["input", "amount"]`).
    pub fn at(field: &[&str], code: UserErrorCode, message: impl Into<String>) -> Self {
        UserError {
            field: Some(field.iter().map(|s| (*s).to_owned()).collect()),
            code,
            message: message.into(),
        }
    }
}
