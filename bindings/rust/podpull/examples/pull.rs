// SPDX-License-Identifier: MIT OR Apache-2.0
//! An example host that draws what bootc draws: one `indicatif` bar per blob with bootc's
//! template, "done" / "Already exists" when a blob ends, a spinner with podman's status text
//! (all there is on a route without byte progress), plus a whole-pull line.
//!
//! cargo run --example pull -- [--podman P] [--root DIR] [--runroot DIR] [--storage-driver D]
//!                             [--env KEY=VALUE]... [--no-tls-verify] IMAGE
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use podpull::{BlobState, Client, ConnectOptions, Event, PullOptions};
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::process::ExitCode;
use std::time::Duration;

const BAR: &str =
    "{prefix:.bold} [{bar:30}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec})";
const TOTAL: &str =
    "{prefix:.bold} [{bar:30}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}) {msg}";

fn usage() -> ExitCode {
    eprintln!(
        "usage: pull [--podman P] [--root DIR] [--runroot DIR] [--storage-driver D] \
         [--env KEY=VALUE]... [--no-tls-verify] IMAGE"
    );
    ExitCode::from(2)
}

fn short(id: &str) -> String {
    id.trim_start_matches("sha256:").chars().take(12).collect()
}

fn main() -> ExitCode {
    let mut connect = ConnectOptions::default();
    let mut pull = PullOptions::default();
    let mut image = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next();
        match arg.as_str() {
            "--podman" => connect.podman_path = value().map(Into::into),
            "--root" => connect.storage_root = value().map(Into::into),
            "--runroot" => connect.run_root = value().map(Into::into),
            "--storage-driver" => connect.storage_driver = value(),
            "--env" => match value() {
                Some(v) => connect.env.push(v),
                None => return usage(),
            },
            "--no-tls-verify" => pull.tls_verify = false,
            a if a.starts_with('-') => return usage(),
            a if image.is_none() => image = Some(a.to_string()),
            _ => return usage(),
        }
    }
    let Some(image) = image else { return usage() };

    let client = match Client::connect(&connect) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pull: {e}");
            return ExitCode::from(1);
        }
    };

    let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
    let bar_style = ProgressStyle::with_template(BAR)
        .unwrap()
        .progress_chars("=> ");
    let done_style = ProgressStyle::with_template("{prefix:.bold} {msg}").unwrap();
    let spinner = multi.add(ProgressBar::new_spinner());
    spinner.set_style(ProgressStyle::with_template("{spinner} {msg}").unwrap());
    spinner.enable_steady_tick(Duration::from_millis(120));
    let total = multi.add(ProgressBar::new(0));
    total.set_style(
        ProgressStyle::with_template(TOTAL)
            .unwrap()
            .progress_chars("=> "),
    );
    total.set_prefix("total       ");
    let mut bars: HashMap<String, ProgressBar> = HashMap::new();

    let result = client.pull(&image, &pull, |event| {
        match event {
            Event::Route { route, reason } => {
                multi.println(format!("route {route}: {reason}")).ok();
            }
            Event::Status(line) => spinner.set_message(line),
            Event::Blob(b) => {
                if !spinner.is_finished() {
                    spinner.finish_and_clear(); // bytes come: the bars say more than the text
                }
                let bar = bars.entry(b.id.clone()).or_insert_with(|| {
                    let bar = multi.insert_before(&total, ProgressBar::new(0));
                    bar.set_style(bar_style.clone());
                    bar.set_prefix(short(&b.id));
                    bar
                });
                match b.state {
                    BlobState::Done => {
                        bar.set_style(done_style.clone());
                        bar.finish_with_message("done");
                    }
                    BlobState::Skipped => {
                        bar.set_style(done_style.clone());
                        bar.finish_with_message("Already exists");
                    }
                    _ => {
                        if let Some(t) = b.total {
                            bar.set_length(t);
                        }
                        bar.set_position(b.current);
                    }
                }
                total.set_length(b.pull_total);
                total.set_position(b.pull_current);
                total.set_message(format!("{}/{} blobs", b.blobs_done, b.blobs_seen));
            }
            _ => {}
        }
        ControlFlow::Continue(())
    });
    spinner.finish_and_clear();
    match result {
        Ok(r) => {
            total.finish();
            println!("{} ({}, {} bytes)", r.image_id, r.route, r.bytes);
            ExitCode::SUCCESS
        }
        Err(e) => {
            total.abandon();
            eprintln!("pull: {e}");
            ExitCode::from(1)
        }
    }
}
