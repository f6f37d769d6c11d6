// SPDX-License-Identifier: MIT OR Apache-2.0
//! bootc's podman client (bootc-dev/bootc crates/lib/src/podman_client.rs, with podstorage.rs's
//! bind_storage_roots and setup_auth) ported onto podpull, async on tokio.
//!
//! It connects the way bootc does: the storage root and the runroot as open directories (podman
//! sees the storage at an alias path and gets the runroot as fd 3), and the credentials as a
//! file descriptor: bootc's auth.json, or `{}` when there is none, so that podman never looks
//! in a user's paths. It pulls with policy newer, any transport (podpull itself runs
//! `podman pull` for `oci:`, `oci-archive:`, `dir:` and the rest), draws bootc's bars on a
//! terminal, and writes bootc's progress events on `--progress-fd`. Ctrl-C cancels the pull
//! (or the start of the service) and exits 130. Needs root, as bootc does.
//!
//! cargo run --features async --example bootc_pull -- [--podman P] [--root DIR]
//!     [--storage-alias PATH] [--runroot DIR] [--authfile FILE] [--progress-fd N]
//!     [--storage-driver D] [--runtime-dir DIR] [--env KEY=VALUE]... IMAGE
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use podpull::{BlobProgress, BlobState, Client, ConnectOptions, Event, Policy, ProgressWriter};
use podpull::{PullOptions, PullResult};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio::signal::unix::{signal, Signal, SignalKind};

const USAGE: &str = "usage: bootc_pull [--podman P] [--root DIR] [--storage-alias PATH] \
    [--runroot DIR] [--authfile FILE] [--progress-fd N] [--storage-driver D] \
    [--runtime-dir DIR] [--env KEY=VALUE]... IMAGE";
/// bootc's storage root (under the physical sysroot), the path podman sees it at, and its
/// runroot (podstorage.rs: CStorage, STORAGE_ALIAS_DIR, RUNROOT).
const STORAGE_ROOT: &str = "/sysroot/ostree/bootc/storage";
const STORAGE_ALIAS: &str = "/run/bootc/storage";
const RUN_ROOT: &str = "/run/bootc/storage";
/// Where bootc finds its registry credentials, first found first (ostree-ext's globals.rs).
const AUTH_FILES: [&str; 3] = [
    "/run/ostree/auth.json",
    "/etc/ostree/auth.json",
    "/usr/lib/ostree/auth.json",
];
const BAR: &str =
    "{prefix:.bold} [{bar:30}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}) {msg}";

struct Args {
    /// podman, storage driver, runtime dir, env: what bootc leaves to podman's defaults.
    connect: ConnectOptions<'static>,
    root: PathBuf,
    alias: PathBuf,
    run_root: PathBuf,
    authfile: Option<PathBuf>,
    progress_fd: Option<OwnedFd>,
    image: String,
}

fn parse_args() -> Option<Args> {
    let mut a = Args {
        connect: ConnectOptions::default(),
        root: STORAGE_ROOT.into(),
        alias: STORAGE_ALIAS.into(),
        run_root: RUN_ROOT.into(),
        authfile: None,
        progress_fd: None,
        image: String::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next();
        match arg.as_str() {
            "--podman" => a.connect.podman_path = Some(value()?.into()),
            "--root" => a.root = value()?.into(),
            "--storage-alias" => a.alias = value()?.into(),
            "--runroot" => a.run_root = value()?.into(),
            "--authfile" => a.authfile = Some(value()?.into()),
            "--progress-fd" => a.progress_fd = Some(progress_fd_arg(&value()?)?),
            "--storage-driver" => a.connect.storage_driver = Some(value()?),
            "--runtime-dir" => a.connect.runtime_dir = Some(value()?.into()),
            "--env" => a.connect.env.push(value()?),
            s if s.starts_with('-') || !a.image.is_empty() => return None,
            s => a.image = s.to_string(),
        }
    }
    (!a.image.is_empty()).then_some(a)
}

/// The descriptor `--progress-fd N` names, taken over as bootc's RawProgressFd does (0-2 are
/// refused); None when it is not open.
fn progress_fd_arg(n: &str) -> Option<OwnedFd> {
    let fd = n.parse::<i32>().ok().filter(|fd| *fd > 2)?;
    // SAFETY: fcntl(F_GETFD) only asks whether fd is open; then nothing else in this process
    // owns it: it was inherited for us to write on.
    unsafe { (libc::fcntl(fd, libc::F_GETFD) != -1).then(|| OwnedFd::from_raw_fd(fd)) }
}

/// setup_auth: bootc's auth.json, else `{}` in an anonymous file, so that podman and skopeo
/// never fall back to a user's credentials.
fn auth_file(given: Option<PathBuf>) -> std::io::Result<File> {
    let found = AUTH_FILES.iter().map(PathBuf::from).find(|p| p.is_file());
    if let Some(path) = given.or(found) {
        return File::open(path);
    }
    let mut empty = OpenOptions::new()
        .read(true)
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_TMPFILE)
        .open("/tmp")?;
    empty.write_all(b"{}")?;
    Ok(empty)
}

/// bootc's layout: the storage root and the runroot as open directories, made if missing,
/// and the credentials as an open file.
fn open_layout(args: &Args) -> Result<(File, File, File), String> {
    let dir = |dir: &PathBuf| {
        std::fs::create_dir_all(dir)
            .and_then(|()| File::open(dir))
            .map_err(|e| format!("{}: {e}", dir.display()))
    };
    let auth = auth_file(args.authfile.clone()).map_err(|e| format!("credentials: {e}"))?;
    Ok((dir(&args.root)?, dir(&args.run_root)?, auth))
}

/// display_pull_progress: a spinner with podman's latest status line until bytes come, a bar
/// per blob ("done" or "Already exists" once it ends), and, as podpull knows the image's size
/// from the start, one for the whole pull.
struct Bars {
    multi: MultiProgress,
    status: ProgressBar,
    total: ProgressBar,
    blobs: HashMap<String, ProgressBar>,
    bar: ProgressStyle,
    ended: ProgressStyle,
}

impl Bars {
    fn new() -> Bars {
        let multi = MultiProgress::new();
        let bar = ProgressStyle::with_template(BAR)
            .unwrap()
            .progress_chars("=> ");
        let status = multi.add(ProgressBar::new_spinner());
        status.set_style(ProgressStyle::with_template("{spinner} {msg}").unwrap());
        status.enable_steady_tick(Duration::from_millis(100));
        let total = multi.add(ProgressBar::new(0).with_style(bar.clone()));
        total.set_prefix("total       ");
        let ended = ProgressStyle::with_template("{prefix:.bold} {msg}").unwrap();
        Bars {
            multi,
            status,
            total,
            blobs: HashMap::new(),
            bar,
            ended,
        }
    }

    fn show(&mut self, event: Event) {
        match event {
            Event::Route { route, reason } if self.multi.is_hidden() => {
                eprintln!("route {route}: {reason}")
            }
            Event::Route { route, reason } => {
                let _ = self.multi.println(format!("route {route}: {reason}"));
            }
            Event::Status(line) => self.status.set_message(line),
            Event::Blob(b) => self.blob(b),
            _ => {}
        }
    }

    fn blob(&mut self, b: BlobProgress) {
        if b.current > 0 {
            self.status.finish_and_clear(); // the bars say more than the text
        }
        let (multi, total, style) = (&self.multi, &self.total, &self.bar);
        let bar = self.blobs.entry(b.id.clone()).or_insert_with(|| {
            let bar = multi.insert_before(total, ProgressBar::new(0).with_style(style.clone()));
            let hex = b.id.trim_start_matches("sha256:");
            bar.set_prefix(hex.chars().take(12).collect::<String>());
            bar
        });
        if let BlobState::Done | BlobState::Skipped = b.state {
            bar.set_style(self.ended.clone());
            let skipped = b.state == BlobState::Skipped;
            bar.finish_with_message(if skipped { "Already exists" } else { "done" });
        } else {
            bar.set_length(b.total.unwrap_or(0));
            bar.set_position(b.current);
        }
        self.total.set_length(b.pull_total);
        self.total.set_position(b.pull_current);
        self.total
            .set_message(format!("{}/{} blobs", b.blobs_done, b.blobs_seen));
    }

    fn end(&self, pulled: bool) {
        if !self.status.is_finished() {
            self.status.finish_and_clear();
        }
        for bar in self.blobs.values().chain([&self.total]) {
            if pulled {
                bar.finish()
            } else {
                bar.abandon()
            }
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let Some(args) = parse_args() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    // Registered before anything starts, so that an early Ctrl-C is ours too.
    let mut sigint = signal(SignalKind::interrupt()).expect("a SIGINT handler");
    let (root, run_root, auth) = match open_layout(&args) {
        Ok(files) => files,
        Err(e) => return fail(e),
    };
    let mut connect = args.connect;
    connect.storage_root_fd = Some(root.as_fd());
    connect.storage_root_alias = Some(args.alias);
    connect.run_root_fd = Some(run_root.as_fd());
    connect.auth_fd = Some(auth.as_fd());
    let mut opts = PullOptions::default();
    opts.policy = Policy::Newer;
    if let Some(fd) = args.progress_fd {
        match ProgressWriter::new(fd.as_fd()) {
            // The writer has a duplicate of its own: ours, dropped here, would keep the
            // reader's pipe open.
            Ok(writer) => opts.progress_writer = Some(writer),
            Err(e) => return fail(format!("--progress-fd: {e}")),
        }
    }

    let mut interrupted = false;
    let mut connecting = match Client::connect_async(&connect) {
        Ok(connecting) => connecting,
        Err(e) => return fail(e),
    };
    // connect_async made its own duplicates of the descriptors.
    drop((root, run_root, auth));
    let connected = loop {
        tokio::select! {
            client = &mut connecting => break client,
            _ = sigint.recv(), if !interrupted => {
                interrupted = true;
                connecting.cancel(); // the service being started is stopped
            }
        }
    };
    let result = match connected {
        Ok(client) => {
            let result = pull(&client, &args.image, &opts, &mut sigint, &mut interrupted).await;
            // Stopping the service waits for podman: not on a runtime thread.
            let _ = tokio::task::spawn_blocking(move || drop(client)).await;
            result
        }
        Err(e) => Err(e),
    };
    match result {
        _ if interrupted => {
            eprintln!("interrupted");
            ExitCode::from(130)
        }
        Ok(r) => {
            let r = r.expect("a result");
            let digest = r
                .manifest_digest
                .map(|d| format!(", {d}"))
                .unwrap_or_default();
            println!(
                "pulled {} ({}, {} bytes{digest})",
                r.image_id, r.route, r.bytes
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("pulling {}: {e}", args.image)),
    }
}

/// Pulls with bars until done, failed or interrupted (Ctrl-C cancels this pull only); None
/// when Ctrl-C came before.
async fn pull(
    client: &Client,
    image: &str,
    opts: &PullOptions,
    sigint: &mut Signal,
    interrupted: &mut bool,
) -> podpull::Result<Option<PullResult>> {
    if *interrupted {
        return Ok(None);
    }
    let mut bars = Bars::new();
    let mut pull = client.pull_async(image, opts)?;
    loop {
        tokio::select! {
            event = pull.next_event() => match event {
                Some(event) => bars.show(event),
                None => break,
            },
            _ = sigint.recv(), if !*interrupted => {
                *interrupted = true;
                pull.cancel(); // its last events come, then its result
            }
        }
    }
    let result = pull.await;
    bars.end(result.is_ok());
    result.map(Some)
}

fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("bootc_pull: {e}");
    ExitCode::from(1)
}
