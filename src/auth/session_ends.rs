//! Sessions that ended lately, as this replica last saw them in the database.
//! Long-lived connections (WebSockets) watch it to close within a poll of a
//! logout on any replica; the `session_ends` worker keeps it current.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::watch;

use super::sessions;

/// How far back each look reaches: wide enough for clocks of replicas that
/// differ by a few seconds, and for a look that failed once.
const LOOK_BACK: Duration = Duration::seconds(30);

/// The set of recently ended sessions, shared by every connection of a replica.
#[derive(Debug, Clone)]
pub struct SessionEnds {
    sender: Arc<watch::Sender<Arc<HashSet<i64>>>>,
}

impl Default for SessionEnds {
    fn default() -> Self {
        SessionEnds {
            sender: Arc::new(watch::Sender::new(Arc::default())),
        }
    }
}

impl SessionEnds {
    /// Follows the set; the receiver sees each new one.
    pub fn subscribe(&self) -> watch::Receiver<Arc<HashSet<i64>>> {
        self.sender.subscribe()
    }

    /// Reads the sessions ended lately and publishes them when the set changed;
    /// does nothing while no signed-in socket watches.
    pub async fn refresh(&self, db: &DatabaseConnection, now: DateTime<Utc>) -> Result<(), DbErr> {
        if self.sender.receiver_count() == 0 {
            return Ok(());
        }
        let ended: HashSet<i64> = sessions::ended_since(db, now - LOOK_BACK)
            .await?
            .into_iter()
            .collect();
        self.sender.send_if_modified(|current| {
            if **current == ended {
                false
            } else {
                *current = Arc::new(ended);
                true
            }
        });
        Ok(())
    }
}
