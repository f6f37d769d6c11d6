// SPDX-License-Identifier: MIT OR Apache-2.0
//! Passes on to this crate's own targets what podpull-sys's build script found (its
//! `links = "podpull"` metadata): the directory of the libpodpull it linked
//! (`DEP_PODPULL_LIB_DIR`) as an rpath of this crate's tests, examples and doctests, so that an
//! uninstalled build tree (`PODPULL_LIB_DIR`) runs without `LD_LIBRARY_PATH`; and the directory
//! of podpull.h (`DEP_PODPULL_INCLUDE`) as `PODPULL_SYS_INCLUDE` at compile time, for the test
//! that compiles a stand-in library (tests/dlopen_old_library.rs). Link arguments of a build
//! script reach only its own package's targets: nothing here reaches a crate that depends on
//! this one. Nothing to pass on with `dlopen` (no rpath) or `DOCS_RS`.
fn main() {
    for var in ["DEP_PODPULL_LIB_DIR", "DEP_PODPULL_INCLUDE"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    if let Some(dir) = std::env::var_os("DEP_PODPULL_LIB_DIR") {
        let dir = std::path::PathBuf::from(dir);
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    }
    if let Some(dir) = std::env::var_os("DEP_PODPULL_INCLUDE") {
        let dir = std::path::PathBuf::from(dir);
        println!("cargo:rustc-env=PODPULL_SYS_INCLUDE={}", dir.display());
    }
}
