// SPDX-License-Identifier: MIT OR Apache-2.0
//! `dlopen` feature: no library at all is a clear LibraryUnavailable error, not a crash, so a
//! host can fall back. (Its own test binary: the loaded library is cached per process.)
#![cfg(feature = "dlopen")]

#[test]
fn missing_library_is_library_unavailable() {
    // Built with `dlopen`, the test binary does not link libpodpull: it is not mapped.
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    assert!(
        !maps.contains("libpodpull"),
        "libpodpull is linked despite the dlopen feature"
    );
    std::env::set_var("PODPULL_LIBRARY", "/nonexistent/libpodpull.so.1");
    let err = podpull::available().unwrap_err();
    assert_eq!(err.code, podpull::ErrorCode::LibraryUnavailable);
    assert!(
        err.message
            .contains("cannot load /nonexistent/libpodpull.so.1"),
        "{err}"
    );
    let err = podpull::Client::connect(&podpull::ConnectOptions::default()).unwrap_err();
    assert_eq!(err.code, podpull::ErrorCode::LibraryUnavailable, "{err}");
}
