//! Support tickets with their message threads, technician visits (a seat per
//! visit in its 2-hour window, so a window's capacity holds under concurrent
//! scheduling), and the subscriber's choice of SMS about them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Ticket {
    Table,
    Id,
    AccountId,
    Category,
    Subject,
    Status,
    AssigneeCredentialId,
    CreatedAt,
    UpdatedAt,
    FirstResponseAt,
    ResolvedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum TicketMessage {
    Table,
    Id,
    TicketId,
    FromStaff,
    StaffCredentialId,
    Text,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TechnicianVisit {
    Table,
    Id,
    TicketId,
    AccountId,
    Reason,
    PreferredWindows,
    Status,
    SlotStart,
    Seat,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NotificationSettings {
    Table,
    SmsSupport,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Ticket::Table)
                    .col(big_pk_auto(Ticket::Id))
                    .col(big_integer(Ticket::AccountId))
                    .col(string_len(Ticket::Category, 32))
                    .col(string_len(Ticket::Subject, 200))
                    .col(string_len(Ticket::Status, 32))
                    .col(big_integer_null(Ticket::AssigneeCredentialId))
                    .col(timestamp_with_time_zone(Ticket::CreatedAt))
                    .col(timestamp_with_time_zone(Ticket::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Ticket::FirstResponseAt))
                    .col(timestamp_with_time_zone_null(Ticket::ResolvedAt))
                    .col(timestamp_with_time_zone_null(Ticket::ClosedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ticket_account")
                            .from(Ticket::Table, Ticket::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ticket_account")
                    .table(Ticket::Table)
                    .col(Ticket::AccountId)
                    .col(Ticket::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ticket_status")
                    .table(Ticket::Table)
                    .col(Ticket::Status)
                    .col(Ticket::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TicketMessage::Table)
                    .col(big_pk_auto(TicketMessage::Id))
                    .col(big_integer(TicketMessage::TicketId))
                    .col(boolean(TicketMessage::FromStaff))
                    .col(big_integer_null(TicketMessage::StaffCredentialId))
                    .col(string_len(TicketMessage::Text, 4000))
                    .col(timestamp_with_time_zone(TicketMessage::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ticket_message_ticket")
                            .from(TicketMessage::Table, TicketMessage::TicketId)
                            .to(Ticket::Table, Ticket::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ticket_message_ticket")
                    .table(TicketMessage::Table)
                    .col(TicketMessage::TicketId)
                    .col(TicketMessage::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TechnicianVisit::Table)
                    .col(big_pk_auto(TechnicianVisit::Id))
                    .col(big_integer(TechnicianVisit::TicketId))
                    .col(big_integer(TechnicianVisit::AccountId))
                    .col(string_len(TechnicianVisit::Reason, 500))
                    // The preferred window starts, RFC 3339, comma-separated.
                    .col(string_len(TechnicianVisit::PreferredWindows, 400))
                    .col(string_len(TechnicianVisit::Status, 16))
                    .col(timestamp_with_time_zone_null(TechnicianVisit::SlotStart))
                    .col(integer_null(TechnicianVisit::Seat))
                    .col(timestamp_with_time_zone(TechnicianVisit::CreatedAt))
                    .col(timestamp_with_time_zone(TechnicianVisit::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_technician_visit_ticket")
                            .from(TechnicianVisit::Table, TechnicianVisit::TicketId)
                            .to(Ticket::Table, Ticket::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A seat of a window is taken by one visit: capacity by the database.
        manager
            .create_index(
                Index::create()
                    .name("ux_technician_visit_seat")
                    .table(TechnicianVisit::Table)
                    .col(TechnicianVisit::SlotStart)
                    .col(TechnicianVisit::Seat)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(NotificationSettings::Table)
                    .add_column(boolean(NotificationSettings::SmsSupport).default(true))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(NotificationSettings::Table)
                    .drop_column(NotificationSettings::SmsSupport)
                    .to_owned(),
            )
            .await?;
        for table in [
            TechnicianVisit::Table.into_iden(),
            TicketMessage::Table.into_iden(),
            Ticket::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
