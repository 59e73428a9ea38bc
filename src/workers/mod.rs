//! Background workers, started and stopped with the server. Each claims its
//! work through the database (leases, `FOR UPDATE SKIP LOCKED` on PostgreSQL),
//! so running every replica's workers still does each piece of work once.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::clock::SharedClock;
use crate::{billing, ratelimit, sms, tv};

/// Messages delivered per claim.
const SMS_BATCH: u64 = 20;

/// One round of a background job.
type Job = std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
/// How often old rate-limit windows are forgotten.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(600);

/// What the workers need.
#[derive(Clone)]
pub struct WorkerContext {
    /// The database.
    pub db: DatabaseConnection,
    /// The application clock.
    pub clock: SharedClock,
    /// The SMS gateway.
    pub sms_sender: Arc<dyn sms::SmsSender>,
    /// Wakes the SMS worker.
    pub sms_wake: sms::SmsWake,
    /// How often workers look for work when not woken.
    pub poll: Duration,
    /// Sessions ended lately, for open WebSockets to close.
    pub session_ends: crate::auth::SessionEnds,
    /// The payment flow (expiry of unconfirmed payments).
    pub payments: crate::payments::Payments,
    /// Days until blocking that bring a billing warning.
    pub billing_warning_days: Vec<u32>,
    /// The mail server.
    pub email_sender: Arc<dyn crate::email::EmailSender>,
    /// The notices in force, for `serviceNotices` subscribers.
    pub live_notices: crate::notices::LiveNotices,
}

/// The running workers.
pub struct Workers {
    stop: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
}

async fn repeat<F, Fut>(
    name: &'static str,
    period: Duration,
    wake: Option<Arc<Notify>>,
    mut stop: watch::Receiver<bool>,
    mut job: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    loop {
        if *stop.borrow() {
            break;
        }
        if let Err(error) = crate::db::as_background(job()).await {
            tracing::warn!(worker = name, %error, "worker round failed; will retry");
        }
        let woken = async {
            match &wake {
                Some(notify) => notify.notified().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(period) => {}
            _ = woken => {}
            _ = stop.changed() => break,
        }
    }
    tracing::debug!(worker = name, "worker stopped");
}

/// Bills every Moscow day from the one after the last billed through today
/// (catching up days missed while no replica ran), then ends promised payments
/// whose period is over.
async fn bill_due_days(ctx: &WorkerContext) -> Result<(), sea_orm::DbErr> {
    let now = ctx.clock.now();
    let today = crate::time::moscow_date(now);
    // Changes scheduled for today take effect first (their one-off charges);
    // their subscription rows are in place already, so billing is right either way.
    let applied = crate::services::scheduled::apply_due(&ctx.db, now).await?;
    if !applied.is_empty() {
        tracing::info!(changes = applied.len(), "scheduled changes applied");
        let mut events = Vec::with_capacity(applied.len() * 2);
        for a in &applied {
            events.push(crate::events::AccountEvent::ScheduledChangeApplied {
                account_id: a.change.account_id,
                change_id: a.change.id,
                at: now,
            });
            if let Some(balance) = a.balance {
                events.push(crate::events::AccountEvent::BalanceChanged {
                    account_id: a.change.account_id,
                    balance,
                    at: now,
                });
            }
        }
        for chunk in events.chunks(500) {
            ctx.payments.events.publish_all(chunk.to_vec()).await;
        }
    }
    let first = match billing::run::last_billed_day(&ctx.db).await? {
        Some(last) if last >= today => None,
        Some(last) => last.succ_opt(),
        None => Some(today),
    };
    let mut day = first;
    while let Some(d) = day.filter(|d| *d <= today) {
        // Suspensions start before their first day is billed and end before
        // the day after their last is.
        let moved = crate::services::suspension::apply_due(&ctx.db, now, d).await?;
        let balances = moved
            .started
            .iter()
            .filter_map(|(account_id, balance)| {
                balance.map(|balance| crate::events::AccountEvent::BalanceChanged {
                    account_id: *account_id,
                    balance,
                    at: now,
                })
            })
            .collect::<Vec<_>>();
        if !balances.is_empty() {
            ctx.payments.events.publish_all(balances).await;
        }
        let report = billing::run::run_day(&ctx.db, now, d).await?;
        tracing::info!(day = %d, charges = report.charges, blocked = report.blocked, "billing day done");
        // Open apps see the night's charges at once.
        for chunk in report.moved.chunks(500) {
            let events = chunk
                .iter()
                .map(
                    |(account_id, balance)| crate::events::AccountEvent::BalanceChanged {
                        account_id: *account_id,
                        balance: *balance,
                        at: now,
                    },
                )
                .collect();
            ctx.payments.events.publish_all(events).await;
        }
        let charged: Vec<i64> = report.moved.iter().map(|(id, _)| *id).collect();
        let warned = crate::notifications::warnings::evaluate(
            &ctx.db,
            now,
            &charged,
            &ctx.billing_warning_days,
        )
        .await?;
        if warned > 0 {
            ctx.sms_wake.0.notify_one();
        }
        day = d.succ_opt();
    }
    // Instalments due today (antivirus bought in instalments).
    let charged = crate::services::antivirus::charge_due(&ctx.db, now).await?;
    if !charged.is_empty() {
        let events = charged
            .into_iter()
            .map(
                |(account_id, balance)| crate::events::AccountEvent::BalanceChanged {
                    account_id,
                    balance,
                    at: now,
                },
            )
            .collect();
        ctx.payments.events.publish_all(events).await;
    }
    billing::promised::expire_due(&ctx.db, now).await?;
    Ok(())
}

impl Workers {
    /// Starts every worker.
    pub fn start(ctx: WorkerContext) -> Workers {
        let (stop, stopped) = watch::channel(false);
        // Each job gets its own copy of the context every round.
        let spawn = |name, period, wake, job: fn(WorkerContext) -> Job| {
            let ctx = ctx.clone();
            tokio::spawn(repeat(name, period, wake, stopped.clone(), move || {
                job(ctx.clone())
            }))
        };
        let mut handles = vec![
            spawn(
                "sms_outbox",
                ctx.poll,
                Some(ctx.sms_wake.0.clone()),
                |ctx| {
                    Box::pin(async move {
                        // Drain: keep going while full batches come back.
                        loop {
                            let sent = sms::deliver_due(
                                &ctx.db,
                                ctx.clock.now(),
                                ctx.sms_sender.as_ref(),
                                SMS_BATCH,
                            )
                            .await
                            .map_err(|e| e.to_string())?;
                            if (sent as u64) < SMS_BATCH {
                                return Ok(());
                            }
                        }
                    })
                },
            ),
            spawn("email_outbox", ctx.poll, None, |ctx| {
                Box::pin(async move {
                    loop {
                        let sent = crate::email::deliver_due(
                            &ctx.db,
                            ctx.clock.now(),
                            ctx.email_sender.as_ref(),
                            SMS_BATCH,
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                        if (sent as u64) < SMS_BATCH {
                            return Ok(());
                        }
                    }
                })
            }),
            spawn("billing", ctx.poll, None, |ctx| {
                Box::pin(async move { bill_due_days(&ctx).await.map_err(|e| e.to_string()) })
            }),
            spawn("tv_reminders", ctx.poll, None, |ctx| {
                Box::pin(async move {
                    let queued = tv::reminders::announce_due(&ctx.db, ctx.clock.now())
                        .await
                        .map_err(|e| e.to_string())?;
                    if queued > 0 {
                        ctx.sms_wake.0.notify_one();
                    }
                    Ok(())
                })
            }),
            spawn("session_ends", ctx.poll, None, |ctx| {
                Box::pin(async move {
                    ctx.session_ends
                        .refresh(&ctx.db, ctx.clock.now())
                        .await
                        .map_err(|e| e.to_string())
                })
            }),
            spawn("payments", ctx.poll, None, |ctx| {
                Box::pin(async move {
                    let now = ctx.clock.now();
                    ctx.payments
                        .expire_due(now)
                        .await
                        .map_err(|e| e.to_string())?;
                    ctx.payments
                        .retry_pending_refunds(now)
                        .await
                        .map_err(|e| e.to_string())
                })
            }),
            // Each enabled autopayment reads its account's summary: not every
            // poll, but often enough for "below the threshold" to feel prompt.
            spawn("autopayments", ctx.poll * 30, None, |ctx| {
                Box::pin(async move {
                    ctx.payments
                        .run_autopayments(ctx.clock.now())
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
            }),
            // A month's points once its last day is billed; expired points.
            spawn("bonus", ctx.poll, None, |ctx| {
                Box::pin(async move {
                    let now = ctx.clock.now();
                    crate::bonus::earn::award_due(&ctx.db, now, &ctx.payments.bonus)
                        .await
                        .map_err(|e| e.to_string())?;
                    crate::bonus::earn::expire_due(&ctx.db, now)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
            }),
            // Staff news, a batch of accounts at a time, until every one is told.
            spawn("news", ctx.poll, None, |ctx| {
                Box::pin(async move {
                    loop {
                        let told = crate::notifications::news::send_batch(&ctx.db, ctx.clock.now())
                            .await
                            .map_err(|e| e.to_string())?;
                        if told == 0 {
                            return Ok(());
                        }
                        ctx.sms_wake.0.notify_one();
                    }
                })
            }),
            spawn(
                "live notices",
                ctx.poll,
                Some(ctx.live_notices.wake.clone()),
                |ctx| {
                    Box::pin(async move {
                        ctx.live_notices
                            .refresh(&ctx.db, ctx.clock.now())
                            .await
                            .map_err(|e| e.to_string())
                    })
                },
            ),
            spawn("housekeeping", HOUSEKEEPING_EVERY, None, |ctx| {
                Box::pin(async move {
                    ratelimit::forget_old(&ctx.db, ctx.clock.now())
                        .await
                        .map_err(|e| e.to_string())?;
                    crate::budget::forget_idle(&ctx.db, ctx.clock.now())
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
            }),
        ];
        // Events from other replicas (PostgreSQL), for this one's subscribers.
        handles.extend(ctx.payments.events.start_listening(stopped.clone()));
        Workers { stop, handles }
    }

    /// Asks every worker to stop after its current round, and waits for them.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for handle in self.handles {
            let _ = handle.await;
        }
    }
}
