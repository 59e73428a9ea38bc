//! Payments through terminals and banks (the OSMP check/pay protocol): one row
//! per operator's transaction, so a repeated `pay` credits nothing again.

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
enum TerminalPayment {
    Table,
    Id,
    Operator,
    TxnId,
    AccountId,
    Amount,
    TxnDate,
    LedgerEntryId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TerminalPayment::Table)
                    .col(big_pk_auto(TerminalPayment::Id))
                    .col(string_len(TerminalPayment::Operator, 64))
                    .col(string_len(TerminalPayment::TxnId, 32))
                    .col(big_integer(TerminalPayment::AccountId))
                    .col(big_integer(TerminalPayment::Amount))
                    .col(timestamp_with_time_zone_null(TerminalPayment::TxnDate))
                    .col(big_integer(TerminalPayment::LedgerEntryId))
                    .col(timestamp_with_time_zone(TerminalPayment::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_terminal_payment_account")
                            .from(TerminalPayment::Table, TerminalPayment::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_terminal_payment_ledger_entry")
                            .from(TerminalPayment::Table, TerminalPayment::LedgerEntryId)
                            .to(LedgerEntry::Table, LedgerEntry::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // An operator's transaction is credited once, however often it is sent.
        manager
            .create_index(
                Index::create()
                    .name("ux_terminal_payment_txn")
                    .table(TerminalPayment::Table)
                    .col(TerminalPayment::Operator)
                    .col(TerminalPayment::TxnId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TerminalPayment::Table).to_owned())
            .await
    }
}
