//! `coverage_address`: a house (or one entrance of it) the network reaches.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coverage_address")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub street_id: i64,
    /// The house written one way (`12к2`).
    pub house: String,
    /// The entrance; `None` covers the whole house.
    pub entrance: Option<i32>,
    /// `;`-separated technology codes.
    pub technologies: String,
    /// `;`-separated tariff codes offered there.
    pub tariffs: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
