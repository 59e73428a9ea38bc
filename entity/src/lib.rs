//! sea-orm entities of Kabinet: one module per table. Domain modules in the
//! `kabinet` crate own these tables; nothing here knows about GraphQL.

pub mod account;
pub mod service_notice;
pub mod support_contacts;
