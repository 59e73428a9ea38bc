//! Favourites («Избранное»): programme titles a subscriber follows, each filed
//! under a category. A favourite is a title, not an airing, so every airing of
//! it (today's and next week's) counts; reminders are found from it.

use chrono::{DateTime, Utc};
use entity::tv_favourite;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, sea_query::OnConflict,
};

use super::{Category, TvError, normalize};

/// Most favourites one subscriber keeps.
pub const MAX_FAVOURITES: u64 = 500;

/// A followed title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Favourite {
    /// Internal id.
    pub id: i64,
    /// Owner.
    pub account_id: i64,
    /// The title as added.
    pub title: String,
    /// Category chosen.
    pub category: Category,
    /// When added.
    pub created_at: DateTime<Utc>,
}

fn favourite(row: tv_favourite::Model) -> Favourite {
    Favourite {
        id: row.id,
        account_id: row.account_id,
        title: row.title,
        category: Category::from_code(&row.category),
        created_at: row.created_at,
    }
}

/// Adds a title (or changes the category of one already there). The count
/// and the insert run in one transaction holding the account, so requests at
/// once cannot pass the limit together.
pub async fn add(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    title: &str,
    category: Category,
) -> Result<Favourite, TvError> {
    let tx = crate::db::begin_write(db).await?;
    crate::accounts::lock(&tx, account_id).await?;
    let added = add_in(&tx, now, account_id, title, category).await?;
    tx.commit().await?;
    Ok(added)
}

async fn add_in(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    title: &str,
    category: Category,
) -> Result<Favourite, TvError> {
    let key = normalize(title);
    let mine = tv_favourite::Entity::find().filter(tv_favourite::Column::AccountId.eq(account_id));
    let known = mine
        .clone()
        .filter(tv_favourite::Column::TitleKey.eq(key.clone()))
        .count(db)
        .await?
        > 0;
    if !known && mine.count(db).await? >= MAX_FAVOURITES {
        return Err(TvError::FavouritesFull);
    }
    let row = tv_favourite::Entity::insert(tv_favourite::ActiveModel {
        account_id: Set(account_id),
        title_key: Set(key),
        title: Set(title.trim().to_owned()),
        category: Set(category.code().to_owned()),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            tv_favourite::Column::AccountId,
            tv_favourite::Column::TitleKey,
        ])
        .update_column(tv_favourite::Column::Category)
        .to_owned(),
    )
    .exec_with_returning(db)
    .await?;
    Ok(favourite(row))
}

/// Removes one of the account's favourites; false when it has no such one.
pub async fn remove(db: &impl ConnectionTrait, account_id: i64, id: i64) -> Result<bool, DbErr> {
    Ok(tv_favourite::Entity::delete_many()
        .filter(tv_favourite::Column::Id.eq(id))
        .filter(tv_favourite::Column::AccountId.eq(account_id))
        .exec(db)
        .await?
        .rows_affected
        > 0)
}

/// The account's favourites by title, optionally of one category.
pub async fn list(
    db: &impl ConnectionTrait,
    account_id: i64,
    category: Option<Category>,
) -> Result<Vec<Favourite>, DbErr> {
    let mut query =
        tv_favourite::Entity::find().filter(tv_favourite::Column::AccountId.eq(account_id));
    if let Some(category) = category {
        query = query.filter(tv_favourite::Column::Category.eq(category.code()));
    }
    Ok(query
        .order_by_asc(tv_favourite::Column::TitleKey)
        .all(db)
        .await?
        .into_iter()
        .map(favourite)
        .collect())
}

/// One favourite of the account.
pub async fn find(
    db: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<Option<Favourite>, DbErr> {
    Ok(tv_favourite::Entity::find_by_id(id)
        .filter(tv_favourite::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .map(favourite))
}
