//! The GraphQL schema: one module per domain with thin resolvers, plus the
//! shared pieces (errors, scalars, connections, node IDs, loaders, limits).

pub mod accounts;
pub mod antivirus;
pub mod auth;
pub mod autopay;
pub mod billing;
pub mod bonus;
pub mod catalog;
pub mod connection;
pub mod connections;
pub mod context;
pub mod contract;
pub mod cost;
pub mod document;
pub mod errors;
pub mod events;
pub mod extensions;
pub mod inbox;
pub mod loaders;
pub mod messages;
pub mod node;
pub mod notices;
pub mod notifications;
pub mod payments;
pub mod persisted;
pub mod query_cost;
pub mod scalars;
pub mod services;
pub mod staff;
pub mod support;
pub mod suspension;
pub mod tickets;
pub mod traffic;
pub mod turbo;
pub mod tv;
pub mod tv_import;
pub mod tv_personal;
pub mod tv_ratings;
pub mod tv_search;
pub mod waves;

use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

use crate::clock::SharedClock;
use crate::config::Settings;

/// The schema type of the whole API.
pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Everything one can read. Subscriber fields need a session; the rest is public.
#[derive(MergedObject, Default)]
pub struct Query(
    accounts::AccountsQuery,
    support::SupportQuery,
    tickets::TicketsQuery,
    catalog::CatalogQuery,
    turbo::TurboQuery,
    payments::PaymentsQuery,
    bonus::BonusQuery,
    connections::ConnectionsQuery,
    tv::TvQuery,
    tv_search::TvSearchQuery,
    notices::NoticesQuery,
    node::NodeQuery,
    staff::StaffRoot,
);

/// Everything one can change. Mutations take one `input` and return a payload
/// with `userErrors` for problems a person can fix.
#[derive(MergedObject, Default)]
pub struct Mutation(
    auth::AuthMutation,
    billing::BillingMutation,
    payments::PaymentsMutation,
    payments::ReceiptsMutation,
    autopay::AutopayMutation,
    bonus::BonusMutation,
    connections::ConnectionsMutation,
    tickets::TicketsMutation,
    inbox::InboxMutation,
    billing::StaffMutationRoot,
    tv::TvMutation,
    tv_personal::TvPersonalMutation,
    notifications::NotificationsMutation,
    services::ServicesMutation,
    suspension::SuspensionMutation,
    turbo::TurboMutation,
    antivirus::AntivirusMutation,
);

/// Live updates over WebSocket (`graphql-transport-ws` or legacy `graphql-ws`).
#[derive(MergedSubscription, Default)]
pub struct Subscription(notices::NoticesSubscription, events::EventsSubscription);

fn builder() -> SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .override_output_type_description::<async_graphql::ID>(
        "An opaque identifier. Global IDs (from `id` fields) resolve with `Query.node`.",
    )
    .disable_suggestions()
}

/// What resolvers need besides the database and the clock.
pub struct SchemaServices {
    /// Password hashing.
    pub hasher: crate::auth::password::PasswordHasher,
    /// Wakes the SMS worker after a message is stored.
    pub sms_wake: crate::sms::SmsWake,
    /// The payment flow and its provider.
    pub payments: crate::payments::Payments,
    /// Live account events.
    pub events: crate::events::Events,
    /// The notices in force, read once per process for every subscriber.
    pub live_notices: crate::notices::LiveNotices,
    /// Persisted queries: shipped operations and registered hashes.
    pub persisted: std::sync::Arc<persisted::PersistedQueries>,
}

/// The schema with its limits, data and extensions.
pub fn build_schema(
    settings: &Settings,
    db: DatabaseConnection,
    clock: SharedClock,
    services: SchemaServices,
) -> AppSchema {
    let guide = std::sync::Arc::new(crate::tv::guide::Guide::default());
    builder()
        // Every limit is checked by `RequestLimits` (with its own codes and
        // messages); the engine's recursion check is a backstop set above ours.
        .limit_recursive_depth(document::MAX_SELECTION_NESTING + 8)
        // First: a request that sent only a hash gets its text before the
        // limits look at it, and in allow-list mode nothing else gets further.
        .extension(persisted::Persisted(services.persisted))
        // Outside the limits: only a request they let through is charged.
        .extension(query_cost::QueryCost(crate::budget::Budget {
            per_minute: settings
                .cost_budget_per_minute
                .max(settings.max_complexity as u64),
        }))
        .extension(extensions::RequestLimits {
            shape: document::ShapeLimits {
                max_depth: settings.max_depth,
                max_aliases: settings.max_aliases,
                max_root_fields: settings.max_root_fields,
                max_fields: settings.max_fields,
                max_directives: 10,
            },
            max_complexity: settings.max_complexity,
            max_response_bytes: settings.max_response_bytes,
        })
        .extension(extensions::SocketSessionCheck)
        .extension(extensions::OperationMemos)
        .extension(extensions::ErrorCodes)
        .data(loaders::Loaders::new(
            &db,
            &clock,
            &guide,
            std::time::Duration::from_micros(settings.loader_delay_us),
        ))
        .data(guide)
        .data(auth::SessionTtl(settings.session_ttl()))
        .data(billing::PromisedPeriod(chrono::Duration::days(
            settings.promised_payment_days.max(1),
        )))
        .data(services.hasher)
        .data(services.sms_wake)
        .data(services::TrialDays(settings.trial_days))
        .data(suspension::SuspensionDailyFee(crate::money::Kopecks::new(
            settings.suspension_daily_fee_kopecks,
        )))
        .data(tickets::VisitCapacity(
            settings.visit_capacity.clamp(1, 100),
        ))
        .data(services.payments.bonus)
        .data(services.payments)
        .data(settings.payee())
        .data(payments::PublicUrl(settings.public_url()))
        .data(services.events)
        .data(services.live_notices)
        .data(db)
        .data(clock)
        .finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}
