//! Kabinet's schema migrations: forward-only, identical on SQLite and
//! PostgreSQL, applied at start-up and by `kabinet migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_foundation;
mod m20261125_000002_sign_in;
mod m20261125_000003_money;
mod m20261125_000004_tv_guide;
mod m20261125_000005_ratings_notifications;
mod m20261125_000006_tv_search_personal;
mod m20261203_000007_hardening;
mod m20261203_000008_payments;
mod m20261203_000009_terminal_payments;
mod m20261203_000010_cards_autopayment_refunds;
mod m20261203_000011_payment_receipts;
mod m20261204_000012_bonus;
mod m20261204_000013_coverage_applications;
mod m20261204_000014_support_tickets;
mod m20261204_000015_notifications;
mod m20261204_000016_email_outbox;
mod m20261204_000017_scheduled_changes;
mod m20261204_000018_suspensions;
mod m20261204_000019_turbo_parental;
mod m20261204_000020_antivirus;
mod m20261204_000021_internet_sessions;
mod m20261204_000022_cost_buckets;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_foundation::Migration),
            Box::new(m20261125_000002_sign_in::Migration),
            Box::new(m20261125_000003_money::Migration),
            Box::new(m20261125_000004_tv_guide::Migration),
            Box::new(m20261125_000005_ratings_notifications::Migration),
            Box::new(m20261125_000006_tv_search_personal::Migration),
            Box::new(m20261203_000007_hardening::Migration),
            Box::new(m20261203_000008_payments::Migration),
            Box::new(m20261203_000009_terminal_payments::Migration),
            Box::new(m20261203_000010_cards_autopayment_refunds::Migration),
            Box::new(m20261203_000011_payment_receipts::Migration),
            Box::new(m20261204_000012_bonus::Migration),
            Box::new(m20261204_000013_coverage_applications::Migration),
            Box::new(m20261204_000014_support_tickets::Migration),
            Box::new(m20261204_000015_notifications::Migration),
            Box::new(m20261204_000016_email_outbox::Migration),
            Box::new(m20261204_000017_scheduled_changes::Migration),
            Box::new(m20261204_000018_suspensions::Migration),
            Box::new(m20261204_000019_turbo_parental::Migration),
            Box::new(m20261204_000020_antivirus::Migration),
            Box::new(m20261204_000021_internet_sessions::Migration),
            Box::new(m20261204_000022_cost_buckets::Migration),
        ]
    }
}
