//! How fast support answers and solves, by category and week: the median and
//! the 90th percentile (nearest rank) of the time to the first reply and to
//! the resolution, over the tickets opened in the weeks asked.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use entity::ticket::{self, Column};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::tickets::TicketCategory;
use crate::time::{moscow_date, start_of_moscow_day};

/// One row of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The category.
    pub category: TicketCategory,
    /// The Monday of the week the tickets were opened in (Moscow).
    pub week: NaiveDate,
    /// Tickets opened.
    pub tickets: u64,
    /// Of them, answered.
    pub answered: u64,
    /// Of them, resolved.
    pub resolved: u64,
    /// Minutes to the first reply: median and 90th percentile.
    pub first_response_minutes: Option<(f64, f64)>,
    /// Hours to the resolution: median and 90th percentile.
    pub resolution_hours: Option<(f64, f64)>,
}

/// The nearest-rank percentile `p` (0–100) of sorted `values`.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn summary(values: &mut [f64]) -> Option<(f64, f64)> {
    values.sort_by(f64::total_cmp);
    Some((percentile(values, 50.0)?, percentile(values, 90.0)?))
}

fn monday(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The report over tickets opened from `from` to `to` (Moscow days, inclusive).
pub async fn by_category_and_week(
    db: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Row>, DbErr> {
    let tickets = ticket::Entity::find()
        .filter(Column::CreatedAt.gte(start_of_moscow_day(from)))
        .filter(Column::CreatedAt.lt(start_of_moscow_day(to + Duration::days(1))))
        .all(db)
        .await?;
    type Times = (u64, Vec<f64>, Vec<f64>);
    let mut groups: BTreeMap<(NaiveDate, String), (TicketCategory, Times)> = BTreeMap::new();
    for t in tickets {
        let week = monday(moscow_date(t.created_at));
        let key = (week, format!("{:?}", t.category));
        let (_, (count, first, solved)) = groups
            .entry(key)
            .or_insert_with(|| (t.category, (0, Vec::new(), Vec::new())));
        *count += 1;
        if let Some(at) = t.first_response_at {
            first.push((at - t.created_at).num_seconds() as f64 / 60.0);
        }
        if let Some(at) = t.resolved_at {
            solved.push((at - t.created_at).num_seconds() as f64 / 3600.0);
        }
    }
    Ok(groups
        .into_iter()
        .map(
            |((week, _), (category, (tickets, mut first, mut solved)))| Row {
                category,
                week,
                tickets,
                answered: first.len() as u64,
                resolved: solved.len() as u64,
                first_response_minutes: summary(&mut first),
                resolution_hours: summary(&mut solved),
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), Some(5.0));
        assert_eq!(percentile(&v, 90.0), Some(9.0));
        assert_eq!(percentile(&[7.0], 90.0), Some(7.0));
        assert_eq!(percentile(&[], 50.0), None);
        let three = [1.0, 2.0, 30.0];
        assert_eq!(percentile(&three, 50.0), Some(2.0));
        assert_eq!(percentile(&three, 90.0), Some(30.0));
    }
}
