//! Accounts, support contacts and service notices: the first tables.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    Number,
    ContractNumber,
    ContractDate,
    HolderName,
    Phone,
    Email,
    Address,
    CodewordHash,
    Status,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SupportContacts {
    Table,
    Brand,
    Phone,
    PhoneE164,
    Email,
    Hours,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ServiceNotice {
    Table,
    Id,
    Kind,
    Title,
    Body,
    StartsAt,
    EndsAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Account::Table)
                    .col(big_pk_auto(Account::Id))
                    .col(string_len_uniq(Account::Number, 12))
                    .col(string_len(Account::ContractNumber, 32))
                    .col(date(Account::ContractDate))
                    .col(string_len(Account::HolderName, 200))
                    .col(string_len(Account::Phone, 12))
                    .col(string_len_null(Account::Email, 254))
                    .col(string_len(Account::Address, 500))
                    .col(string_null(Account::CodewordHash))
                    .col(string_len(Account::Status, 16))
                    .col(timestamp_with_time_zone(Account::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_account_phone")
                    .table(Account::Table)
                    .col(Account::Phone)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SupportContacts::Table)
                    .col(string_len(SupportContacts::Brand, 32).primary_key())
                    .col(string_len(SupportContacts::Phone, 32))
                    .col(string_len(SupportContacts::PhoneE164, 16))
                    .col(string_len(SupportContacts::Email, 254))
                    .col(string_len(SupportContacts::Hours, 200))
                    .col(timestamp_with_time_zone(SupportContacts::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // The provider's real contacts are production data, not demo data.
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(SupportContacts::Table)
                    .columns([
                        SupportContacts::Brand,
                        SupportContacts::Phone,
                        SupportContacts::PhoneE164,
                        SupportContacts::Email,
                        SupportContacts::Hours,
                        SupportContacts::UpdatedAt,
                    ])
                    .values_panic([
                        "default".into(),
                        "8-800-707-12-12".into(),
                        "+78007071212".into(),
                        "support@onlime.ru".into(),
                        "Круглосуточно, без выходных".into(),
                        chrono::Utc::now().into(),
                    ])
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ServiceNotice::Table)
                    .col(big_pk_auto(ServiceNotice::Id))
                    .col(string_len(ServiceNotice::Kind, 16))
                    .col(string_len(ServiceNotice::Title, 200))
                    .col(text(ServiceNotice::Body))
                    .col(timestamp_with_time_zone(ServiceNotice::StartsAt))
                    .col(timestamp_with_time_zone_null(ServiceNotice::EndsAt))
                    .col(timestamp_with_time_zone(ServiceNotice::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_service_notice_period")
                    .table(ServiceNotice::Table)
                    .col(ServiceNotice::StartsAt)
                    .col(ServiceNotice::EndsAt)
                    .to_owned(),
            )
            .await
    }
}
