//! `catalog_item`: what can be subscribed to — tariff plans and services
//! (options, TV packages, equipment), with their monthly fees.

use sea_orm::entity::prelude::*;

/// What a catalog item provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum ServiceKind {
    #[sea_orm(string_value = "internet")]
    Internet,
    #[sea_orm(string_value = "tv")]
    Tv,
    #[sea_orm(string_value = "tv_package")]
    TvPackage,
    #[sea_orm(string_value = "home_phone")]
    HomePhone,
    #[sea_orm(string_value = "security_alarm")]
    SecurityAlarm,
    #[sea_orm(string_value = "antivirus")]
    Antivirus,
    #[sea_orm(string_value = "kak_doma")]
    KakDoma,
    #[sea_orm(string_value = "parental_control")]
    ParentalControl,
    #[sea_orm(string_value = "equipment")]
    Equipment,
}

/// Tariff plan or a service that can be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ItemRole {
    #[sea_orm(string_value = "tariff")]
    Tariff,
    #[sea_orm(string_value = "service")]
    Service,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "catalog_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub code: String,
    pub role: ItemRole,
    pub kind: ServiceKind,
    pub name: String,
    pub description: String,
    /// Monthly fee in kopecks (for equipment bought outright: the one-off price).
    pub monthly_fee: i64,
    /// Internet speed of a tariff, Mbit/s.
    pub speed_mbps: Option<i32>,
    /// TV channels included.
    pub tv_channels: Option<i32>,
    /// A kind that must be subscribed first (home phone needs internet).
    pub requires_kind: Option<ServiceKind>,
    pub sort_order: i32,
    pub active: bool,
    /// Charged once when connected, kopecks.
    pub connection_fee: i64,
    /// A promo monthly fee for the first `promo_months` months.
    pub promo_fee: Option<i64>,
    pub promo_months: Option<i32>,
    /// A minimum term in months; leaving earlier costs `early_exit_fee`,
    /// falling evenly to zero over the term.
    pub min_term_months: Option<i32>,
    pub early_exit_fee: Option<i64>,
    /// A product bought outright: its price, kopecks.
    pub purchase_price: Option<i64>,
    /// The instalment terms it allows, in months, e.g. `1,3,6,12`.
    pub instalment_months: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
