//! Black-box tests: each starts the real server on a random port with a fresh
//! database and talks to it over HTTP and WebSocket, like a frontend.
//! One test binary, so the stack is linked once.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod antivirus;
mod autopayment;
mod billing_runs;
mod binary;
mod bonus;
mod connections;
mod contract;
mod documents;
mod email;
mod frontend_operations;
mod graphiql;
mod hardening_sessions;
mod hostile_documents;
mod http_contract;
mod inbox;
mod input_safety;
mod layering;
mod limits;
mod money;
mod money_rules;
mod nodes;
mod notices;
mod operations;
mod payment_events;
mod payments;
mod persisted;
mod query_cost;
mod refunds;
mod replicas;
mod schema;
mod services;
mod sessions;
mod sign_in;
mod support;
mod suspension;
mod terminal_payments;
mod tickets;
mod traffic;
mod turbo;
mod tv;
mod tv_personal;
mod tv_search;
mod websocket;
mod yookassa;
