//! Query cost, as GitHub and Shopify report it: every response carries
//! `extensions.cost` (`requested`: the complexity the document asked for;
//! `actual`: the fields it returned; `remaining`: the caller's budget left;
//! `perMinute`: how fast it refills), and a caller whose budget cannot cover
//! a request gets `RATE_LIMITED` with `retryAt` (see [`crate::budget`]).

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Value, Variables};
use sea_orm::DatabaseConnection;

use super::errors::ErrorCode;
use crate::auth::{ClientInfo, Viewer};
use crate::budget::{self, Budget};
use crate::clock::SharedClock;

/// The factory: one budget for every caller.
#[derive(Debug, Clone, Copy)]
pub struct QueryCost(pub Budget);

impl ExtensionFactory for QueryCost {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostOfRequest {
            budget: self.0,
            metered: Mutex::new(None),
            read_only: Mutex::new(false),
            deferred: Mutex::new(None),
        })
    }
}

/// What validation found, for the response's `extensions.cost`.
#[derive(Debug, Clone, Copy)]
struct Found {
    requested: u64,
    remaining: Option<u64>,
}

/// The extension's state for one request.
struct CostOfRequest {
    budget: Budget,
    metered: Mutex<Option<Found>>,
    /// Whether every operation of the document is a query.
    read_only: Mutex<bool>,
    /// A cheap read metered while it runs: who pays and how much.
    deferred: Mutex<Option<(String, u64)>>,
}

impl CostOfRequest {
    /// Meters `requested` for `caller`: `Err` with `RATE_LIMITED` when the
    /// budget cannot cover it, `Ok(remaining)` otherwise (`None` when the
    /// meter could not be read: metering is a guard, not the service, so a
    /// database hiccup here lets the request through).
    async fn meter(
        &self,
        ctx: &ExtensionContext<'_>,
        caller: &str,
        requested: u64,
    ) -> Result<Option<u64>, ServerError> {
        let (Some(db), Some(clock)) = (
            ctx.data_opt::<DatabaseConnection>(),
            ctx.data_opt::<SharedClock>(),
        ) else {
            return Ok(None);
        };
        match self.budget.meter(db, clock.now(), caller, requested).await {
            Ok(metered) if metered.admitted => Ok(Some(metered.remaining)),
            Ok(metered) => Err(rate_limited(
                metered.retry_at.unwrap_or_else(|| clock.now()),
            )),
            Err(err) => {
                tracing::warn!(error = %err, "cannot meter the query cost");
                Ok(None)
            }
        }
    }
}

/// Who pays: the session, else the client's address.
fn caller(ctx: &ExtensionContext<'_>) -> String {
    if let Some(session) = ctx.data_opt::<Viewer>().and_then(Viewer::session_id) {
        return format!("session:{session}");
    }
    match ctx.data_opt::<ClientInfo>().and_then(|c| c.ip.as_deref()) {
        Some(ip) => format!("ip:{ip}"),
        None => "unknown".to_owned(),
    }
}

/// The fields a response returned (each value in an object, list items too).
fn fields_in(value: &Value) -> u64 {
    match value {
        Value::Object(fields) => fields.values().map(|v| 1 + fields_in(v)).sum(),
        Value::List(items) => items.iter().map(fields_in).sum(),
        _ => 0,
    }
}

fn rate_limited(retry_at: chrono::DateTime<chrono::Utc>) -> ServerError {
    let mut error = ServerError::new(
        format!(
            "Слишком много запросов: бюджет стоимости исчерпан, повторите после {}",
            retry_at.to_rfc3339()
        ),
        None,
    );
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", ErrorCode::RateLimited.as_str());
    extensions.set("retryAt", retry_at.to_rfc3339());
    error
}

#[async_trait::async_trait]
impl Extension for CostOfRequest {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let read_only = document
            .operations
            .iter()
            .all(|(_, operation)| operation.node.ty == OperationType::Query);
        if let Ok(mut slot) = self.read_only.lock() {
            *slot = read_only;
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let requested = result.complexity as u64;
        let mut found = Found {
            requested,
            remaining: None,
        };
        let read_only = self.read_only.lock().map(|r| *r).unwrap_or(false);
        if requested > budget::FREE_UP_TO {
            if read_only && requested <= budget::OVERLAP_UP_TO {
                if let Ok(mut slot) = self.deferred.lock() {
                    *slot = Some((caller(ctx), requested));
                }
            } else {
                found.remaining = self
                    .meter(ctx, &caller(ctx), requested)
                    .await
                    .map_err(|error| vec![error])?;
            }
        }
        if let Ok(mut slot) = self.metered.lock() {
            *slot = Some(found);
        }
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let deferred = self.deferred.lock().ok().and_then(|mut slot| slot.take());
        let mut found = self.metered.lock().ok().and_then(|slot| *slot);
        let mut response = match deferred {
            Some((caller, requested)) => {
                let (metered, response) = tokio::join!(
                    self.meter(ctx, &caller, requested),
                    next.run(ctx, operation_name)
                );
                match metered {
                    Ok(remaining) => {
                        if let Some(found) = found.as_mut() {
                            found.remaining = remaining;
                        }
                        response
                    }
                    // Over budget: what ran is thrown away.
                    Err(error) => Response::from_errors(vec![error]),
                }
            }
            None => next.run(ctx, operation_name).await,
        };
        if let Some(found) = found {
            let mut cost = async_graphql::indexmap::IndexMap::new();
            cost.insert(
                async_graphql::Name::new("requested"),
                Value::from(found.requested),
            );
            cost.insert(
                async_graphql::Name::new("actual"),
                Value::from(fields_in(&response.data)),
            );
            cost.insert(
                async_graphql::Name::new("remaining"),
                found.remaining.map_or(Value::Null, Value::from),
            );
            cost.insert(
                async_graphql::Name::new("perMinute"),
                Value::from(self.budget.per_minute),
            );
            response
                .extensions
                .insert("cost".to_owned(), Value::Object(cost));
        }
        response
    }
}
