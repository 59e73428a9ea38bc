//! TV search (terms on each programme, a full-text index per database),
//! favourites, reminders and channel visibility.
//!
//! Search terms are computed by the application (lower case, ё → е, Russian
//! stems), so both databases match the same words: PostgreSQL indexes them with
//! GIN over `to_tsvector('simple', …)`, SQLite with an FTS5 table kept in step
//! by triggers.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

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
    TitleTerms,
    PeopleTerms,
    GenreTerms,
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

const SQLITE_FTS: [&str; 4] = [
    "CREATE VIRTUAL TABLE tv_programme_fts USING fts5(\
     title_terms, people_terms, genre_terms, \
     content='tv_programme', content_rowid='id', \
     tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER tv_programme_fts_insert AFTER INSERT ON tv_programme BEGIN \
     INSERT INTO tv_programme_fts (rowid, title_terms, people_terms, genre_terms) \
     VALUES (new.id, new.title_terms, new.people_terms, new.genre_terms); END",
    "CREATE TRIGGER tv_programme_fts_delete AFTER DELETE ON tv_programme BEGIN \
     INSERT INTO tv_programme_fts (tv_programme_fts, rowid, title_terms, people_terms, genre_terms) \
     VALUES ('delete', old.id, old.title_terms, old.people_terms, old.genre_terms); END",
    "CREATE TRIGGER tv_programme_fts_update AFTER UPDATE ON tv_programme BEGIN \
     INSERT INTO tv_programme_fts (tv_programme_fts, rowid, title_terms, people_terms, genre_terms) \
     VALUES ('delete', old.id, old.title_terms, old.people_terms, old.genre_terms); \
     INSERT INTO tv_programme_fts (rowid, title_terms, people_terms, genre_terms) \
     VALUES (new.id, new.title_terms, new.people_terms, new.genre_terms); END",
];

const POSTGRES_FTS: [&str; 3] = [
    "CREATE INDEX idx_tv_programme_title_terms ON tv_programme \
     USING GIN (to_tsvector('simple'::regconfig, coalesce(title_terms, '')))",
    "CREATE INDEX idx_tv_programme_people_terms ON tv_programme \
     USING GIN (to_tsvector('simple'::regconfig, coalesce(people_terms, '')))",
    "CREATE INDEX idx_tv_programme_genre_terms ON tv_programme \
     USING GIN (to_tsvector('simple'::regconfig, coalesce(genre_terms, '')))",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Null until computed: rows imported before this migration get their
        // terms from the application at start-up.
        for column in [
            string_len_null(TvProgramme::TitleKey, 500),
            text_null(TvProgramme::TitleTerms),
            text_null(TvProgramme::PeopleTerms),
            text_null(TvProgramme::GenreTerms),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(TvProgramme::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_tv_programme_title_key")
                    .table(TvProgramme::Table)
                    .col(TvProgramme::TitleKey)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                for sql in SQLITE_FTS {
                    db.execute_unprepared(sql).await?;
                }
            }
            _ => {
                for sql in POSTGRES_FTS {
                    db.execute_unprepared(sql).await?;
                }
            }
        }

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
