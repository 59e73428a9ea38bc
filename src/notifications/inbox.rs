//! In-app notifications: what the personal account shows under the bell,
//! each read or unread.

use chrono::{DateTime, Utc};
use entity::notification::{self, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
};

pub use entity::notification::NotificationKind;

use crate::pagination::{self, Page, PageRequest};

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Internal id (the list key, newest first).
    pub id: i64,
    /// Whose.
    pub account_id: i64,
    /// What about.
    pub kind: NotificationKind,
    /// Title, in Russian.
    pub title: String,
    /// Text, in Russian.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was read.
    pub read_at: Option<DateTime<Utc>>,
}

fn from_row(row: notification::Model) -> Notification {
    Notification {
        id: row.id,
        account_id: row.account_id,
        kind: row.kind,
        title: row.title,
        body: row.body,
        created_at: row.created_at,
        read_at: row.read_at,
    }
}

fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Adds a notification; call inside the transaction of what it tells.
pub async fn add_in(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    kind: NotificationKind,
    title: &str,
    body: &str,
) -> Result<(), DbErr> {
    notification::Entity::insert(notification::ActiveModel {
        account_id: Set(account_id),
        kind: Set(kind),
        title: Set(cut(title, 200)),
        body: Set(cut(body, 1000)),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// The same notification to many accounts, in one statement.
pub async fn add_many_in(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_ids: &[i64],
    kind: NotificationKind,
    title: &str,
    body: &str,
) -> Result<(), DbErr> {
    if account_ids.is_empty() {
        return Ok(());
    }
    let rows = account_ids.iter().map(|id| notification::ActiveModel {
        account_id: Set(*id),
        kind: Set(kind),
        title: Set(cut(title, 200)),
        body: Set(cut(body, 1000)),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    });
    notification::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

/// One notification of an account.
pub async fn find_own(
    db: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<Option<Notification>, DbErr> {
    Ok(notification::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|n| n.account_id == account_id)
        .map(from_row))
}

/// An account's notifications, newest first.
pub async fn page(
    db: &impl ConnectionTrait,
    account_id: i64,
    unread_only: bool,
    request: &PageRequest,
) -> Result<Page<Notification>, DbErr> {
    let mut list = notification::Entity::find().filter(Column::AccountId.eq(account_id));
    if unread_only {
        list = list.filter(Column::ReadAt.is_null());
    }
    Ok(pagination::fetch(
        db,
        list,
        (Column::Id, pagination::Direction::Descending),
        |row| row.id,
        request,
    )
    .await?
    .map(from_row))
}

/// How many are unread.
pub async fn unread(db: &impl ConnectionTrait, account_id: i64) -> Result<u64, DbErr> {
    notification::Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::ReadAt.is_null())
        .count(db)
        .await
}

/// Marks the account's notifications read: these ids, or all when `None`
/// (ids of others' notifications are ignored). Returns how many are unread after.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    ids: Option<&[i64]>,
) -> Result<u64, DbErr> {
    let mut update = notification::Entity::update_many()
        .col_expr(Column::ReadAt, sea_orm::sea_query::Expr::value(now))
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::ReadAt.is_null());
    if let Some(ids) = ids {
        update = update.filter(Column::Id.is_in(ids.iter().copied()));
    }
    update.exec(db).await?;
    unread(db, account_id).await
}
