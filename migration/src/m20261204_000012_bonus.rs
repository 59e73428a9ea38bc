//! The bonus program: who joined, their points (never below zero: a check
//! constraint backs the guarded updates), every change of points, the catalog
//! with its stock, and what was redeemed (one internet discount a month).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum BonusAccount {
    Table,
    AccountId,
    Points,
    ReferralCode,
    EnrolledAt,
}

#[derive(DeriveIden)]
enum BonusEntry {
    Table,
    Id,
    AccountId,
    Points,
    Reason,
    Description,
    Source,
    LedgerEntryId,
    RedemptionId,
    StaffCredentialId,
    CreatedAt,
    ExpiresAt,
    Remaining,
}

#[derive(DeriveIden)]
enum BonusItem {
    Table,
    Id,
    Category,
    Name,
    Description,
    Price,
    Stock,
    Effect,
    RequiresKind,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BonusRedemption {
    Table,
    Id,
    AccountId,
    ItemId,
    Points,
    Code,
    DiscountMonth,
    DiscountPercent,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BonusRun {
    Table,
    Month,
    FinishedAt,
    Accounts,
}

fn account_fk(from: (BonusAccount, BonusAccount)) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name("fk_bonus_account_account")
        .from(from.0, from.1)
        .to(Account::Table, Account::Id)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BonusAccount::Table)
                    .col(big_integer(BonusAccount::AccountId).primary_key())
                    .col(big_integer(BonusAccount::Points).default(0))
                    .col(string_len(BonusAccount::ReferralCode, 16).unique_key())
                    .col(timestamp_with_time_zone(BonusAccount::EnrolledAt))
                    .check(Expr::col(BonusAccount::Points).gte(0))
                    .foreign_key(&mut account_fk((
                        BonusAccount::Table,
                        BonusAccount::AccountId,
                    )))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BonusItem::Table)
                    .col(big_pk_auto(BonusItem::Id))
                    .col(string_len(BonusItem::Category, 24))
                    .col(string_len(BonusItem::Name, 200))
                    .col(string_len(BonusItem::Description, 1000))
                    .col(big_integer(BonusItem::Price))
                    .col(big_integer_null(BonusItem::Stock))
                    .col(string_len(BonusItem::Effect, 24))
                    .col(string_len_null(BonusItem::RequiresKind, 16))
                    .col(boolean(BonusItem::Active).default(true))
                    .col(timestamp_with_time_zone(BonusItem::CreatedAt))
                    .check(Expr::col(BonusItem::Price).gt(0))
                    .check(Expr::col(BonusItem::Stock).gte(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BonusRedemption::Table)
                    .col(big_pk_auto(BonusRedemption::Id))
                    .col(big_integer(BonusRedemption::AccountId))
                    .col(big_integer(BonusRedemption::ItemId))
                    .col(big_integer(BonusRedemption::Points))
                    .col(string_len_null(BonusRedemption::Code, 32))
                    .col(date_null(BonusRedemption::DiscountMonth))
                    .col(integer_null(BonusRedemption::DiscountPercent))
                    .col(timestamp_with_time_zone(BonusRedemption::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bonus_redemption_account")
                            .from(BonusRedemption::Table, BonusRedemption::AccountId)
                            .to(BonusAccount::Table, BonusAccount::AccountId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bonus_redemption_item")
                            .from(BonusRedemption::Table, BonusRedemption::ItemId)
                            .to(BonusItem::Table, BonusItem::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One discount per account and month (NULLs, for goods, are distinct).
        manager
            .create_index(
                Index::create()
                    .name("ux_bonus_redemption_discount_month")
                    .table(BonusRedemption::Table)
                    .col(BonusRedemption::AccountId)
                    .col(BonusRedemption::DiscountMonth)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BonusEntry::Table)
                    .col(big_pk_auto(BonusEntry::Id))
                    .col(big_integer(BonusEntry::AccountId))
                    .col(big_integer(BonusEntry::Points))
                    .col(string_len(BonusEntry::Reason, 24))
                    .col(string_len(BonusEntry::Description, 300))
                    .col(string_len_null(BonusEntry::Source, 64))
                    .col(big_integer_null(BonusEntry::LedgerEntryId))
                    .col(big_integer_null(BonusEntry::RedemptionId))
                    .col(big_integer_null(BonusEntry::StaffCredentialId))
                    .col(timestamp_with_time_zone(BonusEntry::CreatedAt))
                    .col(timestamp_with_time_zone_null(BonusEntry::ExpiresAt))
                    // Of a credit: the points not yet spent or expired.
                    .col(big_integer(BonusEntry::Remaining).default(0))
                    .check(Expr::col(BonusEntry::Remaining).gte(0))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bonus_entry_account")
                            .from(BonusEntry::Table, BonusEntry::AccountId)
                            .to(BonusAccount::Table, BonusAccount::AccountId),
                    )
                    .to_owned(),
            )
            .await?;
        // A source (a payment, a month's charges, a friend) gives points once.
        manager
            .create_index(
                Index::create()
                    .name("ux_bonus_entry_source")
                    .table(BonusEntry::Table)
                    .col(BonusEntry::AccountId)
                    .col(BonusEntry::Source)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Months whose charges have earned their points.
        manager
            .create_table(
                Table::create()
                    .table(BonusRun::Table)
                    .col(date(BonusRun::Month).primary_key())
                    .col(timestamp_with_time_zone(BonusRun::FinishedAt))
                    .col(big_integer(BonusRun::Accounts))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_bonus_entry_expiry")
                    .table(BonusEntry::Table)
                    .col(BonusEntry::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            BonusRun::Table.into_iden(),
            BonusEntry::Table.into_iden(),
            BonusRedemption::Table.into_iden(),
            BonusItem::Table.into_iden(),
            BonusAccount::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
