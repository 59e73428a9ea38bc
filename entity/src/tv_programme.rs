//! `tv_programme`: one airing of a programme on a channel.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tv_programme")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub channel_id: i64,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub title: String,
    pub description: String,
    /// Main category code: film, series, kids, sport, news, documentary, entertainment, music, other.
    pub category: String,
    /// Further genres, one per line.
    pub genres: String,
    /// People, one per line as `role:name` (director, actor, presenter, …).
    pub people: String,
    /// Minimum age, e.g. 16 for «16+».
    pub age_rating: Option<i32>,
    pub premiere: bool,
    /// The title normalised (lower case, ё → е): ratings, favourites and reminders match on it.
    pub title_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
