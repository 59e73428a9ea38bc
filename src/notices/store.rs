//! SQL for service notices.

use chrono::{DateTime, Utc};
use entity::service_notice::{self, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder,
};

use super::{NewNotice, Notice};
use crate::clock::Clock;
use crate::pagination::{self, Page, PageRequest};

fn from_row(row: service_notice::Model) -> Notice {
    Notice {
        id: row.id,
        kind: row.kind,
        title: row.title,
        body: row.body,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
    }
}

fn active_at(now: DateTime<Utc>) -> Condition {
    Condition::all().add(Column::StartsAt.lte(now)).add(
        Condition::any()
            .add(Column::EndsAt.is_null())
            .add(Column::EndsAt.gt(now)),
    )
}

/// Notices that apply at `now`, the soonest-started first.
pub async fn active(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<Notice>, DbErr> {
    Ok(service_notice::Entity::find()
        .filter(active_at(now))
        .order_by_asc(Column::StartsAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// A page of all notices, newest first; with `include_ended` false, only those
/// that have not ended by `now` (current and upcoming).
pub async fn page(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    include_ended: bool,
    request: &PageRequest,
) -> Result<Page<Notice>, DbErr> {
    let mut list = service_notice::Entity::find();
    if !include_ended {
        list = list.filter(
            Condition::any()
                .add(Column::EndsAt.is_null())
                .add(Column::EndsAt.gt(now)),
        );
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

/// The notices with these ids.
pub async fn find_many(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Notice>, DbErr> {
    Ok(service_notice::Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// Publishes a notice.
pub async fn create(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    new: NewNotice,
) -> Result<Notice, DbErr> {
    let row = service_notice::ActiveModel {
        kind: Set(new.kind),
        title: Set(new.title),
        body: Set(new.body),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        created_at: Set(clock.now()),
        ..Default::default()
    };
    Ok(from_row(
        service_notice::Entity::insert(row)
            .exec_with_returning(db)
            .await?,
    ))
}
