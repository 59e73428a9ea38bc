//! Ratings: subscribers give a programme title 1–5 stars (one rating per
//! subscriber and title, changeable); the average and count are public.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};

use super::normalize;
use crate::db::{placeholders, statement};

/// 1 to 5 stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stars(i32);

impl Stars {
    /// Accepts 1..=5.
    pub fn parse(stars: i32) -> Result<Self, super::TvError> {
        if (1..=5).contains(&stars) {
            Ok(Stars(stars))
        } else {
            Err(super::TvError::StarsOutOfRange)
        }
    }

    /// The number of stars.
    pub const fn get(self) -> i32 {
        self.0
    }
}

/// The public summary of a title's ratings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Mean stars.
    pub average: f64,
    /// Votes.
    pub count: i64,
}

/// Records (or changes) `account_id`'s rating of `title`.
pub async fn rate(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    title: &str,
    stars: Stars,
) -> Result<(), DbErr> {
    db.execute_raw(statement(
        db,
        "INSERT INTO tv_rating (account_id, title_key, stars, rated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, title_key) DO UPDATE SET stars = $3, rated_at = $4",
        vec![
            account_id.into(),
            normalize(title).into(),
            stars.get().into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Summaries of these normalised titles (titles without votes are absent).
pub async fn summaries(
    db: &impl ConnectionTrait,
    keys: &[String],
) -> Result<HashMap<String, Summary>, DbErr> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT title_key, CAST(AVG(stars) AS DOUBLE PRECISION) AS average, COUNT(*) AS votes \
         FROM tv_rating WHERE title_key IN ({}) GROUP BY title_key",
        placeholders(1, keys.len())
    );
    let values = keys.iter().map(|k| Value::from(k.clone())).collect();
    let rows = db.query_all_raw(statement(db, &sql, values)).await?;
    rows.into_iter()
        .map(|row| {
            Ok((
                row.try_get::<String>("", "title_key")?,
                Summary {
                    average: row.try_get("", "average")?,
                    count: row.try_get("", "votes")?,
                },
            ))
        })
        .collect()
}

/// `account_id`'s own stars for these normalised titles.
pub async fn own(
    db: &impl ConnectionTrait,
    account_id: i64,
    keys: &[String],
) -> Result<HashMap<String, i32>, DbErr> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT title_key, stars FROM tv_rating WHERE account_id = $1 AND title_key IN ({})",
        placeholders(2, keys.len())
    );
    let mut values: Vec<Value> = vec![account_id.into()];
    values.extend(keys.iter().map(|k| Value::from(k.clone())));
    let rows = db.query_all_raw(statement(db, &sql, values)).await?;
    rows.into_iter()
        .map(|row| {
            Ok((
                row.try_get::<String>("", "title_key")?,
                row.try_get::<i32>("", "stars")?,
            ))
        })
        .collect()
}
