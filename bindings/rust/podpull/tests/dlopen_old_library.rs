// SPDX-License-Identifier: MIT OR Apache-2.0
//! `dlopen` feature: a library older than 1.5, whose function table ends before 1.5's entries,
//! still serves everything it has, and a 1.5 feature asked of it is a clear LibraryUnavailable
//! error that names 1.5, before anything starts. The library is tests/support/podpull_1_4.c,
//! compiled here: the real one behind a 1.4-sized table. (Its own test binary: the loaded
//! library is cached per process.)
#![cfg(feature = "dlopen")]

mod common;

use podpull::{Client, ConnectOptions, ErrorCode, ProgressWriter, PullOptions, Route};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Compiles the 1.4 stand-in with the C compiler cargo's `cc` would use.
fn library_1_4() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // podpull.h where podpull-sys found it (build.rs), else the source tree's.
    let include = option_env!("PODPULL_SYS_INCLUDE")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir.join("../../../include"));
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("libpodpull-1.4.so");
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&compiler)
        .args(["-std=c11", "-shared", "-fPIC", "-Wall", "-Werror", "-I"])
        .arg(include)
        .arg(crate_dir.join("tests/support/podpull_1_4.c"))
        .arg("-o")
        .arg(&out)
        .arg("-ldl")
        .status()
        .unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"));
    assert!(status.success(), "compiling podpull_1_4.c: {status}");
    out
}

#[test]
fn a_1_5_feature_of_an_older_library_is_library_unavailable() {
    // The real library, as run-cargo-tests.sh names it, behind the stand-in.
    let real = std::env::var_os("PODPULL_LIBRARY").unwrap_or_else(|| "libpodpull.so.1".into());
    std::env::set_var("PODPULL_REAL_LIBRARY", real);
    std::env::set_var("PODPULL_LIBRARY", library_1_4());
    podpull::available().expect("a 1.4 library serves this crate");
    assert_eq!(podpull::version().unwrap(), "1.4.0");

    let devnull = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .unwrap();
    let err = ProgressWriter::new(devnull.as_fd()).unwrap_err();
    assert_eq!(err.code, ErrorCode::LibraryUnavailable, "{err}");
    assert_eq!(
        err.message,
        "ProgressWriter needs libpodpull 1.5 or later; the one in use is 1.4.0"
    );

    let storage = std::env::temp_dir();
    let dir = std::fs::File::open(&storage).unwrap();
    let mut o = ConnectOptions::default();
    o.podman_path = Some("/nonexistent/podman".into()); // it must not get that far
    o.storage_root_fd = Some(dir.as_fd());
    let err = Client::connect(&o).unwrap_err();
    assert_eq!(err.code, ErrorCode::LibraryUnavailable, "{err}");
    assert!(err.message.contains("needs libpodpull 1.5"), "{err}");
    let mut o = ConnectOptions::default();
    o.storage_root_alias = Some("/run/bootc/storage".into());
    let err = Client::connect(&o).unwrap_err();
    assert_eq!(err.code, ErrorCode::LibraryUnavailable, "{err}");

    // What 1.4 has still works, and the result has no manifest digest.
    let Some(fx) = common::Fixture::get() else {
        return;
    };
    let client = fx.connect();
    let image = format!("oci-archive:{}", fx.var("PODPULL_TEST_OCI_ARCHIVE"));
    let r = client
        .pull(&image, &PullOptions::default(), |_| {
            std::ops::ControlFlow::Continue(())
        })
        .expect("a pull through the 1.4 table");
    assert_eq!(r.image_id, fx.var("PODPULL_TEST_OCI_ARCHIVE_ID"));
    assert_eq!((r.route, r.manifest_digest), (Route::Subprocess, None));
}
