//! Sign-in: credentials, sessions, lockout counters, rate limits, SMS outbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Credential {
    Table,
    Id,
    Login,
    PasswordHash,
    Role,
    AccountId,
    DisplayName,
    CreatedAt,
    PasswordChangedAt,
}

#[derive(DeriveIden)]
enum LoginSession {
    Table,
    Id,
    TokenHash,
    CredentialId,
    UserAgent,
    IpAddress,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum LoginFailure {
    Table,
    Login,
    Failures,
    FirstFailureAt,
    LockedUntil,
}

#[derive(DeriveIden)]
enum RateLimit {
    Table,
    Key,
    WindowStart,
    Hits,
}

#[derive(DeriveIden)]
enum SmsOutbox {
    Table,
    Id,
    ToPhone,
    Text,
    CreatedAt,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    SentAt,
    LastError,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Credential::Table)
                    .col(big_pk_auto(Credential::Id))
                    .col(string_len_uniq(Credential::Login, 64))
                    .col(string_len(Credential::PasswordHash, 200))
                    .col(string_len(Credential::Role, 16))
                    .col(big_integer_null(Credential::AccountId).unique_key())
                    .col(string_len_null(Credential::DisplayName, 200))
                    .col(timestamp_with_time_zone(Credential::CreatedAt))
                    .col(timestamp_with_time_zone(Credential::PasswordChangedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_credential_account")
                            .from(Credential::Table, Credential::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginSession::Table)
                    .col(big_pk_auto(LoginSession::Id))
                    .col(string_len_uniq(LoginSession::TokenHash, 64))
                    .col(big_integer(LoginSession::CredentialId))
                    .col(string_len_null(LoginSession::UserAgent, 300))
                    .col(string_len_null(LoginSession::IpAddress, 64))
                    .col(timestamp_with_time_zone(LoginSession::CreatedAt))
                    .col(timestamp_with_time_zone(LoginSession::LastSeenAt))
                    .col(timestamp_with_time_zone(LoginSession::ExpiresAt))
                    .col(timestamp_with_time_zone_null(LoginSession::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_login_session_credential")
                            .from(LoginSession::Table, LoginSession::CredentialId)
                            .to(Credential::Table, Credential::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_login_session_credential")
                    .table(LoginSession::Table)
                    .col(LoginSession::CredentialId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginFailure::Table)
                    .col(string_len(LoginFailure::Login, 64).primary_key())
                    .col(integer(LoginFailure::Failures))
                    .col(timestamp_with_time_zone(LoginFailure::FirstFailureAt))
                    .col(timestamp_with_time_zone_null(LoginFailure::LockedUntil))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RateLimit::Table)
                    .col(string_len(RateLimit::Key, 200))
                    .col(timestamp_with_time_zone(RateLimit::WindowStart))
                    .col(integer(RateLimit::Hits))
                    .primary_key(
                        Index::create()
                            .col(RateLimit::Key)
                            .col(RateLimit::WindowStart),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SmsOutbox::Table)
                    .col(big_pk_auto(SmsOutbox::Id))
                    .col(string_len(SmsOutbox::ToPhone, 16))
                    .col(text(SmsOutbox::Text))
                    .col(timestamp_with_time_zone(SmsOutbox::CreatedAt))
                    .col(integer(SmsOutbox::Attempts))
                    .col(timestamp_with_time_zone(SmsOutbox::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(SmsOutbox::LockedUntil))
                    .col(timestamp_with_time_zone_null(SmsOutbox::SentAt))
                    .col(string_len_null(SmsOutbox::LastError, 500))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sms_outbox_due")
                    .table(SmsOutbox::Table)
                    .col(SmsOutbox::SentAt)
                    .col(SmsOutbox::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }
}
