//! Voluntary suspension (добровольная блокировка): a period the subscriber
//! picks in which services pause and nothing is charged but a small daily fee,
//! paid once when it starts (the unused days come back on an early resume).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Suspension {
    Table,
    Id,
    AccountId,
    StartsOn,
    EndsOn,
    Status,
    DailyFee,
    FeeCharged,
    CreatedAt,
    StartedAt,
    EndedAt,
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
                    .table(Suspension::Table)
                    .col(big_pk_auto(Suspension::Id))
                    .col(big_integer(Suspension::AccountId))
                    .col(date(Suspension::StartsOn))
                    .col(date(Suspension::EndsOn))
                    .col(string_len(Suspension::Status, 16))
                    .col(big_integer(Suspension::DailyFee))
                    .col(big_integer(Suspension::FeeCharged).default(0))
                    .col(timestamp_with_time_zone(Suspension::CreatedAt))
                    .col(timestamp_with_time_zone_null(Suspension::StartedAt))
                    .col(timestamp_with_time_zone_null(Suspension::EndedAt))
                    .check(Expr::col(Suspension::EndsOn).gte(Expr::col(Suspension::StartsOn)))
                    .check(Expr::col(Suspension::DailyFee).gte(0))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_suspension_account")
                            .from(Suspension::Table, Suspension::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_suspension_account")
                    .table(Suspension::Table)
                    .col(Suspension::AccountId)
                    .col(Suspension::StartsOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_suspension_due")
                    .table(Suspension::Table)
                    .col(Suspension::Status)
                    .col(Suspension::StartsOn)
                    .to_owned(),
            )
            .await?;
        // One suspension ahead or in force per account, however many requests race.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_suspension_open ON suspension (account_id) \
                 WHERE status IN ('scheduled', 'active')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Suspension::Table).to_owned())
            .await
    }
}
