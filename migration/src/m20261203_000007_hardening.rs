//! Hardening: an index to find sessions that ended lately (open WebSockets
//! close on them), and the idempotency keys of money mutations.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum LoginSession {
    Table,
    RevokedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    AccountId,
    Key,
    Operation,
    RequestHash,
    Response,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_login_session_revoked_at")
                    .table(LoginSession::Table)
                    .col(LoginSession::RevokedAt)
                    .to_owned(),
            )
            .await?;
        // The first request with a key claims it (the primary key makes a
        // concurrent second one wait, then find it); its result is stored in
        // the same transaction as its effect.
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .col(big_integer(IdempotencyKey::AccountId))
                    .col(string_len(IdempotencyKey::Key, 200))
                    .col(string_len(IdempotencyKey::Operation, 64))
                    .col(string_len(IdempotencyKey::RequestHash, 64))
                    .col(text_null(IdempotencyKey::Response))
                    .col(timestamp_with_time_zone(IdempotencyKey::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKey::AccountId)
                            .col(IdempotencyKey::Key),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_idempotency_key_account")
                            .from(IdempotencyKey::Table, IdempotencyKey::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKey::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_login_session_revoked_at")
                    .table(LoginSession::Table)
                    .to_owned(),
            )
            .await
    }
}
