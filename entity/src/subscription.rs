//! `subscription`: an account's recurring item (tariff, service, equipment)
//! with its fee, promo and active period (Moscow days, inclusive).

use sea_orm::entity::prelude::*;

/// How equipment is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Ownership {
    #[sea_orm(string_value = "rent")]
    Rent,
    #[sea_orm(string_value = "instalment")]
    Instalment,
    #[sea_orm(string_value = "owned")]
    Owned,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscription")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub catalog_item_id: i64,
    /// Monthly fee after any promo, kopecks.
    pub monthly_fee: i64,
    /// Fee while the promo lasts.
    pub promo_fee: Option<i64>,
    /// Last Moscow day of the promo.
    pub promo_until: Option<Date>,
    /// First Moscow day charged.
    pub starts_on: Date,
    /// Last Moscow day charged; null while it goes on.
    pub ends_on: Option<Date>,
    /// For equipment.
    pub ownership: Option<Ownership>,
    pub created_at: DateTimeUtc,
    /// Last Moscow day of a minimum term, fixed when subscribed.
    pub min_term_until: Option<Date>,
    /// What leaving on the first day of the minimum term costs, kopecks;
    /// falls evenly to zero by `min_term_until`.
    pub early_exit_fee: Option<i64>,
    /// A licence key (antivirus bought).
    pub licence_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// What is subscribed to.
    #[sea_orm(
        belongs_to = "super::catalog_item::Entity",
        from = "Column::CatalogItemId",
        to = "super::catalog_item::Column::Id"
    )]
    CatalogItem,
}

impl Related<super::catalog_item::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CatalogItem.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
