//! The day's highlights: premieres, and films, series and sport that start in
//! the evening prime time (19:00–23:00 Moscow). Best first: premieres, then by
//! average rating; one airing per title (the earliest); shown in time order.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use entity::tv_programme;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use super::{Category, Programme, programme, ratings};
use crate::time::start_of_moscow_day;

/// Most highlights of a day.
pub const MAX_HIGHLIGHTS: usize = 20;
/// Prime time, in hours after Moscow midnight.
const PRIME_TIME: (i64, i64) = (19, 23);

/// The highlights of a Moscow day on these channels (all when `None`).
pub async fn of_day(
    db: &impl ConnectionTrait,
    day: NaiveDate,
    channel_ids: Option<&[i64]>,
) -> Result<Vec<Programme>, DbErr> {
    let start = start_of_moscow_day(day);
    let prime = Condition::all()
        .add(tv_programme::Column::Category.is_in([
            Category::Film.code(),
            Category::Series.code(),
            Category::Sport.code(),
        ]))
        .add(tv_programme::Column::StartsAt.gte(start + Duration::hours(PRIME_TIME.0)))
        .add(tv_programme::Column::StartsAt.lt(start + Duration::hours(PRIME_TIME.1)));
    let mut query = tv_programme::Entity::find()
        .filter(tv_programme::Column::StartsAt.gte(start))
        .filter(tv_programme::Column::StartsAt.lt(start + Duration::days(1)))
        .filter(
            Condition::any()
                .add(tv_programme::Column::Premiere.eq(true))
                .add(prime),
        );
    if let Some(ids) = channel_ids {
        query = query.filter(tv_programme::Column::ChannelId.is_in(ids.iter().copied()));
    }
    let rows = query
        .order_by_asc(tv_programme::Column::StartsAt)
        .order_by_asc(tv_programme::Column::Id)
        .all(db)
        .await?;
    let mut seen = HashSet::new();
    let mut candidates: Vec<Programme> = rows
        .into_iter()
        .map(programme)
        .filter(|p| seen.insert(p.title_key.clone()))
        .collect();
    let keys: Vec<String> = candidates.iter().map(|p| p.title_key.clone()).collect();
    let rated = ratings::summaries(db, &keys).await?;
    let average = |p: &Programme| rated.get(&p.title_key).map_or(0.0, |s| s.average);
    // Stable sort: among equals the earlier airing stays first.
    candidates.sort_by(|a, b| {
        b.premiere
            .cmp(&a.premiere)
            .then(average(b).total_cmp(&average(a)))
    });
    candidates.truncate(MAX_HIGHLIGHTS);
    candidates.sort_by_key(|p| (p.starts_at, p.id));
    Ok(candidates)
}
