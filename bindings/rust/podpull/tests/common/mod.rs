// SPDX-License-Identifier: MIT OR Apache-2.0
//! What the tests against the real thing share: the podpull_registry fixture
//! (tests/support/registry-up.sh), whose env file `$PODPULL_TEST_ENV` names the images, and a
//! private storage per test. Without `PODPULL_TEST_ENV` the tests print why and pass, unless
//! `PODPULL_REQUIRE_FIXTURE=1` (the ctest script sets it), where they fail.
//!
//! Every podman a test starts is the one of the release `$PODPULL_TEST_RELEASE` names ("4.3",
//! "5.4", "5.8", "6.1"; default the host's 4.3), as in the C++ tests: ctest runs some of these
//! tests once per release (tests/CMakeLists.txt).
#![allow(dead_code)] // each test binary uses its own part

use podpull::{Client, ConnectOptions, PullOptions, Route};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct Fixture {
    env: HashMap<String, String>,
    pub dir: PathBuf,
    /// The podman release this run is on, "4.3" and so on.
    pub release: String,
}

impl Fixture {
    pub fn get() -> Option<Fixture> {
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
        // Short: podman refuses a --runroot longer than 50 characters.
        let dir = std::env::temp_dir().join(format!(
            "podpull-rs-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let release = std::env::var("PODPULL_TEST_RELEASE")
            .ok()
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "4.3".into());
        let fx = Fixture { env, dir, release };
        let version = fx.release_var("PODPULL_TEST_PODMAN_VERSION");
        assert!(
            version.starts_with(&format!("{}.", fx.release)),
            "podman {} reports version {version:?}",
            fx.release
        );
        eprintln!("podman {version}: {}", fx.podman());
        Some(fx)
    }

    pub fn var(&self, key: &str) -> &str {
        self.env
            .get(key)
            .unwrap_or_else(|| panic!("the fixture's env file lacks {key}"))
    }

    /// `KEY_<release>`, e.g. PODPULL_TEST_PODMAN_5_4.
    fn release_var(&self, key: &str) -> &str {
        self.var(&format!("{key}_{}", self.release.replace('.', "_")))
    }

    /// This release's podman: /usr/bin/podman for 4.3, else a launcher of
    /// scripts/podman-peers.sh that runs podman in a chroot.
    pub fn podman(&self) -> &str {
        self.release_var("PODPULL_TEST_PODMAN")
    }

    /// The route the library takes for a registry pull with TLS verification on and the
    /// registry declared insecure (`connect_options`): byte progress on every release.
    pub fn registry_route(&self) -> Route {
        match self.release.as_str() {
            "4.3" => Route::DockerCompat, // before 4.8: no compatMode
            r if r.starts_with("5.") => Route::LibpodCompat, // before 6.0: no pullProgress
            _ => Route::LibpodProgress,
        }
    }

    /// Fails unless a podman of this test runs as this release's binary: /proc/PID/exe of a
    /// chroot release is the binary inside its root file system, so a podman from `PATH`
    /// (the host's 4.3) cannot pass for another release.
    pub fn assert_release_podman_runs(&self) {
        let exe = self.release_var("PODPULL_TEST_PODMAN_EXE");
        let running: Vec<String> = pids_naming(&self.dir)
            .into_iter()
            .filter_map(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).ok())
            .map(|p| p.display().to_string())
            .collect();
        assert!(
            running.iter().any(|p| p == exe),
            "no podman of release {} ({exe}) runs for this test; running: {running:?}",
            self.release
        );
    }

    /// Hermetic options: private storage (vfs) and runtime dirs, the fixture's containers.conf,
    /// and a registries.conf that marks the fixture's plain-HTTP registries insecure, so pulls
    /// keep tls_verify on and podman 4.3.1 takes the Docker-compat route with byte progress
    /// (with tls_verify off the library must use the libpod text route: no bytes).
    pub fn connect_options(&self) -> ConnectOptions<'static> {
        let conf = self.dir.join("registries.conf");
        let mut text = String::new();
        for key in ["PODPULL_TEST_REGISTRY", "PODPULL_TEST_SLOW_REGISTRY"] {
            text += &format!(
                "[[registry]]\nlocation = \"{}\"\ninsecure = true\n",
                self.var(key)
            );
        }
        std::fs::write(&conf, text).unwrap();
        let runtime_dir = self.dir.join("rt");
        std::fs::create_dir_all(&runtime_dir).unwrap();
        let mut o = ConnectOptions::default();
        o.podman_path = Some(self.podman().into());
        o.storage_root = Some(self.dir.join("root"));
        o.run_root = Some(self.dir.join("runroot"));
        o.runtime_dir = Some(runtime_dir);
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

    pub fn connect(&self) -> Client {
        Client::connect(&self.connect_options()).expect("connect to a private podman service")
    }

    /// Processes other than this one whose command line names this test's directory: the
    /// podman services and `podman pull`s it started.
    pub fn processes(&self) -> Vec<String> {
        processes_naming(&self.dir)
    }

    /// Fails unless every podman of this test is gone and the runtime dir holds no service
    /// directory, waiting up to `within` for both: a client dropped while a pull's thread
    /// still holds it is torn down on that thread, where the directory goes just after the
    /// service has exited.
    pub fn assert_nothing_left(&self, within: Duration) {
        let rt = self.dir.join("rt");
        let left = || -> Vec<_> {
            std::fs::read_dir(&rt)
                .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
                .unwrap_or_default()
        };
        wait_until(within, || self.processes().is_empty() && left().is_empty());
        assert!(
            self.processes().is_empty(),
            "processes left behind: {:#?}",
            self.processes()
        );
        let left = left();
        assert!(left.is_empty(), "the runtime dir {rt:?} holds {left:?}");
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // Storage made by podman (vfs) may hold read-only dirs: make them writable first.
        let _ = std::process::Command::new("chmod")
            .args(["-R", "u+w"])
            .arg(&self.dir)
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn processes_naming(dir: &Path) -> Vec<String> {
    pids_naming(dir)
        .into_iter()
        .filter_map(|pid| Some(format!("{pid}: {}", cmdline(&pid)?)))
        .collect()
}

/// Processes other than this one whose command line names `dir/...`.
fn pids_naming(dir: &Path) -> Vec<String> {
    let needle = format!("{}/", dir.display());
    let me = std::process::id().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|pid| *pid != me && pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| cmdline(pid).is_some_and(|c| c.contains(&needle)))
        .collect()
}

fn cmdline(pid: &str) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    Some(String::from_utf8_lossy(&raw).replace('\0', " "))
}

/// Polls `cond` every 20 ms until it holds (true) or `within` has passed (false).
pub fn wait_until(within: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if cond() {
            return true;
        }
        if start.elapsed() > within {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn plain_http() -> PullOptions {
    PullOptions::default() // tls_verify on: registries.conf says the registries are insecure
}
