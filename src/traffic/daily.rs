//! The daily reports a subscriber reads: traffic per day, and the measured
//! speed per day beside the speed of the tariff in force that day.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr};

use super::report::{self, Span, SpeedDay, TrafficDay};
use super::store;

/// The sessions open some time in `days` (from [`report::days`]), with the
/// first day; nothing when there are no days.
async fn spans_over(
    db: &impl ConnectionTrait,
    account_id: i64,
    days: &[NaiveDate],
) -> Result<Option<(NaiveDate, Vec<Span>)>, DbErr> {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Ok(None);
    };
    let (from, to) = report::bounds(*first, *last);
    Ok(Some((
        *first,
        store::spans(db, account_id, from, to).await?,
    )))
}

/// Traffic per Moscow day over `days`.
pub async fn traffic(
    db: &impl ConnectionTrait,
    account_id: i64,
    days: &[NaiveDate],
) -> Result<Vec<TrafficDay>, DbErr> {
    Ok(match spans_over(db, account_id, days).await? {
        Some((_, spans)) => report::traffic_by_day(&spans, days),
        None => Vec::new(),
    })
}

/// The measured speed per Moscow day over `days`, with the tariff's.
pub async fn speed(
    db: &impl ConnectionTrait,
    account_id: i64,
    days: &[NaiveDate],
) -> Result<Vec<SpeedDay>, DbErr> {
    let Some((first, spans)) = spans_over(db, account_id, days).await? else {
        return Ok(Vec::new());
    };
    let subscriptions =
        crate::billing::subscriptions::for_accounts(db, &[account_id], first).await?;
    let item_ids: Vec<i64> = subscriptions.iter().map(|s| s.item_id).collect();
    let catalog = crate::catalog::by_id(db, &item_ids).await?;
    Ok(report::speed_by_day(&spans, days, |day| {
        crate::billing::subscriptions::tariff_on(&subscriptions, day, &catalog)
            .and_then(|tariff| tariff.speed_mbps)
            .map(|mbps| i64::from(mbps) * 1000)
    }))
}
