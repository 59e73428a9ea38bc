//! The coverage list (streets and the houses and entrances the network
//! reaches) and connection applications with their status.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CoverageStreet {
    Table,
    Id,
    Name,
    Kind,
    Display,
}

#[derive(DeriveIden)]
enum CoverageAddress {
    Table,
    Id,
    StreetId,
    House,
    Entrance,
    Technologies,
    Tariffs,
}

#[derive(DeriveIden)]
enum ConnectionApplication {
    Table,
    Id,
    Number,
    Address,
    StreetId,
    House,
    Entrance,
    TariffId,
    Name,
    Phone,
    ReferralCode,
    ReferrerAccountId,
    Status,
    InstallationDate,
    AccountId,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CoverageStreet::Table)
                    .col(big_pk_auto(CoverageStreet::Id))
                    // Normalised name and type (`coverage::address`).
                    .col(string_len(CoverageStreet::Name, 100))
                    .col(string_len(CoverageStreet::Kind, 16))
                    .col(string_len(CoverageStreet::Display, 100))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_coverage_street_name")
                    .table(CoverageStreet::Table)
                    .col(CoverageStreet::Name)
                    .col(CoverageStreet::Kind)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CoverageAddress::Table)
                    .col(big_pk_auto(CoverageAddress::Id))
                    .col(big_integer(CoverageAddress::StreetId))
                    .col(string_len(CoverageAddress::House, 20))
                    .col(integer_null(CoverageAddress::Entrance))
                    .col(string_len(CoverageAddress::Technologies, 100))
                    .col(string_len(CoverageAddress::Tariffs, 500))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_coverage_address_street")
                            .from(CoverageAddress::Table, CoverageAddress::StreetId)
                            .to(CoverageStreet::Table, CoverageStreet::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_coverage_address_house")
                    .table(CoverageAddress::Table)
                    .col(CoverageAddress::StreetId)
                    .col(CoverageAddress::House)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConnectionApplication::Table)
                    .col(big_pk_auto(ConnectionApplication::Id))
                    .col(string_len(ConnectionApplication::Number, 12).unique_key())
                    .col(string_len(ConnectionApplication::Address, 250))
                    .col(big_integer_null(ConnectionApplication::StreetId))
                    .col(string_len(ConnectionApplication::House, 20))
                    .col(integer_null(ConnectionApplication::Entrance))
                    .col(big_integer(ConnectionApplication::TariffId))
                    .col(string_len(ConnectionApplication::Name, 100))
                    .col(string_len(ConnectionApplication::Phone, 12))
                    .col(string_len_null(ConnectionApplication::ReferralCode, 16))
                    .col(big_integer_null(ConnectionApplication::ReferrerAccountId))
                    .col(string_len(ConnectionApplication::Status, 16))
                    .col(date(ConnectionApplication::InstallationDate))
                    .col(big_integer_null(ConnectionApplication::AccountId))
                    .col(timestamp_with_time_zone(ConnectionApplication::CreatedAt))
                    .col(timestamp_with_time_zone(ConnectionApplication::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_connection_application_status")
                    .table(ConnectionApplication::Table)
                    .col(ConnectionApplication::Status)
                    .col(ConnectionApplication::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ConnectionApplication::Table.into_iden(),
            CoverageAddress::Table.into_iden(),
            CoverageStreet::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
