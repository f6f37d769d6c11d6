//! A bootc-like host, async on tokio: what bootc's `podman_client.rs` does, on podpull. It
//! starts a private podman service on a storage root, with the runroot handed over as an open
//! directory fd (bootc's layout), pulls with a bar per layer and one for the whole pull (a
//! spinner with podman's status line where there are no bytes), and takes any reference
//! podman does, `oci:`, `oci-archive:`, `dir:` and the like included. Ctrl-C cancels the pull
//! (or the start of the service), stops the service and exits 130.
//!
//! cargo run --features async --example bootc_pull -- [--podman P] [--root DIR]
//!     [--runroot DIR] [--storage-driver D] [--runtime-dir DIR] [--env KEY=VALUE]...
//!     [--policy always|missing|newer|never] [--tls-verify=false] IMAGE
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use podpull::{
    BlobProgress, BlobState, Client, ConnectOptions, Event, Policy, PullOptions, PullResult,
};
use std::collections::HashMap;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio::signal::unix::{signal, Signal, SignalKind};

const USAGE: &str = "usage: bootc_pull [--podman P] [--root DIR] [--runroot DIR] \
    [--storage-driver D] [--runtime-dir DIR] [--env KEY=VALUE]... \
    [--policy always|missing|newer|never] [--tls-verify=false] IMAGE";
const BAR: &str =
    "{prefix:.bold} [{bar:30}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}) {msg}";

struct Args {
    connect: ConnectOptions,
    pull: PullOptions,
    run_root: Option<PathBuf>,
    image: String,
}

fn parse_args() -> Option<Args> {
    let (mut connect, mut pull) = (ConnectOptions::default(), PullOptions::default());
    let (mut run_root, mut image) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next();
        match arg.as_str() {
            "--podman" => connect.podman_path = Some(value()?.into()),
            "--root" => connect.storage_root = Some(value()?.into()),
            "--runroot" => run_root = Some(PathBuf::from(value()?)),
            "--storage-driver" => connect.storage_driver = Some(value()?),
            "--runtime-dir" => connect.runtime_dir = Some(value()?.into()),
            "--env" => connect.env.push(value()?),
            "--tls-verify=false" => pull.tls_verify = false,
            "--policy" => {
                pull.policy = match value()?.as_str() {
                    "always" => Policy::Always,
                    "missing" => Policy::Missing,
                    "newer" => Policy::Newer,
                    "never" => Policy::Never,
                    _ => return None,
                }
            }
            a if a.starts_with('-') || image.is_some() => return None,
            a => image = Some(a.to_string()),
        }
    }
    Some(Args {
        connect,
        pull,
        run_root,
        image: image?,
    })
}

/// What bootc draws: a spinner with podman's latest status line until bytes come, then a bar
/// per blob ("done" or "Already exists" once it ends), and a bar for the whole pull.
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
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let bar = ProgressStyle::with_template(BAR)
            .unwrap()
            .progress_chars("=> ");
        let status = multi.add(ProgressBar::new_spinner());
        status.set_style(ProgressStyle::with_template("{spinner} {msg}").unwrap());
        status.enable_steady_tick(Duration::from_millis(100));
        let total = multi.add(ProgressBar::new(0).with_style(bar.clone()));
        total.set_prefix("total       ");
        let ended = ProgressStyle::with_template("{prefix:.bold} {msg}").unwrap();
        let blobs = HashMap::new();
        Bars {
            multi,
            status,
            total,
            blobs,
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
        self.status.finish_and_clear(); // bytes come: the bars say more than the text
        let (multi, total, style) = (&self.multi, &self.total, &self.bar);
        let bar = self.blobs.entry(b.id.clone()).or_insert_with(|| {
            let bar = multi.insert_before(total, ProgressBar::new(0).with_style(style.clone()));
            bar.set_prefix(
                b.id.trim_start_matches("sha256:")
                    .chars()
                    .take(12)
                    .collect::<String>(),
            );
            bar
        });
        match b.state {
            BlobState::Done | BlobState::Skipped => {
                bar.set_style(self.ended.clone());
                let skipped = b.state == BlobState::Skipped;
                bar.finish_with_message(if skipped { "Already exists" } else { "done" });
            }
            _ => {
                bar.set_length(b.total.unwrap_or(0));
                bar.set_position(b.current);
            }
        }
        self.total.set_length(b.pull_total);
        self.total.set_position(b.pull_current);
        self.total
            .set_message(format!("{}/{} blobs", b.blobs_done, b.blobs_seen));
    }

    fn end(&self, pulled: bool) {
        self.status.finish_and_clear();
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
    let Some(mut args) = parse_args() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    // Registered before anything starts, so that an early Ctrl-C is ours too.
    let mut sigint = signal(SignalKind::interrupt()).expect("a SIGINT handler");
    // bootc's layout: the service gets the runroot as fd 3, `--runroot /proc/self/fd/3`.
    let run_root = match &args.run_root {
        Some(dir) => match std::fs::create_dir_all(dir).and_then(|()| std::fs::File::open(dir)) {
            Ok(dir) => Some(dir),
            Err(e) => return fail(format!("runroot {}: {e}", dir.display())),
        },
        None => None,
    };
    args.connect.run_root_fd = run_root.as_ref().map(AsRawFd::as_raw_fd);

    let mut interrupted = false;
    let mut connecting = match Client::connect_async(&args.connect) {
        Ok(connecting) => connecting,
        Err(e) => return fail(e),
    };
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
            let result = match interrupted {
                false => pull(&client, &args, &mut sigint, &mut interrupted).await,
                true => Ok(None),
            };
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
            println!("pulled {} ({}, {} bytes)", r.image_id, r.route, r.bytes);
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// Pulls with bars until done, failed or interrupted (Ctrl-C cancels this pull only).
async fn pull(
    client: &Client,
    args: &Args,
    sigint: &mut Signal,
    interrupted: &mut bool,
) -> podpull::Result<Option<PullResult>> {
    let mut bars = Bars::new();
    let mut pull = client.pull_async(&args.image, &args.pull)?;
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
