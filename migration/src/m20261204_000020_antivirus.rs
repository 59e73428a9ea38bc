//! Antivirus bought outright or in instalments: a catalog entry's purchase
//! price and the instalment terms it allows, the licence key on the
//! subscription, and the instalments, each a monthly ledger entry once due.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CatalogItem {
    Table,
    PurchasePrice,
    InstalmentMonths,
}

#[derive(DeriveIden)]
enum Subscription {
    Table,
    Id,
    LicenceKey,
}

#[derive(DeriveIden)]
enum Instalment {
    Table,
    Id,
    AccountId,
    SubscriptionId,
    Number,
    Of,
    DueOn,
    Amount,
    ChargedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for mut column in [
            big_integer_null(CatalogItem::PurchasePrice),
            string_len_null(CatalogItem::InstalmentMonths, 32),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(CatalogItem::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Subscription::Table)
                    .add_column(string_len_null(Subscription::LicenceKey, 40))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Instalment::Table)
                    .col(big_pk_auto(Instalment::Id))
                    .col(big_integer(Instalment::AccountId))
                    .col(big_integer(Instalment::SubscriptionId))
                    .col(integer(Instalment::Number))
                    .col(integer(Instalment::Of))
                    .col(date(Instalment::DueOn))
                    .col(big_integer(Instalment::Amount))
                    .col(timestamp_with_time_zone_null(Instalment::ChargedAt))
                    .check(Expr::col(Instalment::Amount).gt(0))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_instalment_subscription")
                            .from(Instalment::Table, Instalment::SubscriptionId)
                            .to(Subscription::Table, Subscription::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_instalment_number")
                    .table(Instalment::Table)
                    .col(Instalment::SubscriptionId)
                    .col(Instalment::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_instalment_account")
                    .table(Instalment::Table)
                    .col(Instalment::AccountId)
                    .col(Instalment::DueOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_instalment_due")
                    .table(Instalment::Table)
                    .col(Instalment::ChargedAt)
                    .col(Instalment::DueOn)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Instalment::Table).to_owned())
            .await
    }
}
