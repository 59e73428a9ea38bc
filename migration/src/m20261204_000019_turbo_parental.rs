//! Turbo (a speed boost for hours at a one-off price) and parental control
//! (categories of sites blocked for the account).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TurboOption {
    Table,
    Id,
    Code,
    SpeedMbps,
    Hours,
    Price,
    SortOrder,
    Active,
}

#[derive(DeriveIden)]
enum TurboActivation {
    Table,
    Id,
    AccountId,
    OptionId,
    SpeedMbps,
    Price,
    StartedAt,
    EndsAt,
}

#[derive(DeriveIden)]
enum ParentalControl {
    Table,
    AccountId,
    Enabled,
    Categories,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TurboOption::Table)
                    .col(big_pk_auto(TurboOption::Id))
                    .col(string_len_uniq(TurboOption::Code, 64))
                    .col(integer(TurboOption::SpeedMbps))
                    .col(integer(TurboOption::Hours))
                    .col(big_integer(TurboOption::Price))
                    .col(integer(TurboOption::SortOrder))
                    .col(boolean(TurboOption::Active))
                    .check(Expr::col(TurboOption::Price).gte(0))
                    .check(Expr::col(TurboOption::Hours).gt(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TurboActivation::Table)
                    .col(big_pk_auto(TurboActivation::Id))
                    .col(big_integer(TurboActivation::AccountId))
                    .col(big_integer(TurboActivation::OptionId))
                    .col(integer(TurboActivation::SpeedMbps))
                    .col(big_integer(TurboActivation::Price))
                    .col(timestamp_with_time_zone(TurboActivation::StartedAt))
                    .col(timestamp_with_time_zone(TurboActivation::EndsAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_turbo_activation_account")
                            .from(TurboActivation::Table, TurboActivation::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_turbo_activation_account")
                    .table(TurboActivation::Table)
                    .col(TurboActivation::AccountId)
                    .col(TurboActivation::EndsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ParentalControl::Table)
                    .col(big_integer(ParentalControl::AccountId).primary_key())
                    .col(boolean(ParentalControl::Enabled))
                    .col(string_len(ParentalControl::Categories, 500))
                    .col(timestamp_with_time_zone(ParentalControl::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_parental_control_account")
                            .from(ParentalControl::Table, ParentalControl::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ParentalControl::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(TurboActivation::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(TurboOption::Table).to_owned())
            .await
    }
}
