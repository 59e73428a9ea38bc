//! Query cost budgets: one leaky bucket per caller, shared by every replica.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CostBucket {
    Table,
    Caller,
    Level,
    UpdatedMs,
    Admitted,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CostBucket::Table)
                    .col(string_len(CostBucket::Caller, 80).primary_key())
                    // Millipoints in the bucket as of `updated_ms`.
                    .col(big_integer(CostBucket::Level))
                    // Milliseconds since the epoch: integer arithmetic on both databases.
                    .col(big_integer(CostBucket::UpdatedMs))
                    // Whether the last request was admitted (read back by the same statement).
                    .col(boolean(CostBucket::Admitted))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CostBucket::Table).to_owned())
            .await
    }
}
