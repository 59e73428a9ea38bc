//! `connection_application`: someone asked to be connected.

use sea_orm::entity::prelude::*;

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ApplicationStatus {
    #[sea_orm(string_value = "new")]
    New,
    #[sea_orm(string_value = "contacted")]
    Contacted,
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    #[sea_orm(string_value = "connected")]
    Connected,
    #[sea_orm(string_value = "canceled")]
    Canceled,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "connection_application")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// What the applicant quotes, 8 digits.
    #[sea_orm(unique)]
    pub number: String,
    /// The address as shown.
    pub address: String,
    pub street_id: Option<i64>,
    pub house: String,
    pub entrance: Option<i32>,
    pub tariff_id: i64,
    pub name: String,
    /// +7XXXXXXXXXX.
    pub phone: String,
    pub referral_code: Option<String>,
    pub referrer_account_id: Option<i64>,
    pub status: ApplicationStatus,
    /// The installation day proposed (within 5 days) or agreed.
    pub installation_date: Date,
    /// The account opened when connected.
    pub account_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
