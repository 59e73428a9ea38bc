//! Programme ratings and notification settings.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TvRating {
    Table,
    Id,
    AccountId,
    TitleKey,
    Stars,
    RatedAt,
}

#[derive(DeriveIden)]
enum NotificationSettings {
    Table,
    AccountId,
    SmsNews,
    SmsBilling,
    SmsTv,
    Email,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TvRating::Table)
                    .col(big_pk_auto(TvRating::Id))
                    .col(big_integer(TvRating::AccountId))
                    .col(string_len(TvRating::TitleKey, 500))
                    .col(integer(TvRating::Stars))
                    .col(timestamp_with_time_zone(TvRating::RatedAt))
                    .check(Expr::col(TvRating::Stars).between(1, 5))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tv_rating_account")
                            .from(TvRating::Table, TvRating::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One rating per subscriber and title (changeable).
        manager
            .create_index(
                Index::create()
                    .name("ux_tv_rating_account_title")
                    .table(TvRating::Table)
                    .col(TvRating::AccountId)
                    .col(TvRating::TitleKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tv_rating_title")
                    .table(TvRating::Table)
                    .col(TvRating::TitleKey)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationSettings::Table)
                    .col(big_integer(NotificationSettings::AccountId).primary_key())
                    .col(boolean(NotificationSettings::SmsNews))
                    .col(boolean(NotificationSettings::SmsBilling))
                    .col(boolean(NotificationSettings::SmsTv))
                    .col(boolean(NotificationSettings::Email))
                    .col(timestamp_with_time_zone(NotificationSettings::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_settings_account")
                            .from(NotificationSettings::Table, NotificationSettings::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await
    }
}
