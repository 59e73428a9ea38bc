//! `bonus_item`: what points buy.

use sea_orm::entity::prelude::*;

/// A catalog section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum BonusCategory {
    #[sea_orm(string_value = "service_discount")]
    ServiceDiscount,
    #[sea_orm(string_value = "goods")]
    Goods,
    #[sea_orm(string_value = "digital")]
    Digital,
}

/// What redeeming an item does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum BonusEffect {
    /// 50 % off the internet fee for the next Moscow calendar month.
    #[sea_orm(string_value = "internet_discount_50")]
    InternetDiscount50,
    /// Goods handed over by staff.
    #[sea_orm(string_value = "goods")]
    Goods,
    /// A code for a digital product.
    #[sea_orm(string_value = "digital_code")]
    DigitalCode,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bonus_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub category: BonusCategory,
    pub name: String,
    pub description: String,
    /// Price in points.
    pub price: i64,
    /// Left in stock; `None` is unlimited.
    pub stock: Option<i64>,
    pub effect: BonusEffect,
    /// A service kind the subscriber must have (the internet discount needs internet).
    pub requires_kind: Option<crate::catalog_item::ServiceKind>,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
