//! The TV guide: packages, channels, programmes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TvPackage {
    Table,
    Id,
    Code,
    Name,
    Description,
    Base,
    SortOrder,
}

#[derive(DeriveIden)]
enum TvChannel {
    Table,
    Id,
    XmltvId,
    Name,
    Number,
    PackageId,
}

#[derive(DeriveIden)]
enum TvProgramme {
    Table,
    Id,
    ChannelId,
    StartsAt,
    EndsAt,
    Title,
    Description,
    Category,
    Genres,
    People,
    AgeRating,
    Premiere,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TvPackage::Table)
                    .col(big_pk_auto(TvPackage::Id))
                    .col(string_len_uniq(TvPackage::Code, 64))
                    .col(string_len(TvPackage::Name, 200))
                    .col(text(TvPackage::Description))
                    .col(boolean(TvPackage::Base))
                    .col(integer(TvPackage::SortOrder))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TvChannel::Table)
                    .col(big_pk_auto(TvChannel::Id))
                    .col(string_len_uniq(TvChannel::XmltvId, 200))
                    .col(string_len(TvChannel::Name, 200))
                    .col(integer(TvChannel::Number))
                    .col(big_integer_null(TvChannel::PackageId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tv_channel_package")
                            .from(TvChannel::Table, TvChannel::PackageId)
                            .to(TvPackage::Table, TvPackage::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TvProgramme::Table)
                    .col(big_pk_auto(TvProgramme::Id))
                    .col(big_integer(TvProgramme::ChannelId))
                    .col(timestamp_with_time_zone(TvProgramme::StartsAt))
                    .col(timestamp_with_time_zone(TvProgramme::EndsAt))
                    .col(string_len(TvProgramme::Title, 500))
                    .col(text(TvProgramme::Description))
                    .col(string_len(TvProgramme::Category, 32))
                    .col(text(TvProgramme::Genres))
                    .col(text(TvProgramme::People))
                    .col(integer_null(TvProgramme::AgeRating))
                    .col(boolean(TvProgramme::Premiere))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tv_programme_channel")
                            .from(TvProgramme::Table, TvProgramme::ChannelId)
                            .to(TvChannel::Table, TvChannel::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tv_programme_channel_time")
                    .table(TvProgramme::Table)
                    .col(TvProgramme::ChannelId)
                    .col(TvProgramme::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tv_programme_time")
                    .table(TvProgramme::Table)
                    .col(TvProgramme::StartsAt)
                    .to_owned(),
            )
            .await
    }
}
