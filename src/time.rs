//! Moscow business time: a business day is a Europe/Moscow calendar day and
//! "next day" means the next 00:00 Moscow time.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The provider's time zone.
pub const MOSCOW: Tz = chrono_tz::Europe::Moscow;

/// The Moscow calendar day an instant falls on.
pub fn moscow_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&MOSCOW).date_naive()
}

/// 00:00 Moscow time of `day`, as an instant.
pub fn start_of_moscow_day(day: NaiveDate) -> DateTime<Utc> {
    // Moscow has had no DST since 2014, so midnight always exists exactly once.
    MOSCOW
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// The next 00:00 Moscow time strictly after `at`.
pub fn next_moscow_midnight(at: DateTime<Utc>) -> DateTime<Utc> {
    let tomorrow = moscow_date(at)
        .checked_add_days(Days::new(1))
        .unwrap_or(NaiveDate::MAX);
    start_of_moscow_day(tomorrow)
}

/// An instant as people in Moscow read it: `25.11.2026 12:45 МСК`.
pub fn moscow_text(at: DateTime<Utc>) -> String {
    at.with_timezone(&MOSCOW)
        .format("%d.%m.%Y %H:%M МСК")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moscow_day_turns_at_21_utc() {
        let before = Utc.with_ymd_and_hms(2026, 11, 24, 20, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 11, 24, 21, 0, 0).unwrap();
        assert_eq!(moscow_date(before).to_string(), "2026-11-24");
        assert_eq!(moscow_date(after).to_string(), "2026-11-25");
        assert_eq!(next_moscow_midnight(before), after);
        assert_eq!(
            next_moscow_midnight(after),
            Utc.with_ymd_and_hms(2026, 11, 25, 21, 0, 0).unwrap()
        );
    }
}
