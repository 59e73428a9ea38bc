//! `coverage_street`: a street of the coverage list.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coverage_street")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The name made comparable, without its type word.
    pub name: String,
    /// The type word spelled out (`улица`), empty when none.
    pub kind: String,
    /// As the list writes it.
    pub display: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
