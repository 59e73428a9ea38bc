//! Kabinet: the GraphQL personal-account gateway of an internet and TV provider.
//!
//! Layout: `graphql/` thin resolvers; `accounts/`, `support/`, `notices/` the
//! domain (rules and SQL, no GraphQL); `http/` non-GraphQL routes and layers;
//! `app` wires it all. See docs/ARCHITECTURE.md.

pub mod accounts;
pub mod app;
pub mod applications;
pub mod auth;
pub mod billing;
pub mod bonus;
pub mod budget;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod coverage;
pub mod db;
pub mod demo;
pub mod digest;
pub mod documents;
pub mod email;
pub mod events;
pub mod graphql;
pub mod http;
pub mod idempotency;
pub mod memory;
pub mod money;
pub mod notices;
pub mod notifications;
pub mod outbox;
pub mod pagination;
pub mod payments;
pub mod ratelimit;
pub mod services;
pub mod sms;
pub mod support;
pub mod telemetry;
pub mod time;
pub mod traffic;
pub mod tv;
pub mod workers;
