//! `ticket`: a subscriber's support request.

use sea_orm::entity::prelude::*;

/// What a ticket is about (the categories of the support page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum TicketCategory {
    #[sea_orm(string_value = "no_connection")]
    NoConnection,
    #[sea_orm(string_value = "no_picture_or_sound")]
    NoPictureOrSound,
    #[sea_orm(string_value = "channels_wrong")]
    ChannelsWrong,
    #[sea_orm(string_value = "low_speed")]
    LowSpeed,
    #[sea_orm(string_value = "choosing_tariff")]
    ChoosingTariff,
    #[sea_orm(string_value = "equipment_installation")]
    EquipmentInstallation,
    #[sea_orm(string_value = "billing")]
    Billing,
    #[sea_orm(string_value = "other")]
    Other,
}

/// Where a ticket stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum TicketStatus {
    #[sea_orm(string_value = "new")]
    New,
    #[sea_orm(string_value = "in_progress")]
    InProgress,
    #[sea_orm(string_value = "waiting_for_subscriber")]
    WaitingForSubscriber,
    #[sea_orm(string_value = "resolved")]
    Resolved,
    #[sea_orm(string_value = "closed")]
    Closed,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ticket")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub category: TicketCategory,
    pub subject: String,
    pub status: TicketStatus,
    /// The operator handling it.
    pub assignee_credential_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The first operator's reply.
    pub first_response_at: Option<DateTimeUtc>,
    /// When it was last resolved.
    pub resolved_at: Option<DateTimeUtc>,
    /// When it was last closed.
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
