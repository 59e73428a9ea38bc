//! Money: catalog, subscriptions, the ledger with a cached balance, status
//! history, promised payments, completed billing days.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    Balance,
}

#[derive(DeriveIden)]
enum CatalogItem {
    Table,
    Id,
    Code,
    Role,
    Kind,
    Name,
    Description,
    MonthlyFee,
    SpeedMbps,
    TvChannels,
    RequiresKind,
    SortOrder,
    Active,
}

#[derive(DeriveIden)]
enum Subscription {
    Table,
    Id,
    AccountId,
    CatalogItemId,
    MonthlyFee,
    PromoFee,
    PromoUntil,
    StartsOn,
    EndsOn,
    Ownership,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LedgerEntry {
    Table,
    Id,
    AccountId,
    Kind,
    Amount,
    OccurredAt,
    MoscowDay,
    Description,
    SubscriptionId,
    ChargeDay,
    StaffCredentialId,
}

#[derive(DeriveIden)]
enum AccountStatusChange {
    Table,
    Id,
    AccountId,
    FromStatus,
    ToStatus,
    Reason,
    ChangedAt,
}

#[derive(DeriveIden)]
enum PromisedPayment {
    Table,
    Id,
    AccountId,
    Credit,
    SettleAmount,
    Status,
    ActivatedAt,
    ExpiresAt,
    ClosedAt,
    IdempotencyKey,
}

#[derive(DeriveIden)]
enum BillingRun {
    Table,
    Day,
    FinishedAt,
    Charges,
}

fn account_fk(from: (impl IntoIden, impl IntoIden), name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(Account::Table, Account::Id)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Account::Table)
                    .add_column(big_integer(Account::Balance).default(0))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CatalogItem::Table)
                    .col(big_pk_auto(CatalogItem::Id))
                    .col(string_len_uniq(CatalogItem::Code, 64))
                    .col(string_len(CatalogItem::Role, 16))
                    .col(string_len(CatalogItem::Kind, 24))
                    .col(string_len(CatalogItem::Name, 200))
                    .col(text(CatalogItem::Description))
                    .col(big_integer(CatalogItem::MonthlyFee))
                    .col(integer_null(CatalogItem::SpeedMbps))
                    .col(integer_null(CatalogItem::TvChannels))
                    .col(string_len_null(CatalogItem::RequiresKind, 24))
                    .col(integer(CatalogItem::SortOrder))
                    .col(boolean(CatalogItem::Active))
                    .check(Expr::col(CatalogItem::MonthlyFee).gte(0))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Subscription::Table)
                    .col(big_pk_auto(Subscription::Id))
                    .col(big_integer(Subscription::AccountId))
                    .col(big_integer(Subscription::CatalogItemId))
                    .col(big_integer(Subscription::MonthlyFee))
                    .col(big_integer_null(Subscription::PromoFee))
                    .col(date_null(Subscription::PromoUntil))
                    .col(date(Subscription::StartsOn))
                    .col(date_null(Subscription::EndsOn))
                    .col(string_len_null(Subscription::Ownership, 16))
                    .col(timestamp_with_time_zone(Subscription::CreatedAt))
                    .check(Expr::col(Subscription::MonthlyFee).gte(0))
                    .foreign_key(&mut account_fk(
                        (Subscription::Table, Subscription::AccountId),
                        "fk_subscription_account",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_subscription_item")
                            .from(Subscription::Table, Subscription::CatalogItemId)
                            .to(CatalogItem::Table, CatalogItem::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_subscription_account")
                    .table(Subscription::Table)
                    .col(Subscription::AccountId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LedgerEntry::Table)
                    .col(big_pk_auto(LedgerEntry::Id))
                    .col(big_integer(LedgerEntry::AccountId))
                    .col(string_len(LedgerEntry::Kind, 16))
                    .col(big_integer(LedgerEntry::Amount))
                    .col(timestamp_with_time_zone(LedgerEntry::OccurredAt))
                    .col(date(LedgerEntry::MoscowDay))
                    .col(string_len(LedgerEntry::Description, 500))
                    .col(big_integer_null(LedgerEntry::SubscriptionId))
                    .col(date_null(LedgerEntry::ChargeDay))
                    .col(big_integer_null(LedgerEntry::StaffCredentialId))
                    .foreign_key(&mut account_fk(
                        (LedgerEntry::Table, LedgerEntry::AccountId),
                        "fk_ledger_account",
                    ))
                    .to_owned(),
            )
            .await?;
        // A day of a subscription is charged once, however many runs race.
        manager
            .create_index(
                Index::create()
                    .name("ux_ledger_charge_day")
                    .table(LedgerEntry::Table)
                    .col(LedgerEntry::SubscriptionId)
                    .col(LedgerEntry::ChargeDay)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ledger_account_day")
                    .table(LedgerEntry::Table)
                    .col(LedgerEntry::AccountId)
                    .col(LedgerEntry::MoscowDay)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AccountStatusChange::Table)
                    .col(big_pk_auto(AccountStatusChange::Id))
                    .col(big_integer(AccountStatusChange::AccountId))
                    .col(string_len(AccountStatusChange::FromStatus, 16))
                    .col(string_len(AccountStatusChange::ToStatus, 16))
                    .col(string_len(AccountStatusChange::Reason, 500))
                    .col(timestamp_with_time_zone(AccountStatusChange::ChangedAt))
                    .foreign_key(&mut account_fk(
                        (AccountStatusChange::Table, AccountStatusChange::AccountId),
                        "fk_status_change_account",
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PromisedPayment::Table)
                    .col(big_pk_auto(PromisedPayment::Id))
                    .col(big_integer(PromisedPayment::AccountId))
                    .col(big_integer(PromisedPayment::Credit))
                    .col(big_integer(PromisedPayment::SettleAmount))
                    .col(string_len(PromisedPayment::Status, 16))
                    .col(timestamp_with_time_zone(PromisedPayment::ActivatedAt))
                    .col(timestamp_with_time_zone(PromisedPayment::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PromisedPayment::ClosedAt))
                    .col(string_len_null(PromisedPayment::IdempotencyKey, 200))
                    .check(Expr::col(PromisedPayment::Credit).gte(0))
                    .foreign_key(&mut account_fk(
                        (PromisedPayment::Table, PromisedPayment::AccountId),
                        "fk_promised_payment_account",
                    ))
                    .to_owned(),
            )
            .await?;
        // One active promised payment per account, enforced by the database.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_promised_payment_active ON promised_payment (account_id) WHERE status = 'active'",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_promised_payment_key")
                    .table(PromisedPayment::Table)
                    .col(PromisedPayment::AccountId)
                    .col(PromisedPayment::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BillingRun::Table)
                    .col(date(BillingRun::Day).primary_key())
                    .col(timestamp_with_time_zone(BillingRun::FinishedAt))
                    .col(big_integer(BillingRun::Charges))
                    .to_owned(),
            )
            .await
    }
}
