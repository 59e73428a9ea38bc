//! In-app notifications with read/unread, the billing-warning level each
//! account was last warned at (once per crossing), and staff news with the
//! progress of its broadcast.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    AccountId,
    Kind,
    Title,
    Body,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum BillingWarning {
    Table,
    AccountId,
    Level,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum News {
    Table,
    Id,
    Title,
    Body,
    CreatedAt,
    StaffCredentialId,
    DoneThrough,
    Recipients,
    SmsQueued,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Notification::Table)
                    .col(big_pk_auto(Notification::Id))
                    .col(big_integer(Notification::AccountId))
                    .col(string_len(Notification::Kind, 24))
                    .col(string_len(Notification::Title, 200))
                    .col(string_len(Notification::Body, 1000))
                    .col(timestamp_with_time_zone(Notification::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notification::ReadAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_notification_account")
                    .table(Notification::Table)
                    .col(Notification::AccountId)
                    .col(Notification::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BillingWarning::Table)
                    .col(big_integer(BillingWarning::AccountId).primary_key())
                    // The lowest threshold warned at since the account was last above them all.
                    .col(integer(BillingWarning::Level))
                    .col(timestamp_with_time_zone(BillingWarning::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(News::Table)
                    .col(big_pk_auto(News::Id))
                    .col(string_len(News::Title, 200))
                    .col(string_len(News::Body, 1000))
                    .col(timestamp_with_time_zone(News::CreatedAt))
                    .col(big_integer(News::StaffCredentialId))
                    // The broadcast has reached every account up to this id.
                    .col(big_integer(News::DoneThrough).default(0))
                    .col(big_integer(News::Recipients).default(0))
                    .col(big_integer(News::SmsQueued).default(0))
                    .col(timestamp_with_time_zone_null(News::FinishedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            News::Table.into_iden(),
            BillingWarning::Table.into_iden(),
            Notification::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
