// SPDX-License-Identifier: MIT OR Apache-2.0
//! Finds libpodpull, links it, and checks podpull.h's layout.
//!
//! Linking (the default): `PODPULL_LIB_DIR=/path/to/build` links the uninstalled
//! `libpodpull.so` there (and adds an rpath to it for this crate's tests); otherwise
//! `pkg-config podpull` (honouring `PKG_CONFIG_PATH`) must find it. Either way the directory
//! is passed on to the build scripts of crates that depend on this one as
//! `DEP_PODPULL_LIB_DIR` (`links = "podpull"`), so that the `podpull` crate can give its own
//! tests and examples the same rpath (link arguments do not travel to dependents).
//!
//! Feature `dlopen`: nothing is linked; the library is loaded at run time.
//!
//! `DOCS_RS` set (docs.rs, or a documentation build on a machine without the library): nothing
//! is probed, linked or compiled, and nothing fails: rustdoc needs none of it.
//!
//! Unless `DOCS_RS` is set, if podpull.h can be found (`PODPULL_INCLUDE_DIR`, the source tree
//! this crate sits in, or pkg-config's include path), a tiny C program prints the C compiler's
//! sizes and offsets of every struct into `$OUT_DIR/c_layout.rs` for the layout test in
//! `src/lib.rs`.
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    for var in [
        "PODPULL_LIB_DIR",
        "PODPULL_INCLUDE_DIR",
        "PKG_CONFIG_PATH",
        "DOCS_RS",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=layout/layout.c");
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap()).join("c_layout.rs");
    if env::var_os("DOCS_RS").is_some() {
        write_layout(
            &out,
            Err("DOCS_RS is set: documentation only".into()),
            false,
        );
        return;
    }
    let dlopen = env::var_os("CARGO_FEATURE_DLOPEN").is_some();
    let lib_dir = env::var_os("PODPULL_LIB_DIR").map(PathBuf::from);

    let mut include_dirs: Vec<PathBuf> = Vec::new();
    if let Some(dir) = env::var_os("PODPULL_INCLUDE_DIR") {
        include_dirs.push(dir.into());
    }
    // The crate inside podpull's own source tree (bindings/rust/podpull-sys).
    include_dirs.push(manifest.join("../../../include"));

    if let Some(dir) = &lib_dir {
        if !dlopen {
            if !dir.join("libpodpull.so").exists() {
                panic!(
                    "PODPULL_LIB_DIR={} has no libpodpull.so (build the `podpull` CMake target there)",
                    dir.display()
                );
            }
            println!("cargo:rustc-link-search=native={}", dir.display());
            println!("cargo:rustc-link-lib=dylib=podpull");
            // This crate's tests find the uninstalled library without LD_LIBRARY_PATH.
            println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
            println!("cargo:lib_dir={}", dir.display());
        }
    } else {
        let probe = pkg_config::Config::new()
            .atleast_version("1.0")
            .cargo_metadata(!dlopen)
            .probe("podpull");
        match probe {
            Ok(lib) => {
                if !dlopen {
                    if let Some(dir) = lib.link_paths.first() {
                        println!("cargo:lib_dir={}", dir.display());
                    }
                }
                include_dirs.extend(lib.include_paths)
            }
            Err(e) if !dlopen => panic!(
                "cannot find libpodpull with pkg-config ({e}).\n\
                 Install it (Debian: libpodpull-dev), point PKG_CONFIG_PATH at its podpull.pc, \
                 set PODPULL_LIB_DIR to an uninstalled build tree, or use the `dlopen` feature \
                 (set DOCS_RS=1 to build only the documentation)."
            ),
            Err(_) => {}
        }
    }

    let header_dir = include_dirs.iter().find(|d| d.join("podpull.h").exists());
    if let Some(dir) = header_dir {
        println!("cargo:include={}", dir.display());
    }
    let layout = match header_dir {
        Some(dir) => c_layout(&manifest, dir),
        None => Err("podpull.h not found (set PODPULL_INCLUDE_DIR)".to_string()),
    };
    write_layout(&out, layout, true);
}

/// Writes `$OUT_DIR/c_layout.rs`: the C compiler's numbers, or why there are none.
fn write_layout(out: &Path, layout: Result<String, String>, warn: bool) {
    let text = match layout {
        Ok(text) => format!("pub const C_LAYOUT_ERROR: Option<&str> = None;\n{text}"),
        Err(e) => {
            if warn {
                println!("cargo:warning=the layout test cannot run: {e}");
            }
            format!(
                "pub const C_LAYOUT_ERROR: Option<&str> = Some({e:?});\n\
                 pub const C_LAYOUT: &[(&str, &str, usize)] = &[];\n"
            )
        }
    };
    fs::write(out, text).unwrap();
}

/// Compiles layout/layout.c against `include` with the target's C compiler and runs it.
fn c_layout(manifest: &Path, include: &Path) -> Result<String, String> {
    println!(
        "cargo:rerun-if-changed={}",
        include.join("podpull.h").display()
    );
    if env::var("HOST").ok() != env::var("TARGET").ok() {
        return Err("cross-compiling: the layout program cannot run here".into());
    }
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let exe = out_dir.join("podpull-layout");
    let compiler = cc::Build::new().cargo_metadata(false).get_compiler();
    let status = compiler
        .to_command()
        .arg("-std=c11")
        .arg("-I")
        .arg(include)
        .arg(manifest.join("layout/layout.c"))
        .arg("-o")
        .arg(&exe)
        .status()
        .map_err(|e| format!("cannot run the C compiler: {e}"))?;
    if !status.success() {
        return Err(format!("compiling layout/layout.c failed: {status}"));
    }
    let output = Command::new(&exe)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    if !output.status.success() {
        return Err(format!("{} failed: {}", exe.display(), output.status));
    }
    String::from_utf8(output.stdout).map_err(|e| e.to_string())
}
