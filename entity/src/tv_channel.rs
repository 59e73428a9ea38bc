//! `tv_channel`: a channel of the guide, keyed by its XMLTV id.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tv_channel")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The `id` attribute of `<channel>` in XMLTV.
    #[sea_orm(unique)]
    pub xmltv_id: String,
    pub name: String,
    /// Position in the channel list.
    pub number: i32,
    /// The package it belongs to, once the provider assigned one.
    pub package_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
