//! Saved cards, autopayment settings with the state of their triggers, and
//! refunds (with the sandbox provider's own refunds).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Payment {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SavedCard {
    Table,
    Id,
    AccountId,
    Provider,
    MethodId,
    Last4,
    ExpiryMonth,
    ExpiryYear,
    CardType,
    CreatedAt,
    RemovedAt,
}

#[derive(DeriveIden)]
enum Autopayment {
    Table,
    AccountId,
    Enabled,
    Mode,
    Amount,
    CardId,
    Threshold,
    DayOfMonth,
    UpdatedAt,
    TriggerKey,
    Attempts,
    NextRetryAt,
    LastAttemptAt,
    LastAttemptStatus,
    LastPaymentId,
    NoticeKey,
    DisabledReason,
}

#[derive(DeriveIden)]
enum Refund {
    Table,
    Id,
    PaymentId,
    AccountId,
    Amount,
    Reason,
    Status,
    Provider,
    ProviderKey,
    ProviderRefundId,
    StaffCredentialId,
    LedgerEntryId,
    CreatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum SandboxPayment {
    Table,
    SavedMethodId,
}

#[derive(DeriveIden)]
enum SandboxRefund {
    Table,
    Id,
    PaymentId,
    Amount,
    IdempotenceKey,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SavedCard::Table)
                    .col(big_pk_auto(SavedCard::Id))
                    .col(big_integer(SavedCard::AccountId))
                    .col(string_len(SavedCard::Provider, 16))
                    .col(string_len(SavedCard::MethodId, 64))
                    .col(string_len(SavedCard::Last4, 4))
                    .col(integer(SavedCard::ExpiryMonth))
                    .col(integer(SavedCard::ExpiryYear))
                    .col(string_len(SavedCard::CardType, 32))
                    .col(timestamp_with_time_zone(SavedCard::CreatedAt))
                    .col(timestamp_with_time_zone_null(SavedCard::RemovedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_saved_card_account")
                            .from(SavedCard::Table, SavedCard::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_saved_card_method")
                    .table(SavedCard::Table)
                    .col(SavedCard::Provider)
                    .col(SavedCard::MethodId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_saved_card_account")
                    .table(SavedCard::Table)
                    .col(SavedCard::AccountId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Autopayment::Table)
                    .col(big_integer(Autopayment::AccountId).primary_key())
                    .col(boolean(Autopayment::Enabled))
                    // threshold, day_of_month, before_blocking
                    .col(string_len(Autopayment::Mode, 16))
                    .col(big_integer(Autopayment::Amount))
                    .col(big_integer(Autopayment::CardId))
                    .col(big_integer_null(Autopayment::Threshold))
                    .col(integer_null(Autopayment::DayOfMonth))
                    .col(timestamp_with_time_zone(Autopayment::UpdatedAt))
                    // The trigger being served (e.g. `day:2026-12`): claimed
                    // by one conditional update, so it is charged once.
                    .col(string_len_null(Autopayment::TriggerKey, 40))
                    .col(integer(Autopayment::Attempts).default(0))
                    .col(timestamp_with_time_zone_null(Autopayment::NextRetryAt))
                    .col(timestamp_with_time_zone_null(Autopayment::LastAttemptAt))
                    .col(string_len_null(Autopayment::LastAttemptStatus, 16))
                    .col(big_integer_null(Autopayment::LastPaymentId))
                    .col(string_len_null(Autopayment::NoticeKey, 40))
                    .col(string_len_null(Autopayment::DisabledReason, 32))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_autopayment_account")
                            .from(Autopayment::Table, Autopayment::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Refund::Table)
                    .col(big_pk_auto(Refund::Id))
                    .col(big_integer(Refund::PaymentId))
                    .col(big_integer(Refund::AccountId))
                    .col(big_integer(Refund::Amount))
                    .col(string_len(Refund::Reason, 300))
                    // pending, succeeded, canceled
                    .col(string_len(Refund::Status, 16))
                    .col(string_len(Refund::Provider, 16))
                    .col(string_len_uniq(Refund::ProviderKey, 36))
                    .col(string_len_null(Refund::ProviderRefundId, 64))
                    .col(big_integer(Refund::StaffCredentialId))
                    .col(big_integer_null(Refund::LedgerEntryId))
                    .col(timestamp_with_time_zone(Refund::CreatedAt))
                    .col(timestamp_with_time_zone_null(Refund::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_refund_payment")
                            .from(Refund::Table, Refund::PaymentId)
                            .to(Payment::Table, Payment::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refund_payment")
                    .table(Refund::Table)
                    .col(Refund::PaymentId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SandboxPayment::Table)
                    .add_column(string_len_null(SandboxPayment::SavedMethodId, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SandboxRefund::Table)
                    .col(string_len(SandboxRefund::Id, 36).primary_key())
                    .col(string_len(SandboxRefund::PaymentId, 36))
                    .col(big_integer(SandboxRefund::Amount))
                    .col(string_len_uniq(SandboxRefund::IdempotenceKey, 64))
                    .col(timestamp_with_time_zone(SandboxRefund::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SandboxRefund::Table.into_iden(),
            Refund::Table.into_iden(),
            Autopayment::Table.into_iden(),
            SavedCard::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(SandboxPayment::Table)
                    .drop_column(SandboxPayment::SavedMethodId)
                    .to_owned(),
            )
            .await
    }
}
