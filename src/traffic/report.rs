//! What a subscriber reads from their sessions, computed from the sessions
//! themselves: traffic per Moscow day and the measured speed per day beside
//! the tariff's. Pure functions; the caller reads the sessions.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::time::{moscow_date, start_of_moscow_day};

/// The longest range a daily report covers, in days (a quarter).
pub const MAX_REPORT_DAYS: i64 = 92;

/// What the reports need of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
    /// Bytes to the subscriber.
    pub bytes_in: i64,
    /// Bytes from the subscriber.
    pub bytes_out: i64,
    /// Average rate, kbit/s.
    pub avg_rate_kbps: i64,
    /// Peak rate, kbit/s.
    pub peak_rate_kbps: i64,
}

/// Traffic of one Moscow day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrafficDay {
    /// The day.
    pub date: NaiveDate,
    /// Bytes to the subscriber.
    pub bytes_in: i64,
    /// Bytes from the subscriber.
    pub bytes_out: i64,
    /// Sessions that were open some time that day.
    pub sessions: u32,
}

/// The measured speed of one Moscow day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeedDay {
    /// The day.
    pub date: NaiveDate,
    /// The tariff's speed that day, kbit/s, when a tariff with a speed was in force.
    pub tariff_kbps: Option<i64>,
    /// Sessions open some time that day.
    pub sessions: u32,
    /// Median of the sessions' average rates.
    pub median_kbps: Option<i64>,
    /// 90th percentile of the sessions' average rates.
    pub p90_kbps: Option<i64>,
    /// The highest peak rate.
    pub peak_kbps: Option<i64>,
}

impl SpeedDay {
    /// The median as a whole percentage of the tariff's speed.
    pub fn median_percent_of_tariff(&self) -> Option<i64> {
        let tariff = self.tariff_kbps.filter(|t| *t > 0)?;
        Some(self.median_kbps? * 100 / tariff)
    }
}

/// Why a report range was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// `from` after `to`.
    #[error("the range starts after it ends")]
    Reversed,
    /// More than [`MAX_REPORT_DAYS`] days.
    #[error("the range is longer than {MAX_REPORT_DAYS} days")]
    TooLong,
}

/// The days from `from` to `to`, both included, once checked.
pub fn days(from: NaiveDate, to: NaiveDate) -> Result<Vec<NaiveDate>, RangeError> {
    if from > to {
        return Err(RangeError::Reversed);
    }
    if (to - from).num_days() >= MAX_REPORT_DAYS {
        return Err(RangeError::TooLong);
    }
    Ok(from.iter_days().take_while(|d| *d <= to).collect())
}

/// The instants a range of days covers: from the first day's 00:00 Moscow to
/// the 00:00 after the last.
pub fn bounds(from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let after = to.checked_add_days(Days::new(1)).unwrap_or(NaiveDate::MAX);
    (start_of_moscow_day(from), start_of_moscow_day(after))
}

/// The Moscow days a session touches with the seconds it spent in each.
fn pieces(span: &Span) -> Vec<(NaiveDate, i64)> {
    let mut out = Vec::new();
    let mut day = moscow_date(span.start);
    let mut at = span.start;
    loop {
        let next = start_of_moscow_day(day.succ_opt().unwrap_or(NaiveDate::MAX));
        let until = next.min(span.end);
        out.push((day, (until - at).num_seconds().max(0)));
        if next >= span.end {
            break;
        }
        at = next;
        day = moscow_date(next);
    }
    out
}

/// Splits `total` over `weights` in proportion, exactly: the remainder goes
/// to the largest pieces first, so the parts add up to `total`.
fn split(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| *w as i128).sum();
    if sum == 0 {
        // A session of no duration: all of it on its only day.
        let mut parts = vec![0; weights.len()];
        if let Some(first) = parts.first_mut() {
            *first = total;
        }
        return parts;
    }
    let mut parts: Vec<i64> = weights
        .iter()
        .map(|w| (total as i128 * *w as i128 / sum) as i64)
        .collect();
    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(weights[*i]));
    for i in order.into_iter().cycle() {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

/// Traffic per day from `from` to `to` (every day, zero when nothing ran):
/// a session over midnight counts on each day in proportion to its time there.
pub fn traffic_by_day(spans: &[Span], days: &[NaiveDate]) -> Vec<TrafficDay> {
    let mut by_day: BTreeMap<NaiveDate, TrafficDay> = days
        .iter()
        .map(|d| {
            (
                *d,
                TrafficDay {
                    date: *d,
                    bytes_in: 0,
                    bytes_out: 0,
                    sessions: 0,
                },
            )
        })
        .collect();
    for span in spans {
        let pieces = pieces(span);
        let weights: Vec<i64> = pieces.iter().map(|(_, s)| *s).collect();
        let ins = split(span.bytes_in, &weights);
        let outs = split(span.bytes_out, &weights);
        for (i, (day, _)) in pieces.iter().enumerate() {
            if let Some(entry) = by_day.get_mut(day) {
                entry.bytes_in += ins[i];
                entry.bytes_out += outs[i];
                entry.sessions += 1;
            }
        }
    }
    by_day.into_values().collect()
}

/// The nearest-rank percentile `p` (1–100) of sorted values.
pub fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// Measured speed per day beside the tariff's (`tariff_kbps` for each day):
/// the median and 90th percentile of the average rates of the sessions open
/// that day, and the highest peak.
pub fn speed_by_day(
    spans: &[Span],
    days: &[NaiveDate],
    tariff_kbps: impl Fn(NaiveDate) -> Option<i64>,
) -> Vec<SpeedDay> {
    let mut rates: BTreeMap<NaiveDate, (Vec<i64>, i64)> =
        days.iter().map(|d| (*d, (Vec::new(), 0))).collect();
    for span in spans {
        for (day, _) in pieces(span) {
            if let Some((avg, peak)) = rates.get_mut(&day) {
                avg.push(span.avg_rate_kbps);
                *peak = (*peak).max(span.peak_rate_kbps);
            }
        }
    }
    rates
        .into_iter()
        .map(|(date, (mut avg, peak))| {
            avg.sort_unstable();
            SpeedDay {
                date,
                tariff_kbps: tariff_kbps(date),
                sessions: avg.len() as u32,
                median_kbps: percentile(&avg, 50),
                p90_kbps: percentile(&avg, 90),
                peak_kbps: (!avg.is_empty()).then_some(peak),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn span(start: &str, end: &str, bytes_in: i64, avg: i64) -> Span {
        Span {
            start: at(start),
            end: at(end),
            bytes_in,
            bytes_out: bytes_in / 10,
            avg_rate_kbps: avg,
            peak_rate_kbps: avg * 2,
        }
    }

    #[test]
    fn a_session_over_midnight_splits_by_time_and_adds_up() {
        // 23:00–02:00 Moscow: a third before midnight, two thirds after.
        let s = span(
            "2026-11-24T20:00:00Z",
            "2026-11-24T23:00:00Z",
            3_000_001,
            100,
        );
        let days = days(day("2026-11-24"), day("2026-11-26")).unwrap();
        let traffic = traffic_by_day(&[s], &days);
        assert_eq!(traffic[0].bytes_in, 1_000_000);
        assert_eq!(traffic[1].bytes_in, 2_000_001);
        assert_eq!(traffic[2].bytes_in, 0);
        assert_eq!(traffic.iter().map(|t| t.bytes_in).sum::<i64>(), 3_000_001);
        assert_eq!(traffic[0].sessions, 1);
        assert_eq!(traffic[1].sessions, 1);
        assert_eq!(traffic[2].sessions, 0);
    }

    #[test]
    fn ranges_are_bounded() {
        assert_eq!(
            days(day("2026-11-25"), day("2026-11-24")),
            Err(RangeError::Reversed)
        );
        assert_eq!(
            days(day("2026-01-01"), day("2026-04-02")).unwrap().len(),
            92
        );
        assert_eq!(
            days(day("2026-01-01"), day("2026-04-03")),
            Err(RangeError::TooLong)
        );
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&values, 50), Some(5));
        assert_eq!(percentile(&values, 90), Some(9));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn speed_days_compare_with_the_tariff() {
        let spans = [
            span("2026-11-25T06:00:00Z", "2026-11-25T07:00:00Z", 1, 40_000),
            span("2026-11-25T08:00:00Z", "2026-11-25T09:00:00Z", 1, 90_000),
            span("2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z", 1, 45_000),
        ];
        let days = days(day("2026-11-25"), day("2026-11-26")).unwrap();
        let report = speed_by_day(&spans, &days, |_| Some(100_000));
        assert_eq!(report[0].median_kbps, Some(45_000));
        assert_eq!(report[0].p90_kbps, Some(90_000));
        assert_eq!(report[0].peak_kbps, Some(180_000));
        assert_eq!(report[0].median_percent_of_tariff(), Some(45));
        assert_eq!(report[1].sessions, 0);
        assert_eq!(report[1].median_kbps, None);
    }
}
