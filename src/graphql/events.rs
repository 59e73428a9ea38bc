//! Live events over WebSocket: `accountEvents` (everything that happens to the
//! signed-in account) and `paymentStatus` (one payment to its final status).

use std::time::Duration;

use async_graphql::{Context, ID, Object, Subscription, Union};
use futures_util::Stream;
use tokio::sync::broadcast;

use super::context::ContextExt;
use super::errors::ApiError;
use super::node::{GlobalId, NodeKind};
use super::payments::{Payment, PaymentStatus};
use super::scalars::{DateTime, Money};
use crate::events::{self, Events};
use crate::payments::{self, PaymentStatus as Status};

/// How often `paymentStatus` looks at the payment itself, in case an event
/// was missed (a lagging subscriber, a replica's listener reconnecting).
const RECHECK_EVERY: Duration = Duration::from_secs(5);

/// The balance moved (a payment, a charge, a correction).
#[derive(Debug, Clone)]
pub struct BalanceChanged {
    balance: crate::money::Kopecks,
    at: chrono::DateTime<chrono::Utc>,
}

/// The balance moved (a payment, a charge, a correction).
#[Object]
impl BalanceChanged {
    /// The balance now.
    async fn balance(&self) -> Money {
        self.balance.into()
    }

    /// When it changed.
    async fn at(&self) -> DateTime {
        DateTime(self.at)
    }
}

/// A payment reached another status.
#[derive(Debug, Clone)]
pub struct PaymentStatusChanged {
    payment_id: i64,
    account_id: i64,
    status: Status,
    at: chrono::DateTime<chrono::Utc>,
}

/// A payment reached another status.
#[Object]
impl PaymentStatusChanged {
    /// The payment's status now.
    async fn status(&self) -> PaymentStatus {
        self.status.into()
    }

    /// When it changed.
    async fn at(&self) -> DateTime {
        DateTime(self.at)
    }

    /// The payment as it stands now.
    async fn payment(&self, ctx: &Context<'_>) -> Result<Option<Payment>, ApiError> {
        Ok(ctx
            .loaders()
            .payments
            .load_one(self.payment_id)
            .await?
            .filter(|p| p.account_id == self.account_id)
            .map(Payment::from))
    }
}

/// A support ticket changed: an operator replied, its status moved, or its
/// technician visit was scheduled.
#[derive(Debug, Clone)]
pub struct TicketUpdated {
    ticket_id: i64,
    account_id: i64,
    status: crate::support::tickets::TicketStatus,
    at: chrono::DateTime<chrono::Utc>,
}

/// A support ticket changed.
#[Object]
impl TicketUpdated {
    /// The ticket's status now.
    async fn status(&self) -> super::tickets::TicketStatus {
        self.status.into()
    }

    /// When it changed.
    async fn at(&self) -> DateTime {
        DateTime(self.at)
    }

    /// The ticket as it stands now.
    async fn ticket(&self, ctx: &Context<'_>) -> Result<Option<super::tickets::Ticket>, ApiError> {
        Ok(ctx
            .loaders()
            .tickets
            .load_one(self.ticket_id)
            .await?
            .filter(|t| t.account_id == self.account_id)
            .map(Into::into))
    }
}

/// A scheduled change of services or tariff took effect at 00:00 Moscow time.
#[derive(Debug, Clone)]
pub struct ScheduledChangeApplied {
    account_id: i64,
    change_id: i64,
    at: chrono::DateTime<chrono::Utc>,
}

/// A scheduled change of services or tariff took effect.
#[Object]
impl ScheduledChangeApplied {
    /// When it was applied.
    async fn at(&self) -> DateTime {
        DateTime(self.at)
    }

    /// The change, now `APPLIED`.
    async fn scheduled_change(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::services::ScheduledChange>, ApiError> {
        Ok(crate::services::scheduled::find(ctx.db(), self.change_id)
            .await?
            .filter(|c| c.account_id == self.account_id)
            .map(super::services::ScheduledChange))
    }
}

/// Something that happened to the signed-in account. More kinds will join
/// (clients should skip a type they do not know).
#[derive(Union)]
pub enum AccountEvent {
    /// The balance moved.
    BalanceChanged(BalanceChanged),
    /// A payment reached another status.
    PaymentStatusChanged(PaymentStatusChanged),
    /// A support ticket changed.
    TicketUpdated(TicketUpdated),
    /// A scheduled change of services or tariff took effect.
    ScheduledChangeApplied(ScheduledChangeApplied),
}

impl From<events::AccountEvent> for AccountEvent {
    fn from(event: events::AccountEvent) -> Self {
        match event {
            events::AccountEvent::BalanceChanged { balance, at, .. } => {
                AccountEvent::BalanceChanged(BalanceChanged { balance, at })
            }
            events::AccountEvent::PaymentStatusChanged {
                account_id,
                payment_id,
                status,
                at,
            } => AccountEvent::PaymentStatusChanged(PaymentStatusChanged {
                payment_id,
                account_id,
                status,
                at,
            }),
            events::AccountEvent::TicketUpdated {
                account_id,
                ticket_id,
                status,
                at,
            } => AccountEvent::TicketUpdated(TicketUpdated {
                ticket_id,
                account_id,
                status,
                at,
            }),
            events::AccountEvent::ScheduledChangeApplied {
                account_id,
                change_id,
                at,
            } => AccountEvent::ScheduledChangeApplied(ScheduledChangeApplied {
                account_id,
                change_id,
                at,
            }),
        }
    }
}

/// The next event of `account_id` (skipping what a lagging receiver lost);
/// `None` when the bus is gone.
async fn next_of(
    receiver: &mut broadcast::Receiver<events::AccountEvent>,
    account_id: i64,
) -> Option<events::AccountEvent> {
    loop {
        match receiver.recv().await {
            Ok(event) if event.account_id() == account_id => return Some(event),
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return None,
        }
    }
}

fn is_final(status: Status) -> bool {
    matches!(
        status,
        Status::Succeeded | Status::Canceled | Status::Expired
    )
}

/// Live events.
#[derive(Default)]
pub struct EventsSubscription;

#[Subscription]
impl EventsSubscription {
    /// Everything that happens to the signed-in account from now on: balance
    /// changes and payment status changes. Needs a session (the token in
    /// the connection's init message).
    async fn account_events(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = AccountEvent> + use<>> {
        let account_id = ctx.subscriber()?;
        let receiver = ctx.data_unchecked::<Events>().subscribe();
        Ok(futures_util::stream::unfold(
            receiver,
            move |mut receiver| async move {
                let event = next_of(&mut receiver, account_id).await?;
                Some((AccountEvent::from(event), receiver))
            },
        ))
    }

    /// Follows one of the signed-in subscriber's payments: its state now, then
    /// each change, ending with its final status. Someone else's payment is
    /// refused (`FORBIDDEN`).
    async fn payment_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The payment's ID.")] payment_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Payment>> + use<>> {
        let account_id = ctx.subscriber()?;
        let id = GlobalId::parse("paymentId", &payment_id)?;
        if id.kind != NodeKind::Payment {
            return Err(ApiError::Forbidden.into());
        }
        let db = ctx.db().clone();
        // Subscribe before reading, so no change slips between the two.
        let receiver = ctx.data_unchecked::<Events>().subscribe();
        let first = payments::find_for_account(&db, account_id, id.key)
            .await
            .map_err(ApiError::from)?
            .ok_or(ApiError::Forbidden)?;
        // The payment as it stands, then each change until a final status; an
        // error ends the stream (state `None`).
        let now = futures_util::stream::once(std::future::ready(Ok(Payment::from(first.clone()))));
        let changes = futures_util::stream::unfold(
            (receiver, Some(first.status)),
            move |(mut receiver, sent)| {
                let db = db.clone();
                async move {
                    let sent = sent.filter(|s| !is_final(*s))?;
                    loop {
                        let woke =
                            tokio::time::timeout(RECHECK_EVERY, next_of(&mut receiver, account_id))
                                .await;
                        if matches!(woke, Ok(None)) {
                            return None;
                        }
                        match payments::find_for_account(&db, account_id, id.key).await {
                            Ok(Some(payment)) if payment.status != sent => {
                                let status = payment.status;
                                return Some((
                                    Ok(Payment::from(payment)),
                                    (receiver, Some(status)),
                                ));
                            }
                            Ok(_) => continue,
                            Err(err) => {
                                return Some((Err(ApiError::from(err).into()), (receiver, None)));
                            }
                        }
                    }
                }
            },
        );
        Ok(futures_util::StreamExt::chain(now, changes))
    }
}
