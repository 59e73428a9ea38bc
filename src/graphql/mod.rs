//! The GraphQL schema: one module per domain with thin resolvers, plus the
//! shared pieces (errors, scalars, connections, node IDs, loaders, limits).

pub mod accounts;
pub mod connection;
pub mod context;
pub mod errors;
pub mod extensions;
pub mod loaders;
pub mod node;
pub mod notices;
pub mod scalars;
pub mod support;

use async_graphql::{EmptyMutation, MergedObject, MergedSubscription, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

use crate::clock::SharedClock;
use crate::config::Settings;

/// The schema type of the whole API.
pub type AppSchema = Schema<Query, EmptyMutation, Subscription>;

/// Everything one can read. Subscriber fields need a session; the rest is public.
#[derive(MergedObject, Default)]
pub struct Query(
    accounts::AccountsQuery,
    support::SupportQuery,
    notices::NoticesQuery,
    node::NodeQuery,
);

/// Live updates over WebSocket (`graphql-transport-ws` or legacy `graphql-ws`).
#[derive(MergedSubscription, Default)]
pub struct Subscription(notices::NoticesSubscription);

fn builder() -> SchemaBuilder<Query, EmptyMutation, Subscription> {
    Schema::build(Query::default(), EmptyMutation, Subscription::default())
        .override_output_type_description::<async_graphql::ID>(
            "An opaque identifier. Global IDs (from `id` fields) resolve with `Query.node`.",
        )
        .disable_suggestions()
}

/// The schema with its limits, data and extensions.
pub fn build_schema(settings: &Settings, db: DatabaseConnection, clock: SharedClock) -> AppSchema {
    builder()
        // Depth is checked by `QueryShapeLimits`, which lets introspection go deeper.
        .limit_complexity(settings.max_complexity)
        .limit_directives(10)
        .extension(extensions::QueryShapeLimits {
            max_depth: settings.max_depth,
            max_aliases: settings.max_aliases,
            max_root_fields: settings.max_root_fields,
        })
        .extension(extensions::ErrorCodes)
        .data(loaders::Loaders::new(&db))
        .data(db)
        .data(clock)
        .finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}
