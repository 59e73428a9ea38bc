//! When a DataLoader wave may start. async-graphql starts a wave's timer at
//! its first key; resolving a long list (a 220-channel grid, a thousand
//! programmes) takes longer than that delay, so the timer fired mid-list and
//! the list's keys spread over dozens of waves, each its own statement. Here a
//! wave started by a request waits, before its delay, until the request has
//! nothing left to run: every resolver that could go on has asked for its keys.
//! A poll is not enough: long lists yield to the runtime every few dozen
//! items and wake themselves to go on, so the request counts as busy until a
//! poll ends without such a wake.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use futures_util::future::BoxFuture;
use futures_util::task::ArcWake;
use tokio::sync::Notify;

tokio::task_local! {
    static GATE: Arc<Gate>;
}

/// Whether a request has work it can run, and a signal when it has none.
#[derive(Default)]
struct Gate {
    polling: AtomicBool,
    woken: AtomicBool,
    /// The runtime's waker of the request's task.
    task: Mutex<Option<Waker>>,
    idle: Notify,
}

impl Gate {
    fn busy(&self) -> bool {
        self.polling.load(Ordering::Acquire) || self.woken.load(Ordering::Acquire)
    }

    /// Returns once the request has nothing to run.
    async fn idle(&self) {
        loop {
            let idle = self.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            if !self.busy() {
                return;
            }
            idle.await;
        }
    }

    fn settle(&self) {
        self.polling.store(false, Ordering::Release);
        if !self.woken.load(Ordering::Acquire) {
            self.idle.notify_waiters();
        }
    }
}

impl ArcWake for Gate {
    fn wake_by_ref(gate: &Arc<Self>) {
        gate.woken.store(true, Ordering::Release);
        let task = gate.task.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(task) = task {
            task.wake();
        }
    }
}

/// Ends a poll, even one that panicked.
struct PollGuard<'a>(&'a Gate);

impl Drop for PollGuard<'_> {
    fn drop(&mut self) {
        self.0.settle();
    }
}

/// A request's future that keeps its gate up to date.
struct Gated<F> {
    inner: Pin<Box<F>>,
    gate: Arc<Gate>,
    waker: Waker,
}

impl<F: Future> Future for Gated<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let gate = self.gate.clone();
        {
            let mut task = gate.task.lock().unwrap_or_else(|e| e.into_inner());
            if !task.as_ref().is_some_and(|t| t.will_wake(cx.waker())) {
                *task = Some(cx.waker().clone());
            }
        }
        gate.polling.store(true, Ordering::Release);
        gate.woken.store(false, Ordering::Release);
        let _guard = PollGuard(&gate);
        let waker = self.waker.clone();
        self.inner.as_mut().poll(&mut Context::from_waker(&waker))
    }
}

impl<F> Drop for Gated<F> {
    fn drop(&mut self) {
        // A finished or abandoned request runs nothing more.
        self.gate.woken.store(false, Ordering::Release);
        self.gate.settle();
    }
}

/// Runs `request` so that the loader waves it starts wait until it has
/// nothing left to run.
pub fn in_whole_polls<F: Future>(request: F) -> impl Future<Output = F::Output> {
    let gate = Arc::new(Gate::default());
    let waker = futures_util::task::waker(gate.clone());
    GATE.scope(
        gate.clone(),
        Gated {
            inner: Box::pin(request),
            gate,
            waker,
        },
    )
}

/// The loaders' spawner: a wave started inside [`in_whole_polls`] begins
/// once its request has nothing left to run; any other starts at once.
pub fn spawn_wave(wave: BoxFuture<'static, ()>) -> tokio::task::JoinHandle<()> {
    match GATE.try_with(Arc::clone) {
        Ok(gate) => tokio::spawn(async move {
            gate.idle().await;
            wave.await;
        }),
        Err(_) => tokio::spawn(wave),
    }
}
