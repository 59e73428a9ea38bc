//! Service changes with nothing hidden: the terms a catalog entry brings
//! (connection fee, promo price and length, minimum term and its
//! early-termination charge), the same terms fixed on a subscription when it
//! is made, and scheduled changes (connect, disconnect, tariff) that take
//! effect at the next Moscow midnight.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CatalogItem {
    Table,
    ConnectionFee,
    PromoFee,
    PromoMonths,
    MinTermMonths,
    EarlyExitFee,
}

#[derive(DeriveIden)]
enum Subscription {
    Table,
    MinTermUntil,
    EarlyExitFee,
}

#[derive(DeriveIden)]
enum ScheduledChange {
    Table,
    Id,
    AccountId,
    Kind,
    CatalogItemId,
    EndsSubscriptionId,
    NewSubscriptionId,
    RequestedOn,
    EffectiveOn,
    Status,
    MonthlyTotalAfter,
    OneOffTotal,
    CreatedAt,
    AppliedAt,
    CanceledAt,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        let catalog_columns = [
            big_integer(CatalogItem::ConnectionFee)
                .default(0)
                .to_owned(),
            big_integer_null(CatalogItem::PromoFee),
            integer_null(CatalogItem::PromoMonths),
            integer_null(CatalogItem::MinTermMonths),
            big_integer_null(CatalogItem::EarlyExitFee),
        ];
        for column in catalog_columns {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(CatalogItem::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            date_null(Subscription::MinTermUntil),
            big_integer_null(Subscription::EarlyExitFee),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Subscription::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ScheduledChange::Table)
                    .col(big_pk_auto(ScheduledChange::Id))
                    .col(big_integer(ScheduledChange::AccountId))
                    .col(string_len(ScheduledChange::Kind, 16))
                    .col(big_integer(ScheduledChange::CatalogItemId))
                    .col(big_integer_null(ScheduledChange::EndsSubscriptionId))
                    .col(big_integer_null(ScheduledChange::NewSubscriptionId))
                    .col(date(ScheduledChange::RequestedOn))
                    .col(date(ScheduledChange::EffectiveOn))
                    .col(string_len(ScheduledChange::Status, 16))
                    .col(big_integer(ScheduledChange::MonthlyTotalAfter))
                    .col(big_integer(ScheduledChange::OneOffTotal))
                    .col(timestamp_with_time_zone(ScheduledChange::CreatedAt))
                    .col(timestamp_with_time_zone_null(ScheduledChange::AppliedAt))
                    .col(timestamp_with_time_zone_null(ScheduledChange::CanceledAt))
                    .check(Expr::col(ScheduledChange::OneOffTotal).gte(0))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_scheduled_change_account")
                            .from(ScheduledChange::Table, ScheduledChange::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_scheduled_change_account")
                    .table(ScheduledChange::Table)
                    .col(ScheduledChange::AccountId)
                    .col(ScheduledChange::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_scheduled_change_due")
                    .table(ScheduledChange::Table)
                    .col(ScheduledChange::Status)
                    .col(ScheduledChange::EffectiveOn)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // The tariff changes at most once a Moscow day, however many requests race.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_scheduled_change_tariff_day ON scheduled_change (account_id, requested_on) \
             WHERE kind = 'tariff' AND status <> 'canceled'",
        )
        .await?;
        // One pending change per subscription it ends, one pending connection per item.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_scheduled_change_ends ON scheduled_change (ends_subscription_id) \
             WHERE status = 'pending' AND ends_subscription_id IS NOT NULL",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_scheduled_change_connect ON scheduled_change (account_id, catalog_item_id) \
             WHERE status = 'pending' AND kind = 'connect'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScheduledChange::Table).to_owned())
            .await
    }
}
