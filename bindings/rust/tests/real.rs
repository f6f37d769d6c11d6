//! The safe API against a real podman service and a real registry: the podpull_registry
//! fixture (tests/support/registry-up.sh), whose env file `$PODPULL_TEST_ENV` names the images.
//! Run through ctest (tests/rust/run-cargo-tests.sh), linked and with `--features dlopen`.
//! Without `PODPULL_TEST_ENV` the tests print why and pass, unless
//! `PODPULL_REQUIRE_FIXTURE=1` (the ctest script sets it), where they fail.
use podpull::{BlobState, Client, ConnectOptions, ErrorCode, Event, PullOptions, Route};
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Fixture {
    env: HashMap<String, String>,
    dir: PathBuf,
}

impl Fixture {
    fn get() -> Option<Fixture> {
        let Some(path) = std::env::var_os("PODPULL_TEST_ENV") else {
            if std::env::var("PODPULL_REQUIRE_FIXTURE").as_deref() == Ok("1") {
                panic!(
                    "PODPULL_TEST_ENV is not set; run through ctest (the podpull_registry fixture)"
                );
            }
            eprintln!("skipped: PODPULL_TEST_ENV is not set (run tests/support/registry-up.sh)");
            return None;
        };
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read the fixture's env file {path:?}: {e}"));
        let env = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| {
                (
                    k.to_string(),
                    v.trim_matches('\'').trim_matches('"').to_string(),
                )
            })
            .collect();
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "podpull-rs-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Some(Fixture { env, dir })
    }

    fn var(&self, key: &str) -> &str {
        self.env
            .get(key)
            .unwrap_or_else(|| panic!("the fixture's env file lacks {key}"))
    }

    /// Hermetic options: private storage (vfs) and runtime dirs, the fixture's containers.conf,
    /// and a registries.conf that marks the fixture's plain-HTTP registries insecure, so pulls
    /// keep tls_verify on and podman 4.3.1 takes the Docker-compat route with byte progress
    /// (with tls_verify off the library must use the libpod text route: no bytes).
    fn connect_options(&self) -> ConnectOptions {
        let conf = self.dir.join("registries.conf");
        let mut text = String::new();
        for key in ["PODPULL_TEST_REGISTRY", "PODPULL_TEST_SLOW_REGISTRY"] {
            text += &format!(
                "[[registry]]\nlocation = \"{}\"\ninsecure = true\n",
                self.var(key)
            );
        }
        std::fs::write(&conf, text).unwrap();
        let mut o = ConnectOptions::default();
        o.podman_path = Some(self.var("PODPULL_TEST_PODMAN").into());
        o.storage_root = Some(self.dir.join("root"));
        o.run_root = Some(self.dir.join("runroot"));
        o.runtime_dir = Some(self.dir.clone());
        o.storage_driver = Some("vfs".into());
        o.env = vec![
            format!(
                "CONTAINERS_CONF={}",
                self.var("PODPULL_TEST_CONTAINERS_CONF")
            ),
            format!("CONTAINERS_REGISTRIES_CONF={}", conf.display()),
        ];
        o.start_timeout = Some(Duration::from_secs(120));
        o
    }

    fn connect(&self) -> Client {
        Client::connect(&self.connect_options()).expect("connect to a private podman service")
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn plain_http() -> PullOptions {
    PullOptions::default() // tls_verify on: registries.conf says the registries are insecure
}

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
    assert_eq!(
        result.route,
        Route::DockerCompat,
        "podman 4.3.1 with an insecure registry"
    );
    assert!(
        matches!(
            events.first(),
            Some(Event::Route {
                route: Route::DockerCompat,
                ..
            })
        ),
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

    let mut again = plain_http();
    again.policy = podpull::Policy::Missing;
    let r2 = client
        .pull(fx.var("PODPULL_TEST_SLOW_BIG_IMAGE"), &again, |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(r2.image_id, result.image_id);
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
    let _: &dyn std::error::Error = &err;
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

/// A Canceller on another thread stops a slow pull once bytes flow; the client stays usable.
#[test]
fn cancel_from_another_thread() {
    let Some(fx) = Fixture::get() else { return };
    let client = fx.connect();
    let canceller = client.canceller();
    let (tx, rx) = mpsc::channel::<()>();
    let t = std::thread::spawn(move || {
        rx.recv().unwrap();
        canceller.cancel();
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
