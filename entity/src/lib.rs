//! sea-orm entities of Kabinet: one module per table. Domain modules in the
//! `kabinet` crate own these tables; nothing here knows about GraphQL.

pub mod account;
pub mod credential;
pub mod login_failure;
pub mod login_session;
pub mod rate_limit;
pub mod service_notice;
pub mod sms_outbox;
pub mod support_contacts;
