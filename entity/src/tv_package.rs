//! `tv_package`: a TV channel package (base or extra).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tv_package")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub description: String,
    /// Included with every TV tariff.
    pub base: bool,
    pub sort_order: i32,
    /// Code of the catalog item that sells this package; base packages come with every TV tariff.
    pub catalog_code: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
