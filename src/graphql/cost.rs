//! What list fields weigh in a query's complexity: each multiplies the cost of
//! what it selects by how many items it can return, so a document that would
//! produce megabytes is refused before it runs.
//!
//! The arithmetic saturates at [`CEILING`]: async-graphql adds the costs of
//! sibling fields without overflow checks, so no single field may come near
//! `usize::MAX`.

/// The most one field can weigh.
pub const CEILING: usize = 1 << 40;

/// Programmes a channel shows in one Moscow day, at most as the guide is
/// built (a dense news channel); `programmes(date:)` weighs this many items.
pub const PROGRAMMES_PER_DAY: usize = 48;
/// Programmes a channel starts per hour of a grid window, at most.
pub const PROGRAMMES_PER_HOUR: usize = 3;
/// Channels the guide carries, at most; a grid or list of "all channels".
pub const CHANNELS: usize = 300;
/// A subscriber's own short lists (services, equipment, sessions, favourites).
pub const OWN_ITEMS: usize = 20;
/// Catalog lists (tariffs, services, packages).
pub const CATALOG_ITEMS: usize = 30;
/// Days a daily report (traffic, speed) lists at most.
pub const REPORT_DAYS: usize = crate::traffic::report::MAX_REPORT_DAYS as usize;
/// Default page size of a connection.
pub const DEFAULT_PAGE: usize = 20;
/// Largest page size of a connection.
pub const MAX_PAGE: usize = 100;

/// `count` items of `child` each (every item costs at least 1).
pub fn times(count: usize, child: usize) -> usize {
    count.saturating_mul(child.max(1)).min(CEILING)
}

/// A connection page: `first` or `last` items (as the page will be capped).
pub fn page(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    let size = first
        .or(last)
        .map(|n| usize::try_from(n).unwrap_or(0).min(MAX_PAGE))
        .unwrap_or(DEFAULT_PAGE);
    times(size, child)
}

/// A list of given IDs, or of every channel when none are given.
pub fn channels(ids: Option<usize>, child: usize) -> usize {
    times(ids.unwrap_or(CHANNELS).min(CHANNELS), child)
}

/// The programmes of one channel in a window of `hours` (rounded up).
pub fn window(hours: i64, child: usize) -> usize {
    let hours = usize::try_from(hours.max(1)).unwrap_or(1);
    times(hours.saturating_mul(PROGRAMMES_PER_HOUR), child)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_saturate() {
        assert_eq!(times(usize::MAX, usize::MAX), CEILING);
        assert_eq!(page(Some(i32::MAX), None, 3), 300);
        assert_eq!(page(Some(-5), None, 3), 0);
        assert_eq!(page(None, None, 2), 40);
        assert_eq!(channels(Some(10_000), 1), CHANNELS);
    }
}
