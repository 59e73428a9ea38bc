//! sea-orm entities of Kabinet: one module per table. Domain modules in the
//! `kabinet` crate own these tables; nothing here knows about GraphQL.

pub mod account;
pub mod account_status_change;
pub mod autopayment;
pub mod billing_run;
pub mod catalog_item;
pub mod credential;
pub mod idempotency_key;
pub mod ledger_entry;
pub mod login_failure;
pub mod login_session;
pub mod notification_settings;
pub mod payment;
pub mod payment_receipt;
pub mod promised_payment;
pub mod rate_limit;
pub mod refund;
pub mod sandbox_payment;
pub mod sandbox_refund;
pub mod saved_card;
pub mod service_notice;
pub mod sms_outbox;
pub mod subscription;
pub mod support_contacts;
pub mod terminal_payment;
pub mod tv_channel;
pub mod tv_channel_visibility;
pub mod tv_favourite;
pub mod tv_guide_version;
pub mod tv_package;
pub mod tv_preferences;
pub mod tv_programme;
pub mod tv_rating;
pub mod tv_reminder;
