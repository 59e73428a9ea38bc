//! What resolvers take from the GraphQL context: the database, the clock, the
//! loaders (schema-wide) and the viewer and request id (per request).

use async_graphql::Context;
use sea_orm::DatabaseConnection;

use super::errors::ApiError;
use super::loaders::Loaders;
use crate::auth::Viewer;
use crate::clock::SharedClock;

/// The id of the HTTP request or WebSocket connection, for logs and `INTERNAL` errors.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The signed-in subscriber's account as read with their session, at the
/// start of this HTTP request; `me` answers from it instead of reading again.
#[derive(Debug, Clone)]
pub struct SessionAccount(pub crate::accounts::Account);

/// What one query reads once and shares among its resolvers: each of a
/// grid's 220 channels asks whether the viewer sees it, and one answer serves
/// them all. Given to each operation (`extensions::OperationMemos`); a
/// mutation does not use it, as it may change what was read.
#[derive(Debug, Default)]
pub struct OperationMemo {
    /// The viewer's channel visibility.
    pub tv_visibility: tokio::sync::OnceCell<Option<crate::tv::visibility::Visibility>>,
}

/// Shortcuts for resolvers.
pub trait ContextExt {
    /// The database.
    fn db(&self) -> &DatabaseConnection;
    /// The application clock.
    fn clock(&self) -> &SharedClock;
    /// The DataLoaders.
    fn loaders(&self) -> &Loaders;
    /// The TV guide held in memory.
    fn guide(&self) -> &crate::tv::guide::Guide;
    /// The caller; anonymous when the transport set none.
    fn viewer(&self) -> Viewer;
    /// This query's memo; `None` in a mutation, or when the transport gave none.
    fn query_memo(&self) -> Option<&OperationMemo>;
    /// The signed-in subscriber's account, or `UNAUTHENTICATED`.
    fn subscriber(&self) -> Result<i64, ApiError> {
        self.viewer().account_id().ok_or(ApiError::Unauthenticated)
    }
    /// The signed-in operator's credential: `UNAUTHENTICATED` without a session,
    /// `FORBIDDEN` for subscribers.
    fn staff(&self) -> Result<i64, ApiError> {
        let viewer = self.viewer();
        match viewer.credential_id() {
            Some(credential_id) if viewer.is_staff() => Ok(credential_id),
            Some(_) => Err(ApiError::Forbidden),
            None => Err(ApiError::Unauthenticated),
        }
    }
}

impl ContextExt for Context<'_> {
    fn db(&self) -> &DatabaseConnection {
        self.data_unchecked::<DatabaseConnection>()
    }

    fn clock(&self) -> &SharedClock {
        self.data_unchecked::<SharedClock>()
    }

    fn loaders(&self) -> &Loaders {
        self.data_unchecked::<Loaders>()
    }

    fn guide(&self) -> &crate::tv::guide::Guide {
        self.data_unchecked::<std::sync::Arc<crate::tv::guide::Guide>>()
    }

    fn viewer(&self) -> Viewer {
        self.data_opt::<Viewer>().copied().unwrap_or_default()
    }

    fn query_memo(&self) -> Option<&OperationMemo> {
        let query =
            self.query_env.operation.node.ty == async_graphql::parser::types::OperationType::Query;
        self.data_opt::<OperationMemo>().filter(|_| query)
    }
}
