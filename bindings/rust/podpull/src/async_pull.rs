// SPDX-License-Identifier: MIT OR Apache-2.0
//! Async connects and pulls (feature `async`): [`Client::connect_async`] and
//! [`Client::pull_async`], for any executor (nothing here depends on a runtime).
//!
//! `podpull_connect` and `podpull_pull` block, and a pull runs its callbacks on the calling
//! thread, so each async call runs its blocking call on a thread of its own. That thread owns
//! everything the library is handed (strings, options, callbacks, the canceller, a duplicate of
//! each fd, and a reference to the client), and passes the outcome to the future only after it
//! has dropped all of it, so nothing the caller owns is ever borrowed by the library. Dropping
//! a `Pull` fires its canceller and then waits until `podpull_pull` has returned and the
//! thread has let go of that pull's arguments: podpull ends a cancelled pull within 100 ms, so
//! that is the longest a drop blocks, and a host that exits right after the drop leaves no
//! `podman pull` behind. The thread then drops its reference to the client (the last one stops
//! the service) and ends; [`Client::pulls_running`] counts the pull until then.
//!
//! Events cross from the pull's thread through a queue that never makes it wait: a byte report
//! of a blob replaces the one of the same blob the consumer has not taken yet (the newest
//! wins), and everything else (the route, status lines, a blob's start, end or skip) is kept.
//! So the queue holds at most one byte report per blob besides the state changes, however slow
//! the consumer, and what the consumer ends with is exact.
use crate::{
    BlobState, Canceller, Client, ConnectOptions, ConnectRequest, Error, ErrorCode, Event,
    PullRequest, PullResult, Result, Running,
};
use futures_core::future::FusedFuture;
use futures_core::stream::{FusedStream, Stream};
use std::any::Any;
use std::collections::VecDeque;
use std::future::Future;
use std::ops::ControlFlow;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::{fmt, thread};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The state stays consistent even if a holder panicked: every update is a single step.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn remember(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(w) if w.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic")
}

fn spawn(name: &str, body: impl FnOnce() + Send + 'static) -> Result<()> {
    thread::Builder::new()
        .name(name.into())
        .spawn(body)
        .map(drop)
        .map_err(|e| Error::new(ErrorCode::Internal, format!("cannot start a thread: {e}")))
}

// ---- the event queue ------------------------------------------------------------------------

/// The blob whose byte report this is, if it is one.
fn byte_report(event: &Event) -> Option<&str> {
    match event {
        Event::Blob(b) if b.state == BlobState::Pulling => Some(&b.id),
        _ => None,
    }
}

#[derive(Default)]
struct Queue {
    events: VecDeque<Event>,
    /// The pull's outcome, until the future returns it.
    outcome: Option<Result<PullResult>>,
    /// podpull_pull has returned and the thread dropped what it was handed for this pull.
    released: bool,
    /// The pull's thread has handed over its outcome and holds nothing of the library's.
    ended: bool,
    /// The consumer awaits the result only: events are dropped as they come.
    events_unwanted: bool,
    /// The `Pull` was dropped.
    receiver_gone: bool,
    waker: Option<Waker>,
}

/// The queue, and what a dropped `Pull` waits on until the pull's arguments are released.
#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    released: Condvar,
}

impl Queue {
    /// Appends `event`; a byte report replaces the one of its blob not taken yet. The others
    /// keep their order, so `pull_current` still never goes back.
    fn push(&mut self, event: Event) {
        if let Some(id) = byte_report(&event) {
            if let Some(i) = self.events.iter().position(|e| byte_report(e) == Some(id)) {
                self.events.remove(i);
            }
        }
        self.events.push_back(event);
    }
}

/// The pull's thread's side of the queue.
struct Sender(Arc<Shared>);

impl Sender {
    /// Queues `event` without waiting; false once the `Pull` is gone.
    fn send(&self, event: Event) -> bool {
        let waker = {
            let mut q = lock(&self.0.queue);
            if q.receiver_gone {
                return false;
            }
            if !q.events_unwanted {
                q.push(event);
            }
            q.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        true
    }

    /// podpull_pull has returned and its arguments are gone: a dropping `Pull` may return.
    fn released(&self) {
        lock(&self.0.queue).released = true;
        self.0.released.notify_all();
    }

    fn finish(self, outcome: Result<PullResult>) {
        let waker = {
            let mut q = lock(&self.0.queue);
            q.ended = true;
            if !q.receiver_gone {
                q.outcome = Some(outcome);
            }
            q.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

// ---- Pull -----------------------------------------------------------------------------------

/// A pull in progress, from [`Client::pull_async`]: a future of its result, and the source of
/// its events ([`Pull::next_event`], or [`Pull::events`] as a `Stream`).
///
/// `Send`, `Unpin` and `'static`: it holds its own reference to the client. Take the events
/// first, then await the `Pull` for the result (waiting for the result alone discards the
/// events):
///
/// ```no_run
/// # async fn f(client: &podpull::Client) -> podpull::Result<()> {
/// let mut pull = client.pull_async("quay.io/fedora/fedora:42", &Default::default())?;
/// while let Some(event) = pull.next_event().await {
///     println!("{event:?}");
/// }
/// let result = pull.await?;
/// # Ok(()) }
/// ```
///
/// The events come with back-pressure that never reaches podman: while the consumer is busy,
/// a blob's newer byte report replaces its older one not taken yet; the route, status lines
/// and blob state changes are all delivered, in order.
///
/// **Cancelling.** [`Pull::cancel`] (or its [`Canceller`]) ends the pull, which then
/// delivers its remaining events and `Err` with [`ErrorCode::Cancelled`]. Dropping the `Pull`
/// before its result was returned fires the canceller too, and returns once podpull is done
/// with the pull (`podpull_pull` has returned and its arguments are freed): within podpull's
/// 100 ms, for which the dropping thread blocks. No other pull is touched. The client may be
/// dropped right after, and the runtime too; the service stops once the pull's thread has let
/// go of the client ([`Client::pulls_running`] shows when). To get the pull's last events and
/// its `Cancelled` result, cancel and await it instead.
#[must_use = "a Pull does nothing useful unless polled; dropping it cancels the pull"]
pub struct Pull {
    shared: Arc<Shared>,
    canceller: Canceller,
    /// The result was returned.
    done: bool,
}

impl Pull {
    /// The next event, or `None` once the pull has ended (then await the `Pull` for its
    /// result). Cancel-safe: an event is taken only when this future completes.
    pub async fn next_event(&mut self) -> Option<Event> {
        std::future::poll_fn(|cx| self.poll_next_event(cx)).await
    }

    /// The poll function behind [`Pull::next_event`] and [`PullEvents`].
    pub fn poll_next_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        let mut q = lock(&self.shared.queue);
        if let Some(event) = q.events.pop_front() {
            return Poll::Ready(Some(event));
        }
        if q.ended {
            return Poll::Ready(None);
        }
        remember(&mut q.waker, cx.waker());
        Poll::Pending
    }

    /// The events as a [`Stream`], which ends when the pull has ended.
    pub fn events(&mut self) -> PullEvents<'_> {
        PullEvents { pull: self }
    }

    /// Ends this pull (and every other call its canceller was handed to); the `Pull` then
    /// yields `Err` with [`ErrorCode::Cancelled`], within 100 ms.
    pub fn cancel(&self) {
        self.canceller.cancel()
    }

    /// The pull's canceller, to end it from elsewhere (another task or thread, a signal
    /// handler).
    pub fn canceller(&self) -> &Canceller {
        &self.canceller
    }
}

impl Future for Pull {
    type Output = Result<PullResult>;

    /// Ready once the pull has ended and its thread let go of everything. Events not taken
    /// yet, and any that come later, are dropped.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(
            !this.done,
            "a podpull::Pull was polled after it returned its result"
        );
        let mut q = lock(&this.shared.queue);
        q.events_unwanted = true;
        q.events.clear();
        if q.ended {
            let outcome = q.outcome.take().unwrap_or_else(|| {
                Err(Error::new(
                    ErrorCode::Internal,
                    "the pull's outcome is missing",
                ))
            });
            drop(q);
            this.done = true;
            return Poll::Ready(outcome);
        }
        remember(&mut q.waker, cx.waker());
        Poll::Pending
    }
}

impl FusedFuture for Pull {
    fn is_terminated(&self) -> bool {
        self.done
    }
}

impl Drop for Pull {
    fn drop(&mut self) {
        let mut q = lock(&self.shared.queue);
        q.receiver_gone = true;
        q.events.clear();
        q.waker = None;
        if q.released {
            return;
        }
        self.canceller.cancel();
        // Bounded: podpull returns within 100 ms of the cancel, and the thread never waits on
        // this side (sending to a gone receiver only takes the lock).
        while !q.released {
            q = self
                .shared
                .released
                .wait(q)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl fmt::Debug for Pull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let q = lock(&self.shared.queue);
        f.debug_struct("Pull")
            .field("queued_events", &q.events.len())
            .field("ended", &q.ended)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// [`Pull::events`]: the pull's events as a [`Stream`].
#[must_use = "streams do nothing unless polled"]
pub struct PullEvents<'a> {
    pull: &'a mut Pull,
}

impl Stream for PullEvents<'_> {
    type Item = Event;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.get_mut().pull.poll_next_event(cx)
    }
}

impl FusedStream for PullEvents<'_> {
    fn is_terminated(&self) -> bool {
        let q = lock(&self.pull.shared.queue);
        q.ended && q.events.is_empty()
    }
}

impl fmt::Debug for PullEvents<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PullEvents")
            .field("pull", &self.pull)
            .finish()
    }
}

// ---- Connect --------------------------------------------------------------------------------

#[derive(Default)]
struct Slot {
    client: Option<Result<Client>>,
    ended: bool,
    receiver_gone: bool,
    waker: Option<Waker>,
}

/// A connect in progress, from [`Client::connect_async`]: a future of the [`Client`].
///
/// Dropping it before it is ready fires its canceller and waits (podpull's 100 ms at most)
/// until `podpull_connect` has returned, having stopped and reaped the service it was
/// starting; a client that was ready too late is dropped on the connect's own thread (which
/// stops its service).
#[must_use = "a Connect does nothing useful unless polled; dropping it cancels the connect"]
pub struct Connect {
    slot: Arc<(Mutex<Slot>, Condvar)>,
    canceller: Canceller,
    done: bool,
}

impl Connect {
    /// Ends the connect; the future then yields `Err` with [`ErrorCode::Cancelled`].
    pub fn cancel(&self) {
        self.canceller.cancel()
    }

    /// The connect's canceller.
    pub fn canceller(&self) -> &Canceller {
        &self.canceller
    }
}

impl Future for Connect {
    type Output = Result<Client>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(
            !this.done,
            "a podpull::Connect was polled after it returned"
        );
        let mut slot = lock(&this.slot.0);
        if slot.ended {
            let client = slot.client.take().unwrap_or_else(|| {
                Err(Error::new(
                    ErrorCode::Internal,
                    "the connect's outcome is missing",
                ))
            });
            drop(slot);
            this.done = true;
            return Poll::Ready(client);
        }
        remember(&mut slot.waker, cx.waker());
        Poll::Pending
    }
}

impl FusedFuture for Connect {
    fn is_terminated(&self) -> bool {
        self.done
    }
}

impl Drop for Connect {
    fn drop(&mut self) {
        let mut slot = lock(&self.slot.0);
        slot.receiver_gone = true;
        slot.waker = None;
        if slot.ended {
            // A client that is ready but was not taken drops with the slot: here, or on the
            // connect's thread if that still holds the slot.
            return;
        }
        self.canceller.cancel();
        while !slot.ended {
            slot = self
                .slot
                .1
                .wait(slot)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl fmt::Debug for Connect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connect")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

// ---- the entry points -----------------------------------------------------------------------

impl Client {
    /// [`Client::connect`] as a future, which runs on a thread of its own. The options are
    /// copied, and `run_root_fd`, `auth_fd` and `storage_root_fd` duplicated, before this
    /// returns, so the caller may close its descriptors at once; the connect's thread owns the
    /// duplicates, which the [`Client`] keeps (or, if the connect fails, closes). Without
    /// `opts.canceller` the connect gets a canceller of its own, which [`Connect::cancel`] and
    /// dropping the future fire.
    ///
    /// Errors here: `InvalidArgument` for a string with a NUL byte or a descriptor that cannot
    /// be duplicated, `Internal` when no thread or canceller can be made, `LibraryUnavailable`
    /// without the library; everything else comes from the future.
    pub fn connect_async(opts: &ConnectOptions<'_>) -> Result<Connect> {
        let api = crate::api()?;
        let canceller = match &opts.canceller {
            Some(c) => c.clone(),
            None => Canceller::new()?,
        };
        let mut request = ConnectRequest::new(opts)?;
        request.canceller = Some(canceller.clone());
        let slot = Arc::new((Mutex::new(Slot::default()), Condvar::new()));
        let theirs = slot.clone();
        spawn("podpull-connect", move || {
            let client = panic::catch_unwind(AssertUnwindSafe(move || request.run(api)))
                .unwrap_or_else(|p| Err(thread_panicked(&*p)));
            let (waker, unwanted) = {
                let mut slot = lock(&theirs.0);
                slot.ended = true;
                if slot.receiver_gone {
                    (None, Some(client))
                } else {
                    slot.client = Some(client);
                    (slot.waker.take(), None)
                }
            };
            theirs.1.notify_all();
            // A client nobody waits for: stop its service here, not under the lock.
            drop(unwanted);
            if let Some(w) = waker {
                w.wake();
            }
        })?;
        Ok(Connect {
            slot,
            canceller,
            done: false,
        })
    }

    /// [`Client::pull`] as a future and a stream of events; see [`Pull`]. The pull runs on a
    /// thread of its own and keeps the client's service alive until it has ended.
    ///
    /// Several images of one update are several `pull_async` on one client, awaited together
    /// (bounded as the host likes): a pull whose image shares a layer with another in flight
    /// waits until that one has ended (an [`Event::Status`] says so), so the layer is fetched
    /// once and reported cached.
    ///
    /// The pull's canceller is `opts.canceller` or, without one, its own; [`Pull::cancel`]
    /// and dropping the `Pull` fire it. Errors here: `InvalidArgument` for an image or
    /// platform string with a NUL byte, `Internal` when no thread or canceller can be made;
    /// everything else comes from the `Pull`.
    pub fn pull_async(&self, image: &str, opts: &crate::PullOptions) -> Result<Pull> {
        let request = PullRequest::new(image, opts)?;
        let canceller = request.canceller.clone();
        let shared = Arc::new(Shared::default());
        let sender = Sender(shared.clone());
        // Counted from now, so that pulls_running never misses a pull whose thread has not
        // started podpull_pull yet.
        let running = Running::new(&self.inner);
        spawn("podpull-pull", move || {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                request.run(&running.0, &mut |event| {
                    if sender.send(event) {
                        ControlFlow::Continue(())
                    } else {
                        ControlFlow::Break(())
                    }
                })
            }))
            .unwrap_or_else(|p| Err(thread_panicked(&*p)));
            drop(request);
            sender.released();
            // The client goes before the outcome does (the last reference stops its service
            // here), so an awaited pull leaves only what the host still holds.
            drop(running);
            sender.finish(outcome);
        })?;
        Ok(Pull {
            shared,
            canceller,
            done: false,
        })
    }
}

fn thread_panicked(payload: &(dyn Any + Send)) -> Error {
    Error::new(
        ErrorCode::Internal,
        format!("podpull's thread panicked: {}", panic_message(payload)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BlobProgress;

    fn blob(id: &str, state: BlobState, current: u64, pull_current: u64) -> Event {
        Event::Blob(BlobProgress {
            id: id.into(),
            state,
            current,
            total: Some(1000),
            pull_current,
            pull_total: 3000,
            blobs_seen: 3,
            blobs_done: 0,
            pull_cached: 0,
            blobs_total: 3,
            blobs_cached: 0,
        })
    }

    fn assert_send<T: Send>() {}
    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_unpin<T: Unpin>() {}

    #[test]
    fn futures_are_send_and_unpin() {
        assert_send_sync::<Pull>();
        assert_send_sync::<Connect>();
        assert_unpin::<Pull>();
        assert_unpin::<Connect>();
        assert_send::<PullEvents<'static>>();
    }

    /// Whatever the producer sends while nobody takes anything, the queue holds the state
    /// changes and at most one byte report per blob, the newest, in order of arrival.
    #[test]
    fn byte_reports_coalesce_and_state_changes_stay() {
        let mut q = Queue::default();
        q.push(Event::Status("Copying blob a".into()));
        let mut total = 0;
        for id in ["a", "b", "c"] {
            q.push(blob(id, BlobState::Started, 0, total));
        }
        for i in 1..=10_000u64 {
            for id in ["a", "b", "c"] {
                total += 1;
                q.push(blob(id, BlobState::Pulling, i, total));
                assert!(
                    q.events.len() <= 1 + 3 + 3,
                    "{} events queued",
                    q.events.len()
                );
            }
        }
        q.push(blob("b", BlobState::Done, 10_000, total));
        q.push(blob("a", BlobState::Pulling, 10_001, total + 1));
        let events: Vec<_> = q.events.drain(..).collect();
        assert_eq!(events.len(), 1 + 3 + 3 + 1, "{events:#?}");
        assert_eq!(events[0], Event::Status("Copying blob a".into()));
        let pulling: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Blob(b) if b.state == BlobState::Pulling => Some((b.id.as_str(), b.current)),
                _ => None,
            })
            .collect();
        assert_eq!(pulling, [("b", 10_000), ("c", 10_000), ("a", 10_001)]);
        let totals: Vec<u64> = events
            .iter()
            .filter_map(|e| match e {
                Event::Blob(b) => Some(b.pull_current),
                _ => None,
            })
            .collect();
        assert!(totals.windows(2).all(|w| w[0] <= w[1]), "{totals:?}");
        assert_eq!(*totals.last().unwrap(), total + 1);
    }

    /// A report of a blob that was taken is queued again; one of another blob never replaces.
    #[test]
    fn coalescing_is_per_blob_and_per_wait() {
        let mut q = Queue::default();
        q.push(blob("a", BlobState::Pulling, 1, 1));
        assert_eq!(
            q.events.pop_front(),
            Some(blob("a", BlobState::Pulling, 1, 1))
        );
        q.push(blob("a", BlobState::Pulling, 2, 2));
        q.push(blob("b", BlobState::Pulling, 1, 3));
        q.push(blob("a", BlobState::Skipped, 0, 3));
        assert_eq!(q.events.len(), 3);
    }
}
