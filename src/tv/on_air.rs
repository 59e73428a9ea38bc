//! "Now on air": what airs at an instant on each channel, then the programmes
//! starting in each of the next 30-minute slots (aligned to :00 and :30 Moscow
//! time). Free of storage: the caller hands over the channels in list order
//! and the programmes of the window.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::Programme;
use crate::time::{moscow_date, start_of_moscow_day};

/// Length of a slot.
pub const SLOT_MINUTES: i64 = 30;
/// Most slots after "now" one request may ask for.
pub const MAX_SLOTS: i32 = 12;

/// The window "now on air" reads: from the instant to the end of the last slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The instant asked.
    pub at: DateTime<Utc>,
    /// The first :00 or :30 after it.
    pub first_boundary: DateTime<Utc>,
    /// The end of the last slot.
    pub until: DateTime<Utc>,
    /// Slots after "now".
    pub slots: i32,
}

impl Window {
    /// The window of `slots` slots after `at`. (Moscow's offset is whole hours,
    /// so slots aligned on Moscow time are aligned on the hour and half hour.)
    pub fn new(at: DateTime<Utc>, slots: i32) -> Window {
        let slot = Duration::minutes(SLOT_MINUTES);
        let day_start = start_of_moscow_day(moscow_date(at));
        let into_day = at - day_start;
        let first_boundary = day_start
            + slot * (i32::try_from(into_day.num_minutes() / SLOT_MINUTES).unwrap_or(0) + 1);
        Window {
            at,
            first_boundary,
            until: first_boundary + slot * slots,
            slots,
        }
    }
}

/// One slot: its time range and its programmes with their channel's position
/// in the list, in channel order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Start (for slot 0: the instant asked).
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Whether this is "now".
    pub now: bool,
    /// (position of the channel in the list, programme).
    pub items: Vec<(usize, Programme)>,
}

/// Sorts the window's `programmes` into slots: slot 0 holds what airs at the
/// instant; slot 1 also holds what starts after the instant and before the
/// first boundary; each later slot what starts in it. `channel_ids` is the
/// channel list in order; programmes of other channels are left out.
pub fn slots(window: &Window, channel_ids: &[i64], programmes: Vec<Programme>) -> Vec<Slot> {
    let slot = Duration::minutes(SLOT_MINUTES);
    let position: HashMap<i64, usize> = channel_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let (at, first_boundary) = (window.at, window.first_boundary);
    let mut result: Vec<Slot> = (0..=window.slots)
        .map(|i| {
            let (starts, ends) = match i {
                0 => (at, first_boundary),
                1 => (at, first_boundary + slot),
                _ => (first_boundary + slot * (i - 1), first_boundary + slot * i),
            };
            Slot {
                starts_at: starts,
                ends_at: ends,
                now: i == 0,
                items: Vec::new(),
            }
        })
        .collect();
    let mut placed: Vec<(usize, usize, Programme)> = Vec::new();
    for p in programmes {
        let Some(position) = position.get(&p.channel_id) else {
            continue;
        };
        let index = if p.starts_at <= at {
            0
        } else {
            // Programmes starting before the first boundary open slot 1.
            let offset = (p.starts_at - first_boundary)
                .num_minutes()
                .div_euclid(SLOT_MINUTES);
            usize::try_from(offset + 1).unwrap_or(0).max(1)
        };
        if index < result.len() {
            placed.push((index, *position, p));
        }
    }
    placed.sort_by_key(|(slot, position, p)| (*slot, *position, p.starts_at));
    for (index, position, p) in placed {
        result[index].items.push((position, p));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn programme(id: i64, channel_id: i64, starts: DateTime<Utc>, minutes: i64) -> Programme {
        Programme {
            id,
            channel_id,
            starts_at: starts,
            ends_at: starts + Duration::minutes(minutes),
            title: format!("П{id}"),
            title_key: format!("п{id}"),
            description: String::new(),
            category: super::super::Category::Other,
            genres: Vec::new(),
            people: Vec::new(),
            age_rating: None,
            premiere: false,
        }
    }

    #[test]
    fn programmes_fall_into_now_and_the_half_hours_after() {
        // 12:10 Moscow = 09:10 UTC.
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 9, 10, 0).unwrap();
        let window = Window::new(at, 2);
        assert_eq!(
            window.first_boundary,
            Utc.with_ymd_and_hms(2026, 11, 25, 9, 30, 0).unwrap()
        );
        assert_eq!(
            window.until,
            Utc.with_ymd_and_hms(2026, 11, 25, 10, 30, 0).unwrap()
        );
        let now = programme(1, 20, at - Duration::minutes(40), 60);
        let soon = programme(2, 10, at + Duration::minutes(5), 30);
        let later = programme(3, 10, at + Duration::minutes(50), 30);
        let other = programme(4, 99, at, 30);
        let slots = slots(
            &window,
            &[10, 20],
            vec![later.clone(), now.clone(), soon.clone(), other],
        );
        assert_eq!(slots.len(), 3);
        assert_eq!(slots[0].items, vec![(1, now)]);
        assert!(slots[0].now);
        assert_eq!(slots[1].items, vec![(0, soon)]);
        assert_eq!(slots[2].items, vec![(0, later)]);
    }
}
