//! The guide's version (replicas rebuild their in-memory guide and search
//! index when it changes), title keys, favourites, reminders and channel
//! visibility.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TvProgramme {
    Table,
    TitleKey,
}

#[derive(DeriveIden)]
enum TvGuideVersion {
    Table,
    Id,
    Version,
}

#[derive(DeriveIden)]
enum TvPackage {
    Table,
    CatalogCode,
}

#[derive(DeriveIden)]
enum TvFavourite {
    Table,
    Id,
    AccountId,
    TitleKey,
    Title,
    Category,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TvReminder {
    Table,
    Id,
    AccountId,
    ProgrammeId,
    ChannelId,
    StartsAt,
    TitleKey,
    Title,
    SmsQueued,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TvChannelVisibility {
    Table,
    AccountId,
    ChannelId,
    Visible,
}

#[derive(DeriveIden)]
enum TvPreferences {
    Table,
    AccountId,
    OnlyMyPackages,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Bumped by every import: each replica compares it with the version of
        // the guide it holds in memory.
        manager
            .create_table(
                Table::create()
                    .table(TvGuideVersion::Table)
                    .col(integer(TvGuideVersion::Id).primary_key())
                    .col(big_integer(TvGuideVersion::Version))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(TvGuideVersion::Table)
                    .columns([TvGuideVersion::Id, TvGuideVersion::Version])
                    .values_panic([1.into(), 1.into()])
                    .to_owned(),
            )
            .await?;
        // Null until computed: rows imported before this migration get their
        // key from the application at start-up.
        manager
            .alter_table(
                Table::alter()
                    .table(TvProgramme::Table)
                    .add_column(string_len_null(TvProgramme::TitleKey, 500))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tv_programme_title_key")
                    .table(TvProgramme::Table)
                    .col(TvProgramme::TitleKey)
                    .to_owned(),
            )
            .await?;

        // The catalog item that sells a package ("my packages"); base
        // packages come with every TV tariff.
        manager
            .alter_table(
                Table::alter()
                    .table(TvPackage::Table)
                    .add_column(string_len_null(TvPackage::CatalogCode, 64))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TvFavourite::Table)
                    .col(big_pk_auto(TvFavourite::Id))
                    .col(big_integer(TvFavourite::AccountId))
                    .col(string_len(TvFavourite::TitleKey, 500))
                    .col(string_len(TvFavourite::Title, 500))
                    .col(string_len(TvFavourite::Category, 32))
                    .col(timestamp_with_time_zone(TvFavourite::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tv_favourite_account")
                            .from(TvFavourite::Table, TvFavourite::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_tv_favourite_account_title")
                    .table(TvFavourite::Table)
                    .col(TvFavourite::AccountId)
                    .col(TvFavourite::TitleKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tv_favourite_title")
                    .table(TvFavourite::Table)
                    .col(TvFavourite::TitleKey)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TvReminder::Table)
                    .col(big_pk_auto(TvReminder::Id))
                    .col(big_integer(TvReminder::AccountId))
                    // Not a foreign key: a re-import replaces programme rows,
                    // while the reminder for that airing stays.
                    .col(big_integer(TvReminder::ProgrammeId))
                    .col(big_integer(TvReminder::ChannelId))
                    .col(timestamp_with_time_zone(TvReminder::StartsAt))
                    .col(string_len(TvReminder::TitleKey, 500))
                    .col(string_len(TvReminder::Title, 500))
                    .col(boolean(TvReminder::SmsQueued))
                    .col(timestamp_with_time_zone(TvReminder::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tv_reminder_account")
                            .from(TvReminder::Table, TvReminder::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Once per airing: an airing is a title at a time on a channel.
        manager
            .create_index(
                Index::create()
                    .name("ux_tv_reminder_airing")
                    .table(TvReminder::Table)
                    .col(TvReminder::AccountId)
                    .col(TvReminder::ChannelId)
                    .col(TvReminder::StartsAt)
                    .col(TvReminder::TitleKey)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TvChannelVisibility::Table)
                    .col(big_integer(TvChannelVisibility::AccountId))
                    .col(big_integer(TvChannelVisibility::ChannelId))
                    .col(boolean(TvChannelVisibility::Visible))
                    .primary_key(
                        Index::create()
                            .col(TvChannelVisibility::AccountId)
                            .col(TvChannelVisibility::ChannelId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tv_channel_visibility_account")
                            .from(TvChannelVisibility::Table, TvChannelVisibility::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TvPreferences::Table)
                    .col(big_integer(TvPreferences::AccountId).primary_key())
                    .col(boolean(TvPreferences::OnlyMyPackages))
                    .col(timestamp_with_time_zone(TvPreferences::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tv_preferences_account")
                            .from(TvPreferences::Table, TvPreferences::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await
    }
}
