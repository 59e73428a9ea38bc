//! The notices in force, kept by one reader per process for every
//! `serviceNotices` subscriber: the reader re-reads them each worker poll
//! while anyone listens (and at once when a new subscriber asks), and tells
//! subscribers only when the set changed. A thousand open subscriptions cost
//! one statement a poll, not a thousand.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use tokio::sync::{Notify, watch};

use super::Notice;

/// One reading of the notices in force.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Readings so far; a subscriber waits for one newer than when it came.
    pub seq: u64,
    /// The notices in force at that reading.
    pub notices: Arc<Vec<Notice>>,
}

/// The shared reading and the means to ask for a fresh one.
#[derive(Clone)]
pub struct LiveNotices {
    tx: watch::Sender<Snapshot>,
    /// Wakes the reader before its poll.
    pub wake: Arc<Notify>,
    asked: Arc<AtomicBool>,
    reads: Arc<AtomicU64>,
}

impl Default for LiveNotices {
    fn default() -> Self {
        LiveNotices {
            tx: watch::Sender::new(Snapshot::default()),
            wake: Arc::new(Notify::new()),
            asked: Arc::new(AtomicBool::new(false)),
            reads: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl LiveNotices {
    /// A new subscriber: its receiver, and the reading it must wait past (a
    /// fresh one is asked for at once, so the clock of now decides).
    pub fn subscribe(&self) -> (watch::Receiver<Snapshot>, u64) {
        let rx = self.tx.subscribe();
        let seen = rx.borrow().seq;
        self.asked.store(true, Ordering::SeqCst);
        self.wake.notify_one();
        (rx, seen)
    }

    /// How many times the notices were read since start-up.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// One round of the reader: reads when anyone listens, tells them when
    /// the set changed or a new subscriber asked.
    pub async fn refresh(
        &self,
        db: &impl ConnectionTrait,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        if self.tx.receiver_count() == 0 {
            return Ok(());
        }
        let asked = self.asked.swap(false, Ordering::SeqCst);
        self.reads.fetch_add(1, Ordering::Relaxed);
        let notices = super::active(db, now).await?;
        self.tx.send_if_modified(|snapshot| {
            if asked || *snapshot.notices != notices {
                snapshot.seq += 1;
                snapshot.notices = Arc::new(notices);
                true
            } else {
                false
            }
        });
        Ok(())
    }
}
