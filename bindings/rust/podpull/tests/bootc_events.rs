// SPDX-License-Identifier: MIT OR Apache-2.0
//! bootc's progress events (`ProgressWriter`, libpodpull 1.5) decoded as strictly as bootc's
//! own schema allows: the types below are written from bootc's crates/lib/src/progress_jsonl.rs,
//! with no serde default (a missing field fails) and `deny_unknown_fields` (an extra one fails).
//! Pulls of the fixture's images through a real podman service write them on a pipe that a
//! thread reads; every line must decode, be canonical JSON, and add up to the pull's result and
//! to the manifest the registry serves. ctest runs this binary once per podman release
//! (`podpull_rust_bootc_events@podman-R`), and podpull_rust runs it with the rest.
mod common;

use common::{plain_http, Fixture};
use podpull::{Client, LogLevel, ProgressWriter, PullOptions, PullResult};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::ops::ControlFlow;
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::sync::{Arc, Mutex};

// ---- bootc's schema -------------------------------------------------------------------------
// bootc says `rename_all_fields = "camelCase"` once; Debian's serde 1.0.152 predates it, so
// each variant says `rename_all`, to the same effect.

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "PascalCase", deny_unknown_fields)]
enum Event {
    #[serde(rename_all = "camelCase")]
    Start { version: String },
    #[serde(rename_all = "camelCase")]
    ProgressBytes {
        task: String,
        description: String,
        id: String,
        bytes_cached: u64,
        bytes: u64,
        bytes_total: u64,
        steps_cached: u64,
        steps: u64,
        steps_total: u64,
        subtasks: Vec<SubTaskBytes>,
    },
    #[serde(rename_all = "camelCase")]
    ProgressSteps {
        task: String,
        description: String,
        id: String,
        steps_cached: u64,
        steps: u64,
        steps_total: u64,
        subtasks: Vec<SubTaskStep>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SubTaskBytes {
    subtask: String,
    description: String,
    id: String,
    bytes_cached: u64,
    bytes: u64,
    bytes_total: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SubTaskStep {
    subtask: String,
    description: String,
    id: String,
    completed: bool,
}

/// Decodes one line strictly, and fails unless it is canonical: serde_json's map (without
/// `preserve_order`) is sorted, so re-serializing the value gives canonical JSON for what these
/// events hold (ASCII strings, integers, booleans).
fn decode(line: &str) -> Event {
    let value: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    assert_eq!(
        serde_json::to_string(&value).unwrap(),
        line,
        "not canonical JSON"
    );
    let event: Event = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("not one of bootc's events ({e}): {line}"));
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        value,
        "the decoded event does not hold every field: {line}"
    );
    event
}

/// The schema's strictness is what makes the checks below mean something.
#[test]
fn the_schema_refuses_a_missing_or_an_extra_field() {
    let steps = r#"{"description":"Storing Image","id":"sha256:00","steps":0,"stepsCached":0,"stepsTotal":1,"subtasks":[{"completed":false,"description":"Storing Image","id":"storing","subtask":"storing"}],"task":"storing","type":"ProgressSteps"}"#;
    assert!(matches!(decode(steps), Event::ProgressSteps { .. }));
    let missing = steps.replace(r#""stepsCached":0,"#, "");
    assert!(
        serde_json::from_str::<Event>(&missing).is_err(),
        "{missing}"
    );
    let extra = steps.replace(r#""steps":0,"#, r#""steps":0,"apiVersion":"v1","#);
    assert!(serde_json::from_str::<Event>(&extra).is_err(), "{extra}");
    let extra_in_subtask = steps.replace(r#""completed":false,"#, r#""completed":false,"x":1,"#);
    assert!(serde_json::from_str::<Event>(&extra_in_subtask).is_err());
    let missing_in_subtask = steps.replace(r#""completed":false,"#, "");
    assert!(serde_json::from_str::<Event>(&missing_in_subtask).is_err());
    let unknown_type = steps.replace("ProgressSteps", "ProgressSpeed");
    assert!(serde_json::from_str::<Event>(&unknown_type).is_err());
}

// ---- the registry's view --------------------------------------------------------------------

/// An image manifest as the registry serves it, and its digest as the registry names it.
struct Manifest {
    digest: String,
    /// (digest, size) of each layer, in order.
    layers: Vec<(String, u64)>,
    config_size: u64,
}

impl Manifest {
    fn size(&self) -> u64 {
        self.config_size + self.layers.iter().map(|l| l.1).sum::<u64>()
    }
}

/// GET /v2/NAME/manifests/TAG from the fixture's plain-HTTP registry (`image` may name the
/// throttling relay: the path is the same on the registry behind it).
fn registry_manifest(fx: &Fixture, image: &str) -> Manifest {
    let path = image.split_once('/').expect("HOST/NAME:TAG").1;
    let (name, tag) = path.rsplit_once(':').expect("NAME:TAG");
    let registry = fx.var("PODPULL_TEST_REGISTRY");
    let mut http = TcpStream::connect(registry).unwrap();
    // HTTP/1.0: the registry answers with a Content-Length body and closes, never chunked.
    write!(
        http,
        "GET /v2/{name}/manifests/{tag} HTTP/1.0\r\nHost: {registry}\r\nAccept: \
         application/vnd.oci.image.manifest.v1+json, \
         application/vnd.docker.distribution.manifest.v2+json\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    http.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    assert_eq!(head.split(' ').nth(1), Some("200"), "{head}");
    let digest = head
        .lines()
        .find_map(|l| l.strip_prefix("Docker-Content-Digest: "))
        .unwrap_or_else(|| panic!("no Docker-Content-Digest: {head}"))
        .to_string();
    let m: serde_json::Value = serde_json::from_str(body).unwrap();
    let size = |v: &serde_json::Value| v["size"].as_u64().expect("a size");
    Manifest {
        digest,
        layers: m["layers"]
            .as_array()
            .expect("an image manifest, not an index")
            .iter()
            .map(|l| (l["digest"].as_str().unwrap().to_string(), size(l)))
            .collect(),
        config_size: size(&m["config"]),
    }
}

// ---- capturing ------------------------------------------------------------------------------

/// A pipe: its read end, its write end.
fn pipe() -> (File, OwnedFd) {
    let mut fds = [-1; 2];
    // SAFETY: fds has room for the two descriptors pipe2 writes.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
    // SAFETY: both are new descriptors that nothing else owns.
    unsafe { (File::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

/// Runs `pulls` with a writer on a pipe that a thread reads, and returns every line once the
/// writer is gone (the reader then sees the end of the pipe).
fn capture<T>(after_start: bool, pulls: impl FnOnce(&ProgressWriter) -> T) -> (T, Vec<String>) {
    let (mut reader, writer) = pipe();
    let progress = if after_start {
        ProgressWriter::after_start(writer.as_fd())
    } else {
        ProgressWriter::new(writer.as_fd())
    }
    .expect("a progress writer on a pipe");
    // The writer has its own duplicate: ours would keep the pipe open after it is gone.
    drop(writer);
    let read = std::thread::spawn(move || {
        let mut text = String::new();
        reader.read_to_string(&mut text).map(|_| text)
    });
    let out = pulls(&progress);
    assert!(!progress.failed(), "the writer failed");
    drop(progress);
    let text = read.join().unwrap().expect("the pipe's lines");
    let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let (last, lines) = lines.split_last().unwrap();
    assert_eq!(last, "", "the last line does not end in a newline");
    (out, lines.to_vec())
}

fn pull(client: &Client, image: &str, progress: &ProgressWriter) -> PullResult {
    let mut opts = plain_http();
    opts.progress_writer = Some(progress.clone());
    client
        .pull(image, &opts, |_| ControlFlow::Continue(()))
        .unwrap_or_else(|e| panic!("pull {image}: {e}"))
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

// ---- what one pull's events must say --------------------------------------------------------

/// Checks the events of one pull (Start apart) against its result and the registry's manifest.
/// `fresh`: the storage had none of the image's blobs; else it had them all.
fn check_pull(events: &[Event], r: &PullResult, m: &Manifest, fresh: bool) {
    let digest = r
        .manifest_digest
        .as_deref()
        .expect("the result's manifest digest");
    assert!(
        digest
            .strip_prefix("sha256:")
            .is_some_and(|h| is_hex(h, 64)),
        "{digest}"
    );
    assert_eq!(digest, m.digest, "not the digest the registry serves");
    let layers = m.layers.len() as u64;

    let mut last_bytes = None;
    let mut storing = Vec::new();
    let (mut bytes_seen, mut steps_seen) = (0, 0);
    let mut layer_bytes: HashMap<String, u64> = HashMap::new();
    for (n, e) in events.iter().enumerate() {
        match e {
            Event::Start { .. } => panic!("a second Start, event {n}"),
            Event::ProgressBytes {
                task,
                description,
                id,
                bytes_cached,
                bytes,
                bytes_total,
                steps_cached,
                steps,
                steps_total,
                subtasks,
            } => {
                assert!(storing.len() < 2, "bytes after the pull was stored: {e:?}");
                assert_eq!((task.as_str(), id.as_str()), ("pulling", digest));
                assert_eq!(*description, format!("Pulling Image: {digest}"));
                assert!(
                    *bytes >= bytes_seen,
                    "bytes went back: {bytes_seen} -> {e:?}"
                );
                assert!(
                    *steps >= steps_seen,
                    "steps went back: {steps_seen} -> {e:?}"
                );
                (bytes_seen, steps_seen) = (*bytes, *steps);
                assert!(bytes <= bytes_total && steps <= steps_total, "{e:?}");
                // What the storage had and what is fetched make up the whole image.
                assert_eq!(bytes_total + bytes_cached, m.size(), "{e:?}");
                assert_eq!(steps_total + steps_cached, layers, "{e:?}");
                for t in subtasks {
                    assert_eq!(t.subtask, "layer", "{t:?}");
                    assert!(is_hex(&t.id, 21), "{t:?}");
                    assert_eq!(t.description, format!("layer: {}", t.id));
                    let (_, size) = m
                        .layers
                        .iter()
                        .find(|(d, _)| d["sha256:".len()..].starts_with(&t.id))
                        .unwrap_or_else(|| panic!("not a layer of the manifest: {t:?}"));
                    assert_eq!((t.bytes_cached, t.bytes_total), (0, *size), "{t:?}");
                    assert!(t.bytes <= t.bytes_total, "{t:?}");
                    let seen = layer_bytes.entry(t.id.clone()).or_default();
                    assert!(t.bytes >= *seen, "a layer's bytes went back: {t:?}");
                    *seen = t.bytes;
                }
                last_bytes = Some(e);
            }
            Event::ProgressSteps {
                task,
                description,
                id,
                steps_cached,
                steps,
                steps_total,
                subtasks,
            } => {
                assert_eq!(
                    (task.as_str(), description.as_str()),
                    ("storing", "Storing Image")
                );
                assert_eq!(id, digest);
                assert_eq!((*steps_cached, *steps_total), (0, 1), "{e:?}");
                let completed = *steps == 1;
                let step = SubTaskStep {
                    subtask: "storing".into(),
                    description: "Storing Image".into(),
                    id: "storing".into(),
                    completed,
                };
                assert_eq!(*subtasks, [step], "{e:?}");
                storing.push(*steps);
            }
        }
    }
    assert_eq!(storing, [0, 1], "the storing step: 0 of 1, then 1 of 1");
    assert!(
        matches!(events.last(), Some(Event::ProgressSteps { steps: 1, .. })),
        "the last event is not the storing step done: {:?}",
        events.last()
    );
    let Some(Event::ProgressBytes {
        bytes_cached,
        bytes,
        bytes_total,
        steps_cached,
        steps,
        steps_total,
        subtasks,
        ..
    }) = last_bytes
    else {
        panic!("no ProgressBytes: {events:?}");
    };
    assert_eq!((*bytes, *bytes_cached), (r.bytes, r.bytes_cached), "{r:?}");
    assert_eq!(bytes, bytes_total, "the last event is not complete");
    assert_eq!(steps, steps_total, "the last event is not complete");
    assert_eq!(steps_total + steps_cached, layers);
    if fresh {
        assert_eq!(
            (*steps_cached, *bytes_cached),
            (0, 0),
            "a fresh storage had blobs"
        );
        assert_eq!(*bytes, m.size());
        // A subtask per layer, the finished ones kept, each complete at the end.
        let ids: BTreeSet<&str> = subtasks.iter().map(|t| t.id.as_str()).collect();
        let want: BTreeSet<&str> = m.layers.iter().map(|(d, _)| &d[7..28]).collect();
        assert_eq!(ids, want);
        assert_eq!(subtasks.len(), m.layers.len(), "{subtasks:?}");
        assert!(
            subtasks.iter().all(|t| t.bytes == t.bytes_total),
            "{subtasks:?}"
        );
    } else {
        assert_eq!(
            (*steps_cached, *steps_total),
            (layers, 0),
            "not every layer cached"
        );
        // Every layer was there; podman may read the config blob again (4.3 does).
        let layer_bytes: u64 = m.layers.iter().map(|l| l.1).sum();
        assert!(
            *bytes_cached >= layer_bytes && *bytes <= m.config_size,
            "{r:?}"
        );
        assert!(subtasks.is_empty(), "{subtasks:?}");
    }
}

/// Decodes every line; the first is Start, once.
fn decode_all(lines: &[String]) -> Vec<Event> {
    let events: Vec<Event> = lines.iter().map(|l| decode(l)).collect();
    assert_eq!(
        events.first(),
        Some(&Event::Start {
            version: "0.1.0".into()
        }),
        "the first line is not Start"
    );
    let starts = events.iter().filter(|e| matches!(e, Event::Start { .. }));
    assert_eq!(starts.count(), 1, "Start more than once");
    events
}

fn id_of(e: &Event) -> &str {
    match e {
        Event::Start { .. } => "",
        Event::ProgressBytes { id, .. } | Event::ProgressSteps { id, .. } => id,
    }
}

/// The multi-layer image through the throttling relay (so that its layers finish one by one)
/// into a fresh storage, then the same image again into the same storage, each with a writer
/// of its own; on this release's podman and its route.
#[test]
fn a_fresh_pull_and_the_same_again_say_what_the_result_says() {
    let Some(fx) = Fixture::get() else { return };
    let image = fx.var("PODPULL_TEST_SLOW_IMAGE");
    let manifest = registry_manifest(&fx, image);
    assert!(
        manifest.layers.len() >= 2,
        "the test image has several layers"
    );
    let client = fx.connect();
    fx.assert_release_podman_runs();
    for fresh in [true, false] {
        let (r, lines) = capture(false, |w| pull(&client, image, w));
        eprintln!(
            "{} lines; the last:\n{}",
            lines.len(),
            lines.last().unwrap()
        );
        assert_eq!(r.image_id, fx.var("PODPULL_TEST_IMAGE_ID"));
        assert_eq!(r.route, fx.registry_route());
        let events = decode_all(&lines);
        check_pull(&events[1..], &r, &manifest, fresh);
    }
}

/// The 64 MiB image through the relay (about 4 s): its bytes are told while they flow, not
/// only when the layer is done. (podman reports bytes once a second, under bootc's 5 Hz, so
/// the dropping of lossy updates cannot be seen from here: tests/unit/test_bootc_progress.cpp
/// has it.)
#[test]
fn byte_updates_come_while_the_bytes_flow() {
    let Some(fx) = Fixture::get() else { return };
    let image = fx.var("PODPULL_TEST_SLOW_BIG_IMAGE");
    let manifest = registry_manifest(&fx, image);
    let client = fx.connect();
    let (r, lines) = capture(false, |w| pull(&client, image, w));
    let events = decode_all(&lines);
    check_pull(&events[1..], &r, &manifest, true);
    let flowing = events.iter().filter(|e| {
        matches!(e, Event::ProgressBytes { bytes, bytes_total, .. } if *bytes > 0 && bytes < bytes_total)
    });
    assert!(
        flowing.count() >= 2,
        "fewer than two updates while 64 MiB flowed: {lines:#?}"
    );
}

/// Several pulls share one writer, two of them at once on two threads and one after: one
/// Start, every line whole, and each pull's own events add up to its result.
#[test]
fn pulls_sharing_a_writer_write_one_start() {
    let Some(fx) = Fixture::get() else { return };
    let registry = fx.var("PODPULL_TEST_REGISTRY");
    let images: Vec<String> = fx
        .var("PODPULL_TEST_DISTINCT_IMAGES")
        .split_whitespace()
        .take(2)
        .map(|name| format!("{registry}/{name}"))
        .chain([fx.var("PODPULL_TEST_IMAGE").to_string()])
        .collect();
    let client = fx.connect();
    let (pulled, lines) = capture(false, |w| {
        let mut pulled = std::thread::scope(|s| {
            let at_once: Vec<_> = images[..2]
                .iter()
                .map(|image| s.spawn(|| pull(&client, image, w)))
                .collect();
            at_once
                .into_iter()
                .map(|t| t.join().unwrap())
                .collect::<Vec<_>>()
        });
        pulled.push(pull(&client, &images[2], w));
        pulled
    });
    let events = decode_all(&lines);
    for (image, r) in images.iter().zip(&pulled) {
        let manifest = registry_manifest(&fx, image);
        let own: Vec<Event> = events[1..]
            .iter()
            .filter(|e| id_of(e) == manifest.digest)
            .cloned()
            .collect();
        check_pull(&own, r, &manifest, true);
    }
    let ids: BTreeSet<&str> = events[1..].iter().map(id_of).collect();
    assert_eq!(ids.len(), 3, "events of something else: {ids:?}");
}

/// `after_start`: the host wrote Start itself, so the writer writes none. A writer whose
/// reader went away fails, says so once at Warn, and the pull goes on.
#[test]
fn after_start_writes_no_start_and_a_gone_reader_fails_the_writer_only() {
    let Some(fx) = Fixture::get() else { return };
    let image = fx.var("PODPULL_TEST_IMAGE");
    let warnings = Arc::new(Mutex::new(Vec::new()));
    let mut o = fx.connect_options();
    let log = warnings.clone();
    o.log = Some(Arc::new(move |level, msg: &str| {
        if level == LogLevel::Warn {
            log.lock().unwrap().push(msg.to_string());
        }
    }));
    let client = Client::connect(&o).unwrap();
    let (r, lines) = capture(true, |w| pull(&client, image, w));
    let events: Vec<Event> = lines.iter().map(|l| decode(l)).collect();
    assert!(
        matches!(events.first(), Some(Event::ProgressBytes { .. })),
        "{lines:?}"
    );
    assert!(!events.iter().any(|e| matches!(e, Event::Start { .. })));
    assert_eq!(
        events
            .iter()
            .filter(|e| id_of(e) == r.manifest_digest.as_deref().unwrap())
            .count(),
        events.len()
    );

    let (reader, writer) = pipe();
    drop(reader);
    let gone = ProgressWriter::new(writer.as_fd()).unwrap();
    let mut opts = PullOptions::default();
    opts.progress_writer = Some(gone.clone());
    let again = client
        .pull(image, &opts, |_| ControlFlow::Continue(()))
        .expect("the pull goes on without its events");
    assert_eq!(again.image_id, r.image_id);
    assert!(
        gone.failed(),
        "a write to a pipe without a reader did not fail"
    );
    let warnings = warnings.lock().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
}

/// Bad descriptors are refused before any pull: stdout, and one open for reading only.
#[test]
fn a_writer_needs_a_descriptor_open_for_writing_above_2() {
    let stdout = std::io::stdout();
    let err = ProgressWriter::new(stdout.as_fd()).unwrap_err();
    assert_eq!(err.code, podpull::ErrorCode::InvalidArgument, "{err}");
    let (reader, _writer) = pipe();
    let err = ProgressWriter::new(reader.as_fd()).unwrap_err();
    assert_eq!(err.code, podpull::ErrorCode::InvalidArgument, "{err}");
}
