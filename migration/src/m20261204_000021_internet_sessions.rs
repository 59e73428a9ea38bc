//! Internet sessions as the network's accounting reports them, the devices
//! (MAC addresses) each account has been seen with, and the SMS choice for
//! "new device" alerts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InternetSession {
    Table,
    Id,
    SessionId,
    AccountId,
    StartedAt,
    EndedAt,
    Ip,
    Mac,
    BytesIn,
    BytesOut,
    AvgRateKbps,
    PeakRateKbps,
    ReportedAt,
}

#[derive(DeriveIden)]
enum AccountDevice {
    Table,
    AccountId,
    Mac,
    FirstSeenAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum NotificationSettings {
    Table,
    SmsSecurity,
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
                    .table(InternetSession::Table)
                    .col(big_pk_auto(InternetSession::Id))
                    // The network's own id: a report repeated or updated lands on the same row.
                    .col(string_len_uniq(InternetSession::SessionId, 64))
                    .col(big_integer(InternetSession::AccountId))
                    .col(timestamp_with_time_zone(InternetSession::StartedAt))
                    .col(timestamp_with_time_zone(InternetSession::EndedAt))
                    .col(string_len(InternetSession::Ip, 45))
                    .col(string_len(InternetSession::Mac, 17))
                    .col(big_integer(InternetSession::BytesIn))
                    .col(big_integer(InternetSession::BytesOut))
                    .col(big_integer(InternetSession::AvgRateKbps))
                    .col(big_integer(InternetSession::PeakRateKbps))
                    .col(timestamp_with_time_zone(InternetSession::ReportedAt))
                    .check(Expr::col(InternetSession::BytesIn).gte(0))
                    .check(Expr::col(InternetSession::BytesOut).gte(0))
                    .check(Expr::col(InternetSession::AvgRateKbps).gte(0))
                    .check(Expr::col(InternetSession::PeakRateKbps).gte(0))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_internet_session_account")
                            .from(InternetSession::Table, InternetSession::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_internet_session_account_start")
                    .table(InternetSession::Table)
                    .col(InternetSession::AccountId)
                    .col(InternetSession::StartedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_internet_session_account_id")
                    .table(InternetSession::Table)
                    .col(InternetSession::AccountId)
                    .col(InternetSession::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccountDevice::Table)
                    .col(big_integer(AccountDevice::AccountId))
                    .col(string_len(AccountDevice::Mac, 17))
                    .col(timestamp_with_time_zone(AccountDevice::FirstSeenAt))
                    .col(timestamp_with_time_zone(AccountDevice::LastSeenAt))
                    .primary_key(
                        Index::create()
                            .col(AccountDevice::AccountId)
                            .col(AccountDevice::Mac),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_device_account")
                            .from(AccountDevice::Table, AccountDevice::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(NotificationSettings::Table)
                    .add_column(boolean(NotificationSettings::SmsSecurity).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(NotificationSettings::Table)
                    .drop_column(NotificationSettings::SmsSecurity)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(AccountDevice::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(InternetSession::Table).to_owned())
            .await
    }
}
