//! Service notices: announcements for every visitor (planned works, outages).
//! A notice is active from `starts_at` until `ends_at` (open-ended when absent).

pub mod live;
mod store;

pub use entity::service_notice::NoticeKind;
pub use live::LiveNotices;
pub use store::{active, create, find_many, page};

use chrono::{DateTime, Utc};

/// An announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Internal id; also the list key (newest first).
    pub id: i64,
    /// What kind of announcement.
    pub kind: NoticeKind,
    /// Headline, in Russian.
    pub title: String,
    /// Text, in Russian.
    pub body: String,
    /// When it starts to apply.
    pub starts_at: DateTime<Utc>,
    /// When it stops applying; `None`: until further notice.
    pub ends_at: Option<DateTime<Utc>>,
}

impl Notice {
    /// Whether the notice applies at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.starts_at <= now && self.ends_at.is_none_or(|end| now < end)
    }
}

/// What it takes to publish a notice.
#[derive(Debug, Clone)]
pub struct NewNotice {
    /// Kind.
    pub kind: NoticeKind,
    /// Headline.
    pub title: String,
    /// Text.
    pub body: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End, if known.
    pub ends_at: Option<DateTime<Utc>>,
}
