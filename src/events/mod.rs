//! Live events of an account (balance changed, payment status changed), for
//! `Subscription.accountEvents` and `paymentStatus`. On PostgreSQL they go
//! through `NOTIFY` on one channel, so every replica's subscribers hear every
//! replica's events; on SQLite (one process) they stay in process.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::db::statement;
use crate::money::Kopecks;
use crate::payments::PaymentStatus;

/// The PostgreSQL channel events travel on.
const CHANNEL: &str = "kabinet_account_events";
/// Events a slow subscriber may fall behind by before it skips some.
const CAPACITY: usize = 1024;

/// Something that happened to an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AccountEvent {
    /// Money moved.
    #[serde(rename_all = "camelCase")]
    BalanceChanged {
        /// The account.
        account_id: i64,
        /// Its balance now.
        balance: Kopecks,
        /// When.
        at: DateTime<Utc>,
    },
    /// A payment reached another status.
    #[serde(rename_all = "camelCase")]
    PaymentStatusChanged {
        /// The account.
        account_id: i64,
        /// The payment.
        payment_id: i64,
        /// Its status now.
        status: PaymentStatus,
        /// When.
        at: DateTime<Utc>,
    },
    /// A support ticket (or its technician visit) changed: a reply, a status,
    /// a scheduled visit.
    #[serde(rename_all = "camelCase")]
    TicketUpdated {
        /// The account.
        account_id: i64,
        /// The ticket.
        ticket_id: i64,
        /// Its status now.
        status: crate::support::tickets::TicketStatus,
        /// When.
        at: DateTime<Utc>,
    },
    /// A scheduled change of services or tariff took effect.
    #[serde(rename_all = "camelCase")]
    ScheduledChangeApplied {
        /// The account.
        account_id: i64,
        /// The change.
        change_id: i64,
        /// When.
        at: DateTime<Utc>,
    },
}

impl AccountEvent {
    /// Whose event it is.
    pub fn account_id(&self) -> i64 {
        match self {
            AccountEvent::BalanceChanged { account_id, .. }
            | AccountEvent::PaymentStatusChanged { account_id, .. }
            | AccountEvent::TicketUpdated { account_id, .. }
            | AccountEvent::ScheduledChangeApplied { account_id, .. } => *account_id,
        }
    }
}

/// The event bus of this process.
#[derive(Clone)]
pub struct Events {
    local: broadcast::Sender<AccountEvent>,
    db: DatabaseConnection,
}

impl Events {
    /// A bus over `db` (PostgreSQL: shared by every replica on it).
    pub fn new(db: DatabaseConnection) -> Self {
        let (local, _) = broadcast::channel(CAPACITY);
        Events { local, db }
    }

    fn shared(&self) -> bool {
        self.db.get_database_backend() == DatabaseBackend::Postgres
    }

    /// Tells every subscriber (on every replica). Call after the change has
    /// committed; a failure is logged, never the caller's problem.
    pub async fn publish(&self, event: AccountEvent) {
        self.publish_all(vec![event]).await;
    }

    /// [`publish`](Self::publish) for several events, in order, in one
    /// statement on PostgreSQL.
    pub async fn publish_all(&self, events: Vec<AccountEvent>) {
        if events.is_empty() {
            return;
        }
        if !self.shared() {
            for event in events {
                let _ = self.local.send(event);
            }
            return;
        }
        let mut payloads = Vec::with_capacity(events.len());
        for event in &events {
            match serde_json::to_string(event) {
                Ok(payload) => payloads.push(payload),
                Err(err) => tracing::error!(error = %err, "an event that does not serialise"),
            }
        }
        // One round trip: `SELECT pg_notify($1, $2), pg_notify($1, $3), …`.
        let calls: Vec<String> = (0..payloads.len())
            .map(|i| format!("pg_notify($1, ${})", i + 2))
            .collect();
        let mut values: Vec<sea_orm::Value> = vec![CHANNEL.into()];
        values.extend(payloads.into_iter().map(Into::into));
        let sent = self
            .db
            .execute_raw(statement(
                &self.db,
                &format!("SELECT {}", calls.join(", ")),
                values,
            ))
            .await;
        if let Err(err) = sent {
            tracing::warn!(error = %err, "account events were not published");
        }
    }

    /// Every event from now on (a subscriber filters its own).
    pub fn subscribe(&self) -> broadcast::Receiver<AccountEvent> {
        self.local.subscribe()
    }

    /// On PostgreSQL, listens to the shared channel until `stop` and hands
    /// every event to this process's subscribers; elsewhere does nothing.
    pub fn start_listening(&self, mut stop: watch::Receiver<bool>) -> Option<JoinHandle<()>> {
        if !self.shared() {
            return None;
        }
        let pool = self.db.get_postgres_connection_pool().clone();
        let local = self.local.clone();
        Some(tokio::spawn(async move {
            loop {
                let listening = async {
                    let mut listener =
                        sea_orm::sqlx::postgres::PgListener::connect_with(&pool).await?;
                    listener.listen(CHANNEL).await?;
                    loop {
                        let notification = listener.recv().await?;
                        match serde_json::from_str::<AccountEvent>(notification.payload()) {
                            Ok(event) => {
                                let _ = local.send(event);
                            }
                            Err(err) => tracing::warn!(error = %err, "an unreadable account event"),
                        }
                    }
                    #[allow(unreachable_code)]
                    Ok::<(), sea_orm::sqlx::Error>(())
                };
                tokio::select! {
                    result = listening => {
                        if let Err(err) = result {
                            tracing::warn!(error = %err, "account events: listening failed; will retry");
                        }
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    _ = stop.changed() => break,
                }
            }
        }))
    }
}
