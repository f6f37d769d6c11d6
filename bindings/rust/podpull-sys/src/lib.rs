// SPDX-License-Identifier: MIT OR Apache-2.0
//! The raw layer: `#[repr(C)]` mirrors of every type of `podpull.h` (ABI major 1) and, unless
//! the `dlopen` feature is on, its functions as `extern "C"` declarations.
//!
//! C enums are `c_uint` type aliases with constants (as bindgen makes them), so a value this
//! crate does not know yet, coming from a newer library, is never undefined behaviour.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_int, c_uint, c_void};

/// The ABI major this mirror describes (`PODPULL_ABI_MAJOR`).
pub const PODPULL_ABI_MAJOR: u32 = 1;

#[repr(C)]
pub struct podpull_client {
    _private: [u8; 0],
    _not_send_sync: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}
#[repr(C)]
pub struct podpull_error {
    _private: [u8; 0],
    _not_send_sync: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}
#[repr(C)]
pub struct podpull_result {
    _private: [u8; 0],
    _not_send_sync: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}
/// Since 1.2.
#[repr(C)]
pub struct podpull_canceller {
    _private: [u8; 0],
    _not_send_sync: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}
/// Since 1.5.
#[repr(C)]
pub struct podpull_progress_writer {
    _private: [u8; 0],
    _not_send_sync: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}

/// `podpull_progress_writer_new`'s flag (1.5): the host wrote bootc's Start event itself.
pub const PODPULL_PROGRESS_START_SENT: u32 = 1;

pub type podpull_code = c_uint;
pub const PODPULL_OK: podpull_code = 0;
pub const PODPULL_ERR_INVALID_ARGUMENT: podpull_code = 1;
pub const PODPULL_ERR_PODMAN_NOT_FOUND: podpull_code = 2;
pub const PODPULL_ERR_SERVICE: podpull_code = 3;
pub const PODPULL_ERR_IO: podpull_code = 4;
pub const PODPULL_ERR_PROTOCOL: podpull_code = 5;
pub const PODPULL_ERR_PULL: podpull_code = 6;
pub const PODPULL_ERR_AUTH: podpull_code = 7;
pub const PODPULL_ERR_NOT_FOUND: podpull_code = 8;
pub const PODPULL_ERR_CANCELLED: podpull_code = 9;
pub const PODPULL_ERR_TIMEOUT: podpull_code = 10;
pub const PODPULL_ERR_INTERNAL: podpull_code = 11;
pub const PODPULL_ERR_REJECTED: podpull_code = 12; // 1.4

pub type podpull_route = c_uint;
pub const PODPULL_ROUTE_AUTO: podpull_route = 0;
pub const PODPULL_ROUTE_LIBPOD_PROGRESS: podpull_route = 1;
pub const PODPULL_ROUTE_LIBPOD_COMPAT: podpull_route = 2;
pub const PODPULL_ROUTE_DOCKER_COMPAT: podpull_route = 3;
pub const PODPULL_ROUTE_LIBPOD_TEXT: podpull_route = 4;
pub const PODPULL_ROUTE_SUBPROCESS: podpull_route = 5;

pub type podpull_policy = c_uint;
pub const PODPULL_POLICY_ALWAYS: podpull_policy = 0;
pub const PODPULL_POLICY_MISSING: podpull_policy = 1;
pub const PODPULL_POLICY_NEWER: podpull_policy = 2;
pub const PODPULL_POLICY_NEVER: podpull_policy = 3;

pub type podpull_log_level = c_uint;
pub const PODPULL_LOG_DEBUG: podpull_log_level = 0;
pub const PODPULL_LOG_INFO: podpull_log_level = 1;
pub const PODPULL_LOG_WARN: podpull_log_level = 2;
pub const PODPULL_LOG_ERROR: podpull_log_level = 3;

pub type podpull_log_fn = Option<
    unsafe extern "C" fn(user_data: *mut c_void, level: podpull_log_level, message: *const c_char),
>;

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct podpull_connect_options {
    pub struct_size: u32,
    pub podman_path: *const c_char,
    pub storage_root: *const c_char,
    pub run_root: *const c_char,
    pub run_root_fd: c_int,
    pub storage_driver: *const c_char,
    pub auth_file: *const c_char,
    pub auth_fd: c_int,
    pub socket_path: *const c_char,
    pub runtime_dir: *const c_char,
    pub env: *const *const c_char,
    pub start_timeout_ms: u32,
    pub log: podpull_log_fn,
    pub log_user_data: *mut c_void,
    /// Since 1.2.
    pub canceller: *mut podpull_canceller,
    /// Since 1.5.
    pub storage_root_fd: c_int,
    /// Since 1.5.
    pub storage_root_alias: *const c_char,
}

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct podpull_pull_options {
    pub struct_size: u32,
    pub policy: podpull_policy,
    pub tls_verify: c_int,
    pub os: *const c_char,
    pub arch: *const c_char,
    pub variant: *const c_char,
    pub retries: u32,
    pub retry_delay_ms: u32,
    pub stall_timeout_ms: u32,
    pub route: podpull_route,
    /// Since 1.2.
    pub canceller: *mut podpull_canceller,
    /// Since 1.4.
    pub signature_policy: *const c_char,
    /// Since 1.5.
    pub progress_writer: *mut podpull_progress_writer,
}

pub type podpull_blob_state = c_uint;
pub const PODPULL_BLOB_STARTED: podpull_blob_state = 0;
pub const PODPULL_BLOB_PULLING: podpull_blob_state = 1;
pub const PODPULL_BLOB_DONE: podpull_blob_state = 2;
pub const PODPULL_BLOB_SKIPPED: podpull_blob_state = 3;

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct podpull_blob_progress {
    pub struct_size: u32,
    pub id: *const c_char,
    pub state: podpull_blob_state,
    pub current: u64,
    pub total: i64,
    pub pull_current: u64,
    pub pull_total: u64,
    pub blobs_seen: u32,
    pub blobs_done: u32,
    /// Since 1.2: read only when `struct_size` covers it.
    pub pull_cached: u64,
    /// Since 1.2.
    pub blobs_total: u32,
    /// Since 1.2.
    pub blobs_cached: u32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct podpull_callbacks {
    pub struct_size: u32,
    pub user_data: *mut c_void,
    pub on_route: Option<
        unsafe extern "C" fn(user_data: *mut c_void, route: podpull_route, reason: *const c_char),
    >,
    pub on_status: Option<unsafe extern "C" fn(user_data: *mut c_void, line: *const c_char)>,
    pub on_blob: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            progress: *const podpull_blob_progress,
        ) -> c_int,
    >,
}

/// `podpull_api`: every function, for hosts that load the library with `dlopen()`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct podpull_api {
    pub struct_size: u32,
    pub abi_major: u32,
    pub connect_options_init: Option<unsafe extern "C" fn(*mut podpull_connect_options)>,
    pub pull_options_init: Option<unsafe extern "C" fn(*mut podpull_pull_options)>,
    pub callbacks_init: Option<unsafe extern "C" fn(*mut podpull_callbacks)>,
    pub connect: Option<
        unsafe extern "C" fn(
            *const podpull_connect_options,
            *mut *mut podpull_client,
            *mut *mut podpull_error,
        ) -> podpull_code,
    >,
    pub pull: Option<
        unsafe extern "C" fn(
            *mut podpull_client,
            *const c_char,
            *const podpull_pull_options,
            *const podpull_callbacks,
            *mut *mut podpull_result,
            *mut *mut podpull_error,
        ) -> podpull_code,
    >,
    pub cancel: Option<unsafe extern "C" fn(*mut podpull_client)>,
    pub free: Option<unsafe extern "C" fn(*mut podpull_client)>,
    pub error_code: Option<unsafe extern "C" fn(*const podpull_error) -> podpull_code>,
    pub error_message: Option<unsafe extern "C" fn(*const podpull_error) -> *const c_char>,
    pub error_free: Option<unsafe extern "C" fn(*mut podpull_error)>,
    pub result_image_id: Option<unsafe extern "C" fn(*const podpull_result) -> *const c_char>,
    pub result_route: Option<unsafe extern "C" fn(*const podpull_result) -> podpull_route>,
    pub result_bytes: Option<unsafe extern "C" fn(*const podpull_result) -> u64>,
    pub result_free: Option<unsafe extern "C" fn(*mut podpull_result)>,
    pub code_str: Option<unsafe extern "C" fn(podpull_code) -> *const c_char>,
    pub version: Option<unsafe extern "C" fn() -> *const c_char>,
    pub abi_version: Option<unsafe extern "C" fn() -> u32>,
    /// Since 1.1.
    pub route_str: Option<unsafe extern "C" fn(podpull_route) -> *const c_char>,
    /// Since 1.2.
    pub connect_options_init_sized:
        Option<unsafe extern "C" fn(*mut podpull_connect_options, usize)>,
    /// Since 1.2.
    pub pull_options_init_sized: Option<unsafe extern "C" fn(*mut podpull_pull_options, usize)>,
    /// Since 1.2.
    pub canceller_new: Option<
        unsafe extern "C" fn(*mut *mut podpull_canceller, *mut *mut podpull_error) -> podpull_code,
    >,
    /// Since 1.2.
    pub canceller_cancel: Option<unsafe extern "C" fn(*mut podpull_canceller)>,
    /// Since 1.2.
    pub canceller_is_cancelled: Option<unsafe extern "C" fn(*const podpull_canceller) -> c_int>,
    /// Since 1.2.
    pub canceller_free: Option<unsafe extern "C" fn(*mut podpull_canceller)>,
    /// Since 1.2.
    pub result_bytes_cached: Option<unsafe extern "C" fn(*const podpull_result) -> u64>,
    /// Since 1.2.
    pub result_blobs_total: Option<unsafe extern "C" fn(*const podpull_result) -> u32>,
    /// Since 1.2.
    pub result_blobs_cached: Option<unsafe extern "C" fn(*const podpull_result) -> u32>,
    /// Since 1.3.
    pub error_retryable: Option<unsafe extern "C" fn(*const podpull_error) -> c_int>,
    /// Since 1.5.
    pub result_manifest_digest:
        Option<unsafe extern "C" fn(*const podpull_result) -> *const c_char>,
    /// Since 1.5.
    pub progress_writer_new: Option<
        unsafe extern "C" fn(
            c_int,
            u32,
            *mut *mut podpull_progress_writer,
            *mut *mut podpull_error,
        ) -> podpull_code,
    >,
    /// Since 1.5.
    pub progress_writer_failed:
        Option<unsafe extern "C" fn(*const podpull_progress_writer) -> c_int>,
    /// Since 1.5.
    pub progress_writer_free: Option<unsafe extern "C" fn(*mut podpull_progress_writer)>,
}

#[cfg(not(feature = "dlopen"))]
extern "C" {
    pub fn podpull_connect_options_init(opts: *mut podpull_connect_options);
    pub fn podpull_pull_options_init(opts: *mut podpull_pull_options);
    pub fn podpull_callbacks_init(cb: *mut podpull_callbacks);
    pub fn podpull_connect(
        opts: *const podpull_connect_options,
        out: *mut *mut podpull_client,
        err: *mut *mut podpull_error,
    ) -> podpull_code;
    pub fn podpull_pull(
        client: *mut podpull_client,
        image: *const c_char,
        opts: *const podpull_pull_options,
        cb: *const podpull_callbacks,
        result: *mut *mut podpull_result,
        err: *mut *mut podpull_error,
    ) -> podpull_code;
    pub fn podpull_cancel(client: *mut podpull_client);
    pub fn podpull_free(client: *mut podpull_client);
    pub fn podpull_error_code(err: *const podpull_error) -> podpull_code;
    pub fn podpull_error_message(err: *const podpull_error) -> *const c_char;
    pub fn podpull_error_free(err: *mut podpull_error);
    pub fn podpull_error_retryable(err: *const podpull_error) -> c_int;
    pub fn podpull_result_image_id(res: *const podpull_result) -> *const c_char;
    pub fn podpull_result_route(res: *const podpull_result) -> podpull_route;
    pub fn podpull_result_bytes(res: *const podpull_result) -> u64;
    pub fn podpull_result_free(res: *mut podpull_result);
    pub fn podpull_code_str(code: podpull_code) -> *const c_char;
    pub fn podpull_version() -> *const c_char;
    pub fn podpull_abi_version() -> u32;
    pub fn podpull_route_str(route: podpull_route) -> *const c_char;
    pub fn podpull_connect_options_init_sized(opts: *mut podpull_connect_options, size: usize);
    pub fn podpull_pull_options_init_sized(opts: *mut podpull_pull_options, size: usize);
    pub fn podpull_canceller_new(
        out: *mut *mut podpull_canceller,
        err: *mut *mut podpull_error,
    ) -> podpull_code;
    pub fn podpull_canceller_cancel(canceller: *mut podpull_canceller);
    pub fn podpull_canceller_is_cancelled(canceller: *const podpull_canceller) -> c_int;
    pub fn podpull_canceller_free(canceller: *mut podpull_canceller);
    pub fn podpull_result_bytes_cached(res: *const podpull_result) -> u64;
    pub fn podpull_result_blobs_total(res: *const podpull_result) -> u32;
    pub fn podpull_result_blobs_cached(res: *const podpull_result) -> u32;
    pub fn podpull_result_manifest_digest(res: *const podpull_result) -> *const c_char;
    pub fn podpull_progress_writer_new(
        fd: c_int,
        flags: u32,
        out: *mut *mut podpull_progress_writer,
        err: *mut *mut podpull_error,
    ) -> podpull_code;
    pub fn podpull_progress_writer_failed(writer: *const podpull_progress_writer) -> c_int;
    pub fn podpull_progress_writer_free(writer: *mut podpull_progress_writer);
    pub fn podpull_get_api(abi_major: u32) -> *const podpull_api;
}

/// The name of the one symbol a `dlopen` host resolves.
pub const PODPULL_GET_API_SYMBOL: &[u8] = b"podpull_get_api\0";
/// `podpull_get_api`'s type.
pub type podpull_get_api_fn = unsafe extern "C" fn(abi_major: u32) -> *const podpull_api;

#[cfg(test)]
mod layout_tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::mem::{align_of, offset_of, size_of};

    mod c {
        include!(concat!(env!("OUT_DIR"), "/c_layout.rs"));
    }

    macro_rules! layout {
        ($map:ident, $t:ident { $($f:ident),* $(,)? }) => {{
            $map.insert((stringify!($t), "<size>"), size_of::<$t>());
            $map.insert((stringify!($t), "<align>"), align_of::<$t>());
            $( $map.insert((stringify!($t), stringify!($f)), offset_of!($t, $f)); )*
        }};
    }

    fn rust_layout() -> BTreeMap<(&'static str, &'static str), usize> {
        let mut m = BTreeMap::new();
        m.insert(("PODPULL_ABI_MAJOR", "<value>"), PODPULL_ABI_MAJOR as usize);
        m.insert(
            ("PODPULL_PROGRESS_START_SENT", "<value>"),
            PODPULL_PROGRESS_START_SENT as usize,
        );
        layout!(m, podpull_code {});
        layout!(m, podpull_route {});
        layout!(m, podpull_policy {});
        layout!(m, podpull_log_level {});
        layout!(m, podpull_blob_state {});
        layout!(
            m,
            podpull_connect_options {
                struct_size,
                podman_path,
                storage_root,
                run_root,
                run_root_fd,
                storage_driver,
                auth_file,
                auth_fd,
                socket_path,
                runtime_dir,
                env,
                start_timeout_ms,
                log,
                log_user_data,
                canceller,
                storage_root_fd,
                storage_root_alias
            }
        );
        layout!(
            m,
            podpull_pull_options {
                struct_size,
                policy,
                tls_verify,
                os,
                arch,
                variant,
                retries,
                retry_delay_ms,
                stall_timeout_ms,
                route,
                canceller,
                signature_policy,
                progress_writer
            }
        );
        layout!(
            m,
            podpull_blob_progress {
                struct_size,
                id,
                state,
                current,
                total,
                pull_current,
                pull_total,
                blobs_seen,
                blobs_done,
                pull_cached,
                blobs_total,
                blobs_cached
            }
        );
        layout!(
            m,
            podpull_callbacks {
                struct_size,
                user_data,
                on_route,
                on_status,
                on_blob
            }
        );
        layout!(
            m,
            podpull_api {
                struct_size,
                abi_major,
                connect_options_init,
                pull_options_init,
                callbacks_init,
                connect,
                pull,
                cancel,
                free,
                error_code,
                error_message,
                error_free,
                result_image_id,
                result_route,
                result_bytes,
                result_free,
                code_str,
                version,
                abi_version,
                route_str,
                connect_options_init_sized,
                pull_options_init_sized,
                canceller_new,
                canceller_cancel,
                canceller_is_cancelled,
                canceller_free,
                result_bytes_cached,
                result_blobs_total,
                result_blobs_cached,
                error_retryable,
                result_manifest_digest,
                progress_writer_new,
                progress_writer_failed,
                progress_writer_free
            }
        );
        m
    }

    /// Every size, alignment and field offset equals the C compiler's, both ways round.
    #[test]
    fn layout_matches_the_c_compiler() {
        if let Some(e) = c::C_LAYOUT_ERROR {
            panic!("no C layout to compare with: {e}");
        }
        let rust = rust_layout();
        let c: BTreeMap<_, _> = c::C_LAYOUT.iter().map(|&(t, f, n)| ((t, f), n)).collect();
        let mut problems = Vec::new();
        for (key, n) in &c {
            match rust.get(key) {
                Some(r) if r == n => {}
                Some(r) => problems.push(format!("{}.{}: C {n}, Rust {r}", key.0, key.1)),
                None => problems.push(format!("{}.{}: in C, not checked in Rust", key.0, key.1)),
            }
        }
        for key in rust.keys() {
            if !c.contains_key(key) {
                problems.push(format!(
                    "{}.{}: in Rust, not printed by layout.c",
                    key.0, key.1
                ));
            }
        }
        assert!(
            problems.is_empty(),
            "layout mismatches:\n  {}",
            problems.join("\n  ")
        );
        assert!(c.len() > 60, "suspiciously few entries: {}", c.len());
    }

    /// The linked library serves ABI 1 and nothing else.
    #[cfg(not(feature = "dlopen"))]
    #[test]
    fn linked_symbols_answer() {
        unsafe {
            assert_eq!(podpull_abi_version(), PODPULL_ABI_MAJOR);
            assert!(podpull_get_api(2).is_null());
            assert!(podpull_get_api(0).is_null());
            let api = &*podpull_get_api(1);
            assert_eq!(api.abi_major, 1);
            assert!(api.struct_size as usize >= size_of::<podpull_api>());
            let s = std::ffi::CStr::from_ptr(podpull_code_str(PODPULL_ERR_AUTH));
            assert_eq!(s.to_str().unwrap(), "PODPULL_ERR_AUTH");
        }
    }
}
