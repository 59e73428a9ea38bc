//! Card payments through a provider, and the built-in sandbox provider's own
//! state (what a real provider keeps on its side).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum LedgerEntry {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Payment {
    Table,
    Id,
    AccountId,
    Amount,
    Commission,
    Method,
    Status,
    Provider,
    ProviderKey,
    ProviderPaymentId,
    ConfirmationUrl,
    ReturnUrl,
    SaveCard,
    Anonymous,
    IdempotencyKey,
    RequestHash,
    LedgerEntryId,
    CancelReason,
    CreatedAt,
    ExpiresAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum SandboxPayment {
    Table,
    Id,
    Amount,
    Description,
    ReturnUrl,
    Reference,
    SavePaymentMethod,
    Status,
    CreatedAt,
    ExpiresAt,
    IdempotenceKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Payment::Table)
                    .col(big_pk_auto(Payment::Id))
                    .col(big_integer(Payment::AccountId))
                    // Kopecks credited to the account; the commission is on top.
                    .col(big_integer(Payment::Amount))
                    .col(big_integer(Payment::Commission))
                    .col(string_len(Payment::Method, 16))
                    // new (reserved, not yet at the provider), pending,
                    // succeeded, canceled, expired.
                    .col(string_len(Payment::Status, 16))
                    .col(string_len(Payment::Provider, 16))
                    // Sent as the provider's idempotence key, so a retry after
                    // a lost answer finds the same provider payment.
                    .col(string_len_uniq(Payment::ProviderKey, 36))
                    .col(string_len_null(Payment::ProviderPaymentId, 64))
                    .col(text_null(Payment::ConfirmationUrl))
                    .col(text(Payment::ReturnUrl))
                    .col(boolean(Payment::SaveCard))
                    .col(boolean(Payment::Anonymous))
                    .col(string_len_null(Payment::IdempotencyKey, 200))
                    .col(string_len(Payment::RequestHash, 64))
                    .col(big_integer_null(Payment::LedgerEntryId))
                    .col(string_len_null(Payment::CancelReason, 64))
                    .col(timestamp_with_time_zone(Payment::CreatedAt))
                    .col(timestamp_with_time_zone(Payment::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Payment::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_payment_account")
                            .from(Payment::Table, Payment::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_payment_ledger_entry")
                            .from(Payment::Table, Payment::LedgerEntryId)
                            .to(LedgerEntry::Table, LedgerEntry::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A provider's payment is ours once: notifications find it by this.
        manager
            .create_index(
                Index::create()
                    .name("ux_payment_provider_payment")
                    .table(Payment::Table)
                    .col(Payment::Provider)
                    .col(Payment::ProviderPaymentId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One payment per client key and account: a retried createPayment
        // finds the first.
        manager
            .create_index(
                Index::create()
                    .name("ux_payment_idempotency_key")
                    .table(Payment::Table)
                    .col(Payment::AccountId)
                    .col(Payment::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_payment_account")
                    .table(Payment::Table)
                    .col(Payment::AccountId)
                    .col(Payment::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_payment_status_expires")
                    .table(Payment::Table)
                    .col(Payment::Status)
                    .col(Payment::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SandboxPayment::Table)
                    .col(string_len(SandboxPayment::Id, 36).primary_key())
                    .col(big_integer(SandboxPayment::Amount))
                    .col(string_len(SandboxPayment::Description, 128))
                    .col(text(SandboxPayment::ReturnUrl))
                    // The merchant's metadata: our payment's provider key.
                    .col(string_len(SandboxPayment::Reference, 36))
                    .col(boolean(SandboxPayment::SavePaymentMethod))
                    .col(string_len(SandboxPayment::Status, 16))
                    .col(timestamp_with_time_zone(SandboxPayment::CreatedAt))
                    .col(timestamp_with_time_zone(SandboxPayment::ExpiresAt))
                    .col(string_len_uniq(SandboxPayment::IdempotenceKey, 64))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SandboxPayment::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Payment::Table).to_owned())
            .await
    }
}
