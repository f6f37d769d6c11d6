// SPDX-License-Identifier: MIT OR Apache-2.0
//! The safe API against a real podman service and a real registry: the podpull_registry
//! fixture (tests/support/registry-up.sh), whose env file `$PODPULL_TEST_ENV` names the images.
//! Run through ctest (tests/rust/run-cargo-tests.sh), linked and with `--features dlopen`.
//! Without `PODPULL_TEST_ENV` the tests print why and pass, unless
//! `PODPULL_REQUIRE_FIXTURE=1` (the ctest script sets it), where they fail.
mod common;

use common::{plain_http, Fixture};
use podpull::{BlobState, Canceller, Client, ErrorCode, Event, Policy, PullOptions, Route};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A pull through a real service (the throttled registry, so bytes are reported while they
/// flow): the route comes first, blob bytes and the pull's totals climb, blobs finish, and the
/// result has the registry's image ID. A second pull with policy Missing transfers nothing.
#[test]
fn pull_with_progress() {
    let Some(fx) = Fixture::get() else { return };
    let client = fx.connect();
    let thread = std::thread::current().id();
    let mut events = Vec::new();
    let result = client
        .pull(fx.var("PODPULL_TEST_SLOW_BIG_IMAGE"), &plain_http(), |e| {
            assert_eq!(
                std::thread::current().id(),
                thread,
                "callback on another thread"
            );
            events.push(e);
            ControlFlow::Continue(())
        })
        .expect("pull the big image");
    assert_eq!(result.image_id, fx.var("PODPULL_TEST_BIG_IMAGE_ID"));
    let route = fx.registry_route();
    assert_eq!(
        result.route, route,
        "podman {} with an insecure registry",
        fx.release
    );
    assert!(
        matches!(events.first(), Some(Event::Route { route: r, .. }) if *r == route),
        "first event: {:?}",
        events.first()
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, Event::Route { .. }))
            .count(),
        1
    );
    let blobs: Vec<_> = events
        .iter()
        .filter_map(|e| {
            if let Event::Blob(b) = e {
                Some(b)
            } else {
                None
            }
        })
        .collect();
    assert!(!blobs.is_empty(), "no blob events; events: {events:?}");
    assert!(
        blobs.iter().any(|b| b.state == BlobState::Done),
        "no blob finished: {blobs:?}"
    );
    let pulling: Vec<_> = blobs
        .iter()
        .filter(|b| b.state == BlobState::Pulling)
        .collect();
    assert!(
        pulling.len() >= 2,
        "fewer than two byte reports for 64 MB: {blobs:?}"
    );
    assert!(
        pulling
            .iter()
            .all(|b| b.total.is_some() && b.current <= b.total.unwrap()),
        "{pulling:?}"
    );
    assert!(
        blobs
            .windows(2)
            .all(|w| w[0].pull_current <= w[1].pull_current),
        "pull bytes went back"
    );
    let max = blobs.iter().map(|b| b.pull_current).max().unwrap();
    assert!(
        max > 32 << 20,
        "pull_current peaked at {max} for a 64 MB layer"
    );
    assert!(
        result.bytes > 32 << 20,
        "only {} bytes for a 64 MB image",
        result.bytes
    );

    // The manifest was read first: the image's total from the first report on, two
    // blobs (the layer and the config), and the result's bytes are all of it, fetched.
    let total = blobs[0].pull_total;
    assert!(
        blobs
            .iter()
            .all(|b| b.pull_total == total && b.blobs_total == 2),
        "the total moved: {blobs:?}"
    );
    assert_eq!(result.bytes, total);
    assert_eq!(
        (result.blobs_total, result.blobs_cached, result.bytes_cached),
        (2, 0, 0)
    );

    let mut again = plain_http();
    again.policy = podpull::Policy::Missing;
    let r2 = client
        .pull(fx.var("PODPULL_TEST_SLOW_BIG_IMAGE"), &again, |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(r2.image_id, result.image_id);
    // Nothing fetched: every blob was in the storage.
    assert_eq!((r2.bytes, r2.bytes_cached), (0, total));
    assert_eq!((r2.blobs_total, r2.blobs_cached), (2, 2));
}

/// An image that does not exist: NOT_FOUND with a message, no events but the route.
#[test]
fn missing_image_is_not_found() {
    let Some(fx) = Fixture::get() else { return };
    let client = fx.connect();
    let image = format!(
        "{}/podpull/does-not-exist:v1",
        fx.var("PODPULL_TEST_REGISTRY")
    );
    let err = client
        .pull(&image, &plain_http(), |_| ControlFlow::Continue(()))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err}");
    assert!(!err.message.is_empty());
    // A missing image stays missing: retrying cannot help (podpull_error_retryable, 1.3).
    assert!(!err.retryable(), "{err}");
    let _: &dyn std::error::Error = &err;
}

/// A signature policy that rejects everything: the pull runs `podman pull` (the route says
/// so), fails with `Rejected`, which retrying cannot help, and stores nothing.
#[test]
fn a_reject_all_signature_policy_is_rejected() {
    let Some(fx) = Fixture::get() else { return };
    let client = fx.connect();
    let policy = fx.dir.join("reject-all.json");
    std::fs::write(&policy, r#"{"default": [{"type": "reject"}]}"#).unwrap();
    let mut opts = plain_http();
    opts.signature_policy = Some(policy);
    let mut route = None;
    let err = client
        .pull(fx.var("PODPULL_TEST_IMAGE"), &opts, |e| {
            if let Event::Route { route: r, .. } = e {
                route = Some(r);
            }
            ControlFlow::Continue(())
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Rejected, "{err}");
    assert_eq!(err.code.name(), "PODPULL_ERR_REJECTED");
    assert!(err.message.contains("rejected by policy"), "{err}");
    assert!(!err.retryable(), "{err}");
    assert_eq!(route, Some(Route::Subprocess));
    let mut never = plain_http();
    never.policy = Policy::Never;
    let stored = client.pull(fx.var("PODPULL_TEST_IMAGE"), &never, |_| {
        ControlFlow::Continue(())
    });
    assert!(stored.is_err(), "the rejected image was stored");
}

/// A podman that is not there: PODMAN_NOT_FOUND from connect.
#[test]
fn missing_podman_is_podman_not_found() {
    let Some(fx) = Fixture::get() else { return };
    let mut o = fx.connect_options();
    o.podman_path = Some("/nonexistent/podman".into());
    let err = Client::connect(&o).unwrap_err();
    assert_eq!(err.code, ErrorCode::PodmanNotFound, "{err}");
}

/// A ClientCanceller on another thread stops a slow pull once bytes flow; the client stays
/// usable.
#[test]
fn cancel_all_from_another_thread() {
    let Some(fx) = Fixture::get() else { return };
    let client = fx.connect();
    let canceller = client.client_canceller();
    let (tx, rx) = mpsc::channel::<()>();
    let t = std::thread::spawn(move || {
        rx.recv().unwrap();
        canceller.cancel_all();
    });
    let mut tx = Some(tx);
    let start = Instant::now();
    let err = client
        .pull(fx.var("PODPULL_TEST_SLOW_BIG_IMAGE"), &plain_http(), |e| {
            if let Event::Blob(b) = &e {
                if b.current > 0 {
                    if let Some(tx) = tx.take() {
                        tx.send(()).unwrap();
                    }
                }
            }
            ControlFlow::Continue(())
        })
        .unwrap_err();
    t.join().unwrap();
    assert_eq!(err.code, ErrorCode::Cancelled, "{err}");
    assert!(tx.is_none(), "the cancel was never sent: no byte progress");
    assert!(start.elapsed() < Duration::from_secs(60));
    // Cancel affects only pulls in flight.
    let r = client
        .pull(fx.var("PODPULL_TEST_IMAGE"), &plain_http(), |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(r.image_id, fx.var("PODPULL_TEST_IMAGE_ID"));
}

/// ControlFlow::Break from a blob event cancels the pull.
#[test]
fn break_cancels() {
    let Some(fx) = Fixture::get() else { return };
    let client = fx.connect();
    let mut after = 0;
    let mut broke = false;
    let err = client
        .pull(fx.var("PODPULL_TEST_SLOW_BIG_IMAGE"), &plain_http(), |e| {
            if broke {
                after += 1;
            }
            if matches!(e, Event::Blob(_)) {
                broke = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Cancelled, "{err}");
    assert_eq!(after, 0, "events were delivered after Break");
}

/// A panic in the closure does not cross the C boundary: it cancels the pull, no further
/// event arrives, and it is re-raised here after the C call returned. The client still works.
#[test]
fn panic_in_callback_is_reraised() {
    let Some(fx) = Fixture::get() else { return };
    let client = fx.connect();
    let calls_after = AtomicUsize::new(0);
    let panicked = AtomicUsize::new(0);
    let start = Instant::now();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        client.pull(fx.var("PODPULL_TEST_SLOW_BIG_IMAGE"), &plain_http(), |e| {
            if panicked.load(Ordering::SeqCst) > 0 {
                calls_after.fetch_add(1, Ordering::SeqCst);
            }
            if let Event::Blob(b) = e {
                if b.current > 0 {
                    panicked.fetch_add(1, Ordering::SeqCst);
                    panic!("boom from the callback");
                }
            }
            ControlFlow::Continue(())
        })
    }));
    let payload = caught.expect_err("the panic was not re-raised");
    let msg = payload
        .downcast_ref::<&str>()
        .copied()
        .unwrap_or("<not a &str>");
    assert_eq!(msg, "boom from the callback");
    assert_eq!(panicked.load(Ordering::SeqCst), 1);
    assert_eq!(calls_after.load(Ordering::SeqCst), 0);
    // The slow 64 MB image takes ~4 s at the throttle's rate; a cancelled pull ends well before
    // the whole image could have been transferred twice over.
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    // The pull was cancelled, not finished: the image is not in storage.
    let mut never = plain_http();
    never.policy = podpull::Policy::Never;
    let err = client
        .pull(fx.var("PODPULL_TEST_SLOW_BIG_IMAGE"), &never, |_| {
            ControlFlow::Continue(())
        })
        .expect_err("the image is in storage: the panic did not cancel the pull");
    assert_ne!(err.code, ErrorCode::Cancelled);
    let r = client
        .pull(fx.var("PODPULL_TEST_IMAGE"), &plain_http(), |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(r.image_id, fx.var("PODPULL_TEST_IMAGE_ID"));
}

/// A Canceller fired from another thread at the first bytes ends its own pull only: a pull
/// of the same client running beside it finishes, and the client goes on pulling.
#[test]
fn a_canceller_ends_its_own_pull_only() {
    let Some(fx) = Fixture::get() else { return };
    let client = fx.connect();
    let canceller = Canceller::new().unwrap();
    assert!(!canceller.is_cancelled());
    let mut victim = plain_http();
    victim.canceller = Some(canceller.clone());
    std::thread::scope(|s| {
        let other = s.spawn(|| {
            client.pull(fx.var("PODPULL_TEST_SLOW_IMAGE"), &plain_http(), |_| {
                ControlFlow::Continue(())
            })
        });
        let (tx, rx) = mpsc::channel::<()>();
        let firing = s.spawn(move || {
            if rx.recv().is_ok() {
                canceller.cancel();
            }
        });
        let mut tx = Some(tx);
        let err = client
            .pull(fx.var("PODPULL_TEST_SLOW_BIG_IMAGE"), &victim, |e| {
                if matches!(&e, Event::Blob(b) if b.current > 0) {
                    if let Some(tx) = tx.take() {
                        tx.send(()).unwrap();
                    }
                }
                ControlFlow::Continue(())
            })
            .unwrap_err();
        drop(tx);
        firing.join().unwrap();
        assert_eq!(err.code, ErrorCode::Cancelled, "{err}");
        let other = other.join().unwrap().expect("the other pull");
        assert_eq!(other.image_id, fx.var("PODPULL_TEST_IMAGE_ID"));
    });
    assert!(victim.canceller.as_ref().unwrap().is_cancelled());
    // A fired canceller stays fired: the same options end a new pull at once, before the route.
    let mut events = 0;
    let err = client
        .pull(fx.var("PODPULL_TEST_IMAGE"), &victim, |_| {
            events += 1;
            ControlFlow::Continue(())
        })
        .unwrap_err();
    assert_eq!((err.code, events), (ErrorCode::Cancelled, 0), "{err}");
    let r = client
        .pull(fx.var("PODPULL_TEST_BIG_IMAGE"), &plain_http(), |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(r.image_id, fx.var("PODPULL_TEST_BIG_IMAGE_ID"));
    assert_eq!(client.pulls_running(), 0);
}

/// Break on the route event (whose C callback cannot answer) ends that pull through its own
/// canceller: a pull of the same client beside it is not touched.
#[test]
fn break_on_the_route_ends_only_that_pull() {
    let Some(fx) = Fixture::get() else { return };
    let client = fx.connect();
    std::thread::scope(|s| {
        let other = s.spawn(|| {
            client.pull(fx.var("PODPULL_TEST_SLOW_BIG_IMAGE"), &plain_http(), |_| {
                ControlFlow::Continue(())
            })
        });
        // Once the other pull streams, stop a second one at its route.
        assert!(common::wait_until(Duration::from_secs(60), || client
            .pulls_running()
            == 1));
        std::thread::sleep(Duration::from_millis(500));
        let mut after = 0;
        let mut broke = false;
        let err = client
            .pull(fx.var("PODPULL_TEST_SLOW_IMAGE"), &plain_http(), |e| {
                if broke {
                    after += 1;
                }
                broke = true;
                assert!(matches!(e, Event::Route { .. }), "{e:?}");
                ControlFlow::Break(())
            })
            .unwrap_err();
        assert_eq!((err.code, after), (ErrorCode::Cancelled, 0), "{err}");
        let other = other.join().unwrap().expect("the other pull");
        assert_eq!(other.image_id, fx.var("PODPULL_TEST_BIG_IMAGE_ID"));
    });
}

/// A fired canceller in the connect options: Cancelled at once, nothing started.
#[test]
fn a_fired_canceller_ends_connect() {
    let Some(fx) = Fixture::get() else { return };
    let canceller = Canceller::new().unwrap();
    canceller.cancel();
    let mut o = fx.connect_options();
    o.canceller = Some(canceller);
    let start = Instant::now();
    let err = Client::connect(&o).unwrap_err();
    assert_eq!(err.code, ErrorCode::Cancelled, "{err}");
    assert!(start.elapsed() < Duration::from_secs(5));
    fx.assert_nothing_left(Duration::from_secs(5));
}

/// bootc's layout: the runroot as an open directory fd. The client keeps a duplicate, so the
/// caller may close its own right after connect: a `podman pull` subprocess started later
/// (an `oci-archive:` image) still gets the runroot as fd 3.
#[test]
fn run_root_fd_is_the_clients_own() {
    let Some(fx) = Fixture::get() else { return };
    let run_root = fx.dir.join("rr");
    std::fs::create_dir_all(&run_root).unwrap();
    let dir = std::fs::File::open(&run_root).unwrap();
    let mut o = fx.connect_options();
    o.run_root = None;
    o.run_root_fd = Some(std::os::fd::AsFd::as_fd(&dir));
    let client = Client::connect(&o).expect("connect with run_root_fd");
    drop(dir);
    // Something else takes the number the caller's fd had.
    let _decoy = std::fs::File::open("/dev/null").unwrap();
    let image = format!("oci-archive:{}", fx.var("PODPULL_TEST_OCI_ARCHIVE"));
    let r = client
        .pull(&image, &PullOptions::default(), |_| {
            ControlFlow::Continue(())
        })
        .expect("pull an oci-archive with the runroot given as an fd");
    assert_eq!(r.image_id, fx.var("PODPULL_TEST_OCI_ARCHIVE_ID"));
    assert_eq!(r.route, Route::Subprocess);
    assert!(
        std::fs::read_dir(&run_root).unwrap().next().is_some(),
        "podman wrote nothing in the runroot"
    );
    drop(client);
    fx.assert_nothing_left(Duration::from_secs(5));
}

/// bootc's layout (1.5): the storage handed over as an open directory, which podman sees at
/// an alias path. A registry pull (the service) and an `oci-archive:` one (a `podman pull` of
/// its own) both store into the directory the fd names, while the alias on the host stays an
/// empty directory; the client keeps its own duplicate of the fd.
#[test]
fn storage_root_fd_is_seen_at_its_alias() {
    let Some(fx) = Fixture::get() else { return };
    let storage = fx.dir.join("storage");
    std::fs::create_dir_all(&storage).unwrap();
    let dir = std::fs::File::open(&storage).unwrap();
    let alias = fx.dir.join("run/bootc/storage");
    let mut o = fx.connect_options();
    o.storage_root = None;
    o.storage_root_fd = Some(std::os::fd::AsFd::as_fd(&dir));
    o.storage_root_alias = Some(alias.clone());
    let client = Client::connect(&o).expect("connect in bootc's layout");
    drop(dir);
    let r = client
        .pull(fx.var("PODPULL_TEST_IMAGE"), &plain_http(), |_| {
            ControlFlow::Continue(())
        })
        .expect("a registry pull into the storage fd");
    assert_eq!(r.image_id, fx.var("PODPULL_TEST_IMAGE_ID"));
    let image = format!("oci-archive:{}", fx.var("PODPULL_TEST_OCI_ARCHIVE"));
    let r = client
        .pull(&image, &PullOptions::default(), |_| {
            ControlFlow::Continue(())
        })
        .expect("an oci-archive pull into the storage fd");
    assert_eq!(r.route, Route::Subprocess);
    assert!(
        storage.join("vfs-images").is_dir(),
        "podman wrote no image into the directory the fd names"
    );
    let seen = std::fs::read_dir(&alias).unwrap().count();
    assert_eq!(seen, 0, "the alias {alias:?} is not empty on the host");
    drop(client);
    fx.assert_nothing_left(Duration::from_secs(5));
}

/// Two threads pull at once through one `&Client`.
#[test]
fn concurrent_pulls_share_a_client() {
    let Some(fx) = Fixture::get() else { return };
    let client = fx.connect();
    std::thread::scope(|s| {
        let a = s.spawn(|| {
            client.pull(fx.var("PODPULL_TEST_IMAGE"), &plain_http(), |_| {
                ControlFlow::Continue(())
            })
        });
        let b = s.spawn(|| {
            client.pull(fx.var("PODPULL_TEST_BIG_IMAGE"), &plain_http(), |_| {
                ControlFlow::Continue(())
            })
        });
        assert_eq!(
            a.join().unwrap().unwrap().image_id,
            fx.var("PODPULL_TEST_IMAGE_ID")
        );
        assert_eq!(
            b.join().unwrap().unwrap().image_id,
            fx.var("PODPULL_TEST_BIG_IMAGE_ID")
        );
    });
}

/// The library is there and serves ABI 1, linked or loaded (tests/dlopen_*.rs check the
/// errors for a missing library and for one without podpull_get_api).
#[test]
fn library_is_available() {
    podpull::available().expect("library available");
    assert!(podpull::version().unwrap().starts_with("1."));
}

/// Route names come from the library (podpull_route_str), spelled as in podpull.h.
#[test]
fn route_names_come_from_the_library() {
    assert_eq!(
        podpull::Route::LibpodProgress.name(),
        Some("PODPULL_ROUTE_LIBPOD_PROGRESS")
    );
    assert_eq!(
        podpull::Route::Subprocess.to_string(),
        "PODPULL_ROUTE_SUBPROCESS"
    );
    assert_eq!(
        podpull::Route::Unknown(42).name(),
        Some("PODPULL_ROUTE_UNKNOWN")
    );
}
