//! `tv_favourite`: a programme title a subscriber keeps in «Избранное», with a category.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tv_favourite")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// The title normalised (lower case, ё → е): every airing of it matches.
    pub title_key: String,
    /// The title as first added.
    pub title: String,
    /// Category code the subscriber filed it under (film, series, …).
    pub category: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
