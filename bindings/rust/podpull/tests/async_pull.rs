// SPDX-License-Identifier: MIT OR Apache-2.0
//! `Client::pull_async` and `Client::connect_async` (feature `async`) on a multi-threaded tokio
//! runtime, against a real podman service and the fixture's registry (see tests/common). Run
//! through ctest (tests/rust/run-cargo-tests.sh), linked and with `--features dlopen`.
#![cfg(feature = "async")]

mod common;

use common::{plain_http, wait_until, Fixture};
use futures_core::Stream;
use podpull::{
    BlobState, Client, ErrorCode, Event, Policy, ProgressWriter, Pull, PullResult, Route,
};
use std::collections::HashMap;
use std::net::TcpListener;
use std::os::fd::AsFd;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// podpull ends a cancelled call within 100 ms; this leaves room for a loaded machine.
const PROMPT: Duration = Duration::from_secs(3);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Every event of a pull, then its result.
async fn drain(mut pull: Pull) -> (Vec<Event>, podpull::Result<PullResult>) {
    let mut events = Vec::new();
    while let Some(e) = pull.next_event().await {
        events.push(e);
    }
    (events, pull.await)
}

/// Waits for the first event that satisfies `pred`; false if the pull ended first.
async fn wait_for(pull: &mut Pull, mut pred: impl FnMut(&Event) -> bool) -> bool {
    while let Some(e) = pull.next_event().await {
        if pred(&e) {
            return true;
        }
    }
    false
}

fn bytes_flow(e: &Event) -> bool {
    matches!(e, Event::Blob(b) if b.current > 0)
}

/// The image is not in the client's storage (a pull with policy Never fails).
fn not_stored(client: &Client, image: &str) -> bool {
    let mut never = plain_http();
    never.policy = Policy::Never;
    client
        .pull(image, &never, |_| std::ops::ControlFlow::Continue(()))
        .is_err()
}

/// Eight pulls at once on one client from one runtime, six through the slowed relay, one
/// subprocess pull (`oci-archive:`): each gets its image's ID, its route first, and, where
/// bytes are reported, totals that never go back. One of them reads its events through the
/// `Stream`.
#[test]
fn eight_pulls_on_one_runtime() {
    let Some(fx) = Fixture::get() else { return };
    let rt = runtime();
    rt.block_on(async {
        let client = Client::connect_async(&fx.connect_options())
            .unwrap()
            .await
            .unwrap();
        let archive = format!("oci-archive:{}", fx.var("PODPULL_TEST_OCI_ARCHIVE"));
        let jobs = [
            ("PODPULL_TEST_SLOW_BIG_IMAGE", "PODPULL_TEST_BIG_IMAGE_ID"),
            ("PODPULL_TEST_SLOW_BIG_IMAGE", "PODPULL_TEST_BIG_IMAGE_ID"),
            ("PODPULL_TEST_SLOW_IMAGE", "PODPULL_TEST_IMAGE_ID"),
            ("PODPULL_TEST_SLOW_IMAGE", "PODPULL_TEST_IMAGE_ID"),
            ("PODPULL_TEST_IMAGE", "PODPULL_TEST_IMAGE_ID"),
            ("PODPULL_TEST_BIG_IMAGE", "PODPULL_TEST_BIG_IMAGE_ID"),
            ("PODPULL_TEST_SLOW_IMAGE", "PODPULL_TEST_IMAGE_ID"),
            ("", "PODPULL_TEST_OCI_ARCHIVE_ID"),
        ];
        let mut tasks = Vec::new();
        for (i, (image, id)) in jobs.into_iter().enumerate() {
            let image = match image {
                "" => archive.clone(),
                key => fx.var(key).to_string(),
            };
            let mut pull = client.pull_async(&image, &plain_http()).unwrap();
            tasks.push((
                id,
                tokio::spawn(async move {
                    if i == 0 {
                        let mut events = Vec::new();
                        let mut stream = pull.events();
                        while let Some(e) =
                            std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await
                        {
                            events.push(e);
                        }
                        (events, pull.await)
                    } else {
                        drain(pull).await
                    }
                }),
            ));
        }
        assert_eq!(client.pulls_running(), 8);
        for (id, task) in tasks {
            let (events, result) = task.await.unwrap();
            let result = result.unwrap_or_else(|e| panic!("pull of {id}: {e}"));
            assert_eq!(result.image_id, fx.var(id));
            assert!(
                matches!(events.first(), Some(Event::Route { .. })),
                "{id}: {:?}",
                events.first()
            );
            let totals: Vec<u64> = events
                .iter()
                .filter_map(|e| match e {
                    Event::Blob(b) => Some(b.pull_current),
                    _ => None,
                })
                .collect();
            assert!(totals.windows(2).all(|w| w[0] <= w[1]), "{id}: {totals:?}");
            if result.route == Route::Subprocess {
                assert!(events.iter().any(|e| matches!(e, Event::Status(_))));
            }
        }
        assert_eq!(client.pulls_running(), 0);
    });
}

/// Several images of one update at once, as a host pulls its bound images: the test image and
/// the derived one (the test image's three layers and one of its own) from one runtime into a
/// fresh storage. One waits for the other and says why; the three layers it shares are then
/// in the storage, reported cached and not fetched again.
#[test]
fn images_that_share_layers_fetch_them_once() {
    let Some(fx) = Fixture::get() else { return };
    let rt = runtime();
    rt.block_on(async {
        let client = Client::connect_async(&fx.connect_options())
            .unwrap()
            .await
            .unwrap();
        let images = [
            ("PODPULL_TEST_SLOW_IMAGE", "PODPULL_TEST_IMAGE_ID"),
            (
                "PODPULL_TEST_DERIVED_IMAGE",
                "PODPULL_TEST_DERIVED_IMAGE_ID",
            ),
        ];
        let tasks: Vec<_> = images
            .iter()
            .map(|(image, _)| {
                let pull = client.pull_async(fx.var(image), &plain_http()).unwrap();
                tokio::spawn(drain(pull))
            })
            .collect();
        let mut waited = Vec::new();
        let mut results = Vec::new();
        for ((_, id), task) in images.iter().zip(tasks) {
            let (events, result) = task.await.unwrap();
            let result = result.unwrap_or_else(|e| panic!("pull of {id}: {e}"));
            assert_eq!(result.image_id, fx.var(id));
            waited.push(events.iter().any(
                |e| matches!(e, Event::Status(s) if s.contains("to end, so that the 3 blobs")),
            ));
            results.push(result);
        }
        assert_eq!(
            waited.iter().filter(|w| **w).count(),
            1,
            "exactly one waits: {waited:?}"
        );
        let (waiter, holder) = if waited[0] {
            (&results[0], &results[1])
        } else {
            (&results[1], &results[0])
        };
        assert_eq!(waiter.blobs_cached, 3, "{waiter:?}");
        assert_eq!(holder.blobs_cached, 0, "{holder:?}");
        assert!(waiter.bytes_cached > 0 && waiter.bytes_cached <= holder.bytes);
        tokio::task::spawn_blocking(move || drop(client))
            .await
            .unwrap();
    });
    fx.assert_nothing_left(Duration::from_secs(5));
}

/// `pull_async` carries 1.5's option and result: a ProgressWriter in the options gets the
/// pull's bootc events (tests/bootc_events.rs decodes them strictly), the writer may be
/// dropped by the caller at once, and the result names the manifest the events name.
#[test]
fn pull_async_writes_bootc_events_and_names_the_manifest() {
    let Some(fx) = Fixture::get() else { return };
    let events = fx.dir.join("events.jsonl");
    let file = std::fs::File::create(&events).unwrap();
    let mut opts = plain_http();
    opts.progress_writer = Some(ProgressWriter::new(file.as_fd()).unwrap());
    drop(file);
    let rt = runtime();
    let client = fx.connect();
    let result = rt.block_on(async {
        let pull = client
            .pull_async(fx.var("PODPULL_TEST_IMAGE"), &opts)
            .unwrap();
        // The pull's thread holds its own clone of the writer.
        drop(opts);
        drain(pull).await.1
    });
    let result = result.expect("pull with a progress writer");
    let digest = result.manifest_digest.expect("the manifest's digest");
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{digest}"
    );
    // Every clone is gone, so the writer has closed its descriptor: everything is written.
    let text = std::fs::read_to_string(&events).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&r#"{"type":"Start","version":"0.1.0"}"#)
    );
    let last = lines.last().unwrap();
    assert!(
        last.contains(r#""steps":1,"#)
            && last.contains(r#""type":"ProgressSteps""#)
            && last.contains(&format!(r#""id":"{digest}""#)),
        "{text}"
    );
    let bytes = format!(r#"{{"bytes":{},"#, result.bytes);
    assert!(
        lines.iter().rev().any(|l| l.starts_with(&bytes)),
        "no event with the result's bytes: {text}"
    );
}

/// A slow consumer never holds podman up, and what it gets is bounded and exact: nobody takes
/// an event until the pull has ended (it ends all the same), and then the queue holds only the
/// state changes and at most one byte report per blob, the last, which agrees with the result.
#[test]
fn a_slow_consumer_gets_coalesced_exact_progress() {
    let Some(fx) = Fixture::get() else { return };
    let rt = runtime();
    rt.block_on(async {
        let client = Client::connect_async(&fx.connect_options())
            .unwrap()
            .await
            .unwrap();
        let mut pull = client
            .pull_async(fx.var("PODPULL_TEST_SLOW_BIG_IMAGE"), &plain_http())
            .unwrap();
        let start = Instant::now();
        let client = &client;
        let ended = tokio::task::block_in_place(|| {
            wait_until(Duration::from_secs(60), || client.pulls_running() == 0)
        });
        assert!(ended, "the pull did not end without a consumer");
        assert!(
            start.elapsed() > Duration::from_secs(2),
            "too fast to mean anything"
        );
        let mut events = Vec::new();
        while let Some(e) = pull.next_event().await {
            // A slow consumer from here on too.
            tokio::time::sleep(Duration::from_millis(20)).await;
            events.push(e);
        }
        let result = pull.await.unwrap();
        assert_eq!(result.image_id, fx.var("PODPULL_TEST_BIG_IMAGE_ID"));

        let blobs: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Blob(b) => Some(b),
                _ => None,
            })
            .collect();
        let mut per_blob: HashMap<&str, Vec<BlobState>> = HashMap::new();
        for b in &blobs {
            per_blob.entry(&b.id).or_default().push(b.state);
        }
        for (id, states) in &per_blob {
            let reports = states.iter().filter(|s| **s == BlobState::Pulling).count();
            assert!(reports <= 1, "blob {id}: {states:?}");
            assert!(states.len() <= 3, "blob {id}: {states:?}"); // started, 1 report, done
        }
        // Exact: the last report says what the result says.
        let last = blobs.last().expect("blob events");
        assert_eq!(last.pull_current, result.bytes, "{blobs:#?}");
        assert_eq!(last.blobs_done, last.blobs_seen, "{blobs:#?}");
        assert!(result.bytes >= 64 << 20, "{} bytes", result.bytes);
        println!(
            "a consumer that waited for the end got {} events ({} blob events for {} blobs)",
            events.len(),
            blobs.len(),
            per_blob.len()
        );
    });
}

/// Dropping a pull mid-stream ends it, and only it: a pull beside it on the same client
/// finishes, the dropped pull's thread is done within the bound, the image is not stored, and
/// the client pulls again. Dropped at the end, the client leaves no podman behind.
#[test]
fn dropping_a_pull_mid_stream_cancels_it_alone() {
    let Some(fx) = Fixture::get() else { return };
    let rt = runtime();
    rt.block_on(async {
        let client = Client::connect_async(&fx.connect_options())
            .unwrap()
            .await
            .unwrap();
        let other = client
            .pull_async(fx.var("PODPULL_TEST_SLOW_IMAGE"), &plain_http())
            .unwrap();
        let other = tokio::spawn(drain(other));
        let mut victim = client
            .pull_async(fx.var("PODPULL_TEST_SLOW_BIG_IMAGE"), &plain_http())
            .unwrap();
        let canceller = victim.canceller().clone();
        assert!(
            wait_for(&mut victim, bytes_flow).await,
            "no bytes before the end"
        );
        let dropped_at = Instant::now();
        drop(victim);
        // The drop returned only once podpull was done with the pull: promptly.
        let took = dropped_at.elapsed();
        assert!(canceller.is_cancelled());
        assert!(took < PROMPT, "dropping the pull took {took:?}");
        println!("dropping a pull mid-stream took {took:?}");
        let (_, other) = other.await.unwrap();
        assert_eq!(other.unwrap().image_id, fx.var("PODPULL_TEST_IMAGE_ID"));
        let client_ref = &client;
        let ended =
            tokio::task::block_in_place(|| wait_until(PROMPT, || client_ref.pulls_running() == 0));
        assert!(
            ended,
            "the dropped pull still runs after {:?}",
            dropped_at.elapsed()
        );
        assert!(not_stored(&client, fx.var("PODPULL_TEST_SLOW_BIG_IMAGE")));
        let (_, again) = drain(
            client
                .pull_async(fx.var("PODPULL_TEST_IMAGE"), &plain_http())
                .unwrap(),
        )
        .await;
        assert_eq!(again.unwrap().image_id, fx.var("PODPULL_TEST_IMAGE_ID"));
        tokio::task::spawn_blocking(move || drop(client))
            .await
            .unwrap();
    });
    fx.assert_nothing_left(Duration::from_secs(5));
}

/// Dropped before it was ever polled: the pull ends at once (its canceller fired before it
/// could start, or podpull stops what it started), with no event taken.
#[test]
fn dropping_a_pull_before_the_first_event() {
    let Some(fx) = Fixture::get() else { return };
    let rt = runtime();
    rt.block_on(async {
        let client = Client::connect_async(&fx.connect_options())
            .unwrap()
            .await
            .unwrap();
        for _ in 0..5 {
            let pull = client
                .pull_async(fx.var("PODPULL_TEST_SLOW_BIG_IMAGE"), &plain_http())
                .unwrap();
            assert!(client.pulls_running() >= 1);
            let start = Instant::now();
            drop(pull);
            assert!(
                start.elapsed() < PROMPT,
                "the drop took {:?}",
                start.elapsed()
            );
        }
        let client_ref = &client;
        let ended =
            tokio::task::block_in_place(|| wait_until(PROMPT, || client_ref.pulls_running() == 0));
        assert!(ended, "{} pulls still run", client.pulls_running());
        assert!(not_stored(&client, fx.var("PODPULL_TEST_SLOW_BIG_IMAGE")));
        let (_, again) = drain(
            client
                .pull_async(fx.var("PODPULL_TEST_IMAGE"), &plain_http())
                .unwrap(),
        )
        .await;
        assert_eq!(again.unwrap().image_id, fx.var("PODPULL_TEST_IMAGE_ID"));
    });
}

/// Drop the pull, then at once the client and the runtime: podpull is done with the pull when
/// the drop returns, and the service goes as soon as the pull's thread lets go of the client.
#[test]
fn drop_pull_client_and_runtime_at_once() {
    let Some(fx) = Fixture::get() else { return };
    let rt = runtime();
    let client = rt.block_on(async {
        let client = Client::connect_async(&fx.connect_options())
            .unwrap()
            .await
            .unwrap();
        let mut pull = client
            .pull_async(fx.var("PODPULL_TEST_SLOW_BIG_IMAGE"), &plain_http())
            .unwrap();
        assert!(wait_for(&mut pull, bytes_flow).await);
        drop(pull);
        client
    });
    drop(client);
    drop(rt);
    fx.assert_nothing_left(PROMPT + Duration::from_secs(5));
}

/// A consumer task that panics mid-pull: the panic reaches its JoinHandle as tokio gives any
/// panic, the unwinding drops the `Pull`, which ends the pull; the client goes on.
#[test]
fn a_panicking_consumer_cancels_its_pull() {
    let Some(fx) = Fixture::get() else { return };
    let rt = runtime();
    rt.block_on(async {
        let client = Client::connect_async(&fx.connect_options())
            .unwrap()
            .await
            .unwrap();
        let mut pull = client
            .pull_async(fx.var("PODPULL_TEST_SLOW_BIG_IMAGE"), &plain_http())
            .unwrap();
        let canceller = pull.canceller().clone();
        let consumer = tokio::spawn(async move {
            while let Some(e) = pull.next_event().await {
                if bytes_flow(&e) {
                    panic!("boom from the consumer");
                }
            }
        });
        let err = consumer.await.unwrap_err();
        assert!(err.is_panic());
        let payload = err.into_panic();
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"boom from the consumer")
        );
        assert!(canceller.is_cancelled());
        let client_ref = &client;
        let ended =
            tokio::task::block_in_place(|| wait_until(PROMPT, || client_ref.pulls_running() == 0));
        assert!(ended);
        assert!(not_stored(&client, fx.var("PODPULL_TEST_SLOW_BIG_IMAGE")));
        let (_, again) = drain(
            client
                .pull_async(fx.var("PODPULL_TEST_IMAGE"), &plain_http())
                .unwrap(),
        )
        .await;
        assert_eq!(again.unwrap().image_id, fx.var("PODPULL_TEST_IMAGE_ID"));
    });
}

/// A "registry" that accepts connections and never answers: podman waits on it in silence.
/// `Pull::cancel` ends one such pull with Cancelled, and dropping another ends that one, both
/// promptly.
#[test]
fn cancelling_while_the_registry_is_stalled() {
    let Some(fx) = Fixture::get() else { return };
    let hole = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = hole.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let seen = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in hole.incoming().flatten() {
            seen.fetch_add(1, Ordering::SeqCst);
            held.push(conn); // open, and silent
        }
    });
    let image = format!("127.0.0.1:{port}/podpull/silent:v1");
    let rt = runtime();
    rt.block_on(async {
        let client = Client::connect_async(&fx.connect_options())
            .unwrap()
            .await
            .unwrap();
        let mut cancelled = client.pull_async(&image, &plain_http()).unwrap();
        let dropped = client.pull_async(&image, &plain_http()).unwrap();
        assert!(matches!(
            cancelled.next_event().await,
            Some(Event::Route { .. })
        ));
        let accepted_ref = &accepted;
        tokio::task::block_in_place(|| {
            assert!(wait_until(Duration::from_secs(30), || accepted_ref
                .load(Ordering::SeqCst)
                >= 2));
        });
        tokio::time::sleep(Duration::from_secs(1)).await; // stalled for a while

        let start = Instant::now();
        cancelled.cancel();
        let (_, result) = drain(cancelled).await;
        let took = start.elapsed();
        assert_eq!(result.unwrap_err().code, ErrorCode::Cancelled);
        assert!(took < PROMPT, "cancel took {took:?}");
        println!("a pull stalled on a silent registry ended {took:?} after cancel");

        let start = Instant::now();
        drop(dropped);
        assert!(
            start.elapsed() < PROMPT,
            "the drop took {:?}",
            start.elapsed()
        );
        let client_ref = &client;
        let ended =
            tokio::task::block_in_place(|| wait_until(PROMPT, || client_ref.pulls_running() == 0));
        assert!(
            ended,
            "the dropped pull still runs after {:?}",
            start.elapsed()
        );
        println!("a dropped stalled pull ended within {:?}", start.elapsed());
        tokio::task::spawn_blocking(move || drop(client))
            .await
            .unwrap();
    });
    fx.assert_nothing_left(Duration::from_secs(5));
}

/// Dropping a connect while the service starts stops that service: no podman is left.
#[test]
fn dropping_a_connect_stops_the_service() {
    let Some(fx) = Fixture::get() else { return };
    let rt = runtime();
    rt.block_on(async {
        let connecting = Client::connect_async(&fx.connect_options()).unwrap();
        let canceller = connecting.canceller().clone();
        // Wait until the service is there, starting.
        let fx_ref = &fx;
        tokio::task::block_in_place(|| {
            assert!(wait_until(Duration::from_secs(30), || !fx_ref
                .processes()
                .is_empty()));
        });
        drop(connecting);
        assert!(canceller.is_cancelled());
    });
    fx.assert_nothing_left(PROMPT);
    // And a connect cancelled through its handle says so.
    rt.block_on(async {
        let connecting = Client::connect_async(&fx.connect_options()).unwrap();
        connecting.cancel();
        let err = connecting.await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Cancelled, "{err}");
    });
    fx.assert_nothing_left(PROMPT);
}
