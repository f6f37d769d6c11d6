// SPDX-License-Identifier: MIT OR Apache-2.0
//! `dlopen` feature: a library without `podpull_get_api` (too old, or not podpull) is a clear
//! LibraryUnavailable error. (Its own test binary: the loaded library is cached per process.)
#![cfg(feature = "dlopen")]

#[test]
fn library_without_get_api_is_library_unavailable() {
    std::env::set_var("PODPULL_LIBRARY", "libc.so.6");
    let err = podpull::available().unwrap_err();
    assert_eq!(err.code, podpull::ErrorCode::LibraryUnavailable);
    assert!(err.message.contains("has no podpull_get_api"), "{err}");
}
