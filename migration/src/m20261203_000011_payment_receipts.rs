//! Payment slips a subscriber printed: the PDF is made again from these facts
//! whenever it is asked for.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PaymentReceipt {
    Table,
    Id,
    AccountId,
    Amount,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PaymentReceipt::Table)
                    // Random: the URL names it, and guessing it gives nothing.
                    .col(string_len(PaymentReceipt::Id, 36).primary_key())
                    .col(big_integer(PaymentReceipt::AccountId))
                    .col(big_integer(PaymentReceipt::Amount))
                    .col(timestamp_with_time_zone(PaymentReceipt::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_payment_receipt_account")
                            .from(PaymentReceipt::Table, PaymentReceipt::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PaymentReceipt::Table).to_owned())
            .await
    }
}
