// SPDX-License-Identifier: MIT OR Apache-2.0
//! Raw declarations of libpodpull's C ABI, `podpull.h` of ABI major 1: `#[repr(C)]` mirrors of
//! every type and, unless the `dlopen` feature is on, every function as an `extern "C"`
//! declaration. The safe API on top is the [`podpull`](https://docs.rs/podpull) crate; use this
//! one directly only to write another binding.
//!
//! libpodpull pulls container images through a private `podman system service`, with per-blob
//! byte progress, cancelling, and bootc's progress events. What every type, field and function
//! means is in `podpull.h` (installed with the library, `libpodpull-dev`), and the rules of the
//! ABI (init first, `struct_size`, zero tails, who frees what) in its `docs/abi.md`; each item
//! here names its C counterpart and the version that added it when that is after 1.0.
//!
//! ```
//! # #[cfg(not(feature = "dlopen"))] {
//! use std::ffi::CStr;
//! // A call that needs the library but no podman: which libpodpull is linked.
//! let version = unsafe { CStr::from_ptr(podpull_sys::podpull_version()) };
//! assert_eq!(unsafe { podpull_sys::podpull_abi_version() }, podpull_sys::PODPULL_ABI_MAJOR);
//! println!("libpodpull {}", version.to_str().unwrap());
//!
//! // Structs are filled by the library first, always with the sized init.
//! let mut opts: podpull_sys::podpull_pull_options = unsafe { std::mem::zeroed() };
//! unsafe {
//!     podpull_sys::podpull_pull_options_init_sized(&mut opts, std::mem::size_of_val(&opts))
//! };
//! assert_eq!(opts.struct_size as usize, std::mem::size_of_val(&opts));
//! assert_eq!(opts.tls_verify, 1);
//! # }
//! ```
//!
//! # Finding the library
//!
//! The build script links `libpodpull.so` found by `pkg-config podpull` (version 1.0 or later;
//! `PKG_CONFIG_PATH` is honoured), or the uninstalled build tree `PODPULL_LIB_DIR` names (and
//! then gives this crate's tests an rpath to it). It passes the directory on to dependents'
//! build scripts as `DEP_PODPULL_LIB_DIR`, and the header's as `DEP_PODPULL_INCLUDE`.
//!
//! With the `dlopen` feature nothing is linked and no function is declared: a host loads
//! `libpodpull.so.1` itself (with `dlopen(3)` or `libloading`), resolves the one symbol
//! [`PODPULL_GET_API_SYMBOL`] as a [`podpull_get_api_fn`], and calls everything through the
//! [`podpull_api`] table it returns, checking its `struct_size` before using a member added
//! after 1.0. Such a host builds and runs where the library is not installed.
//!
//! With `DOCS_RS` set in the environment (as on docs.rs) the build script probes, links and
//! compiles nothing, so the documentation builds without the library or pkg-config.
//!
//! # The layout test
//!
//! When `podpull.h` is at hand (`PODPULL_INCLUDE_DIR`, the podpull source tree, or pkg-config's
//! include path), the build script has the C compiler print every size, alignment and field
//! offset of the header, and this crate's unit test compares them with these mirrors, both
//! ways round.
//!
//! C enums are `c_uint` type aliases with constants (as bindgen makes them), so a value this
//! crate does not know yet, coming from a newer library, is never undefined behaviour.
#![allow(non_camel_case_types)]
#![deny(missing_docs)]
#![cfg_attr(not(test), no_std)]

use core::ffi::{c_char, c_int, c_uint, c_void};

/// The ABI major this mirror describes (`PODPULL_ABI_MAJOR`), the one to pass to
/// `podpull_get_api`; the SONAME is `libpodpull.so.1`.
pub const PODPULL_ABI_MAJOR: u32 = 1;

/// `podpull_client`: one podman service (started, or attached to) and its pulls. Opaque.
#[repr(C)]
pub struct podpull_client {
    _private: [u8; 0],
    _not_send_sync: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}
/// `podpull_error`: a code and a message. Opaque; freed with `podpull_error_free`.
#[repr(C)]
pub struct podpull_error {
    _private: [u8; 0],
    _not_send_sync: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}
/// `podpull_result`: what a successful pull produced. Opaque; freed with
/// `podpull_result_free`.
#[repr(C)]
pub struct podpull_result {
    _private: [u8; 0],
    _not_send_sync: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}
/// `podpull_canceller` (1.2): ends the calls it is handed to, and no other. Opaque.
#[repr(C)]
pub struct podpull_canceller {
    _private: [u8; 0],
    _not_send_sync: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}
/// `podpull_progress_writer` (1.5): writes bootc's progress events on a descriptor. Opaque.
#[repr(C)]
pub struct podpull_progress_writer {
    _private: [u8; 0],
    _not_send_sync: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}

/// `podpull_progress_writer_new`'s flag (1.5): the host wrote bootc's Start event itself.
pub const PODPULL_PROGRESS_START_SENT: u32 = 1;

/// `podpull_code`: what a call returns. A host treats a value it does not know as unknown.
pub type podpull_code = c_uint;
/// Success.
pub const PODPULL_OK: podpull_code = 0;
/// A bad option, NULL where not allowed, a malformed reference.
pub const PODPULL_ERR_INVALID_ARGUMENT: podpull_code = 1;
/// The podman binary could not be executed.
pub const PODPULL_ERR_PODMAN_NOT_FOUND: podpull_code = 2;
/// The service exited or never became ready, or is not podman.
pub const PODPULL_ERR_SERVICE: podpull_code = 3;
/// A socket or HTTP transport failure, a connection lost, `runtime_dir` full.
pub const PODPULL_ERR_IO: podpull_code = 4;
/// Malformed HTTP or NDJSON from the service.
pub const PODPULL_ERR_PROTOCOL: podpull_code = 5;
/// podman says the pull failed (registry, manifest, storage).
pub const PODPULL_ERR_PULL: podpull_code = 6;
/// The registry wants credentials, or refused them.
pub const PODPULL_ERR_AUTH: podpull_code = 7;
/// The image or tag does not exist.
pub const PODPULL_ERR_NOT_FOUND: podpull_code = 8;
/// `podpull_cancel`, a canceller, or a callback that returned nonzero.
pub const PODPULL_ERR_CANCELLED: podpull_code = 9;
/// The start timeout or the stall timeout.
pub const PODPULL_ERR_TIMEOUT: podpull_code = 10;
/// Out of memory, or a bug.
pub const PODPULL_ERR_INTERNAL: podpull_code = 11;
/// The signature policy refused the image (1.4).
pub const PODPULL_ERR_REJECTED: podpull_code = 12;

/// `podpull_route`: how a pull is carried out.
pub type podpull_route = c_uint;
/// Only as a request: let the library choose.
pub const PODPULL_ROUTE_AUTO: podpull_route = 0;
/// libpod pull with `pullProgress` (podman 6.0 and later): per-blob bytes.
pub const PODPULL_ROUTE_LIBPOD_PROGRESS: podpull_route = 1;
/// libpod pull with `compatMode` (podman 4.8 to 5.x): per-layer bytes.
pub const PODPULL_ROUTE_LIBPOD_COMPAT: podpull_route = 2;
/// `POST /images/create` (any podman): per-layer bytes.
pub const PODPULL_ROUTE_DOCKER_COMPAT: podpull_route = 3;
/// libpod pull, status text only.
pub const PODPULL_ROUTE_LIBPOD_TEXT: podpull_route = 4;
/// `podman pull` as a subprocess (local transports, a signature policy): status lines.
pub const PODPULL_ROUTE_SUBPROCESS: podpull_route = 5;

/// `podpull_policy`: when podman contacts the registry (`--pull`).
pub type podpull_policy = c_uint;
/// Always (the default).
pub const PODPULL_POLICY_ALWAYS: podpull_policy = 0;
/// Only when the image is missing from the storage.
pub const PODPULL_POLICY_MISSING: podpull_policy = 1;
/// When the registry's image is newer than the stored one.
pub const PODPULL_POLICY_NEWER: podpull_policy = 2;
/// Never: the image must be in the storage.
pub const PODPULL_POLICY_NEVER: podpull_policy = 3;

/// `podpull_log_level`: a diagnostics message's level.
pub type podpull_log_level = c_uint;
/// Debug.
pub const PODPULL_LOG_DEBUG: podpull_log_level = 0;
/// Info.
pub const PODPULL_LOG_INFO: podpull_log_level = 1;
/// Warning.
pub const PODPULL_LOG_WARN: podpull_log_level = 2;
/// Error.
pub const PODPULL_LOG_ERROR: podpull_log_level = 3;

/// `podpull_log_fn`: the diagnostics sink. `message` is valid only during the call and never
/// holds a credential; it may be called from the library's own threads.
pub type podpull_log_fn = Option<
    unsafe extern "C" fn(user_data: *mut c_void, level: podpull_log_level, message: *const c_char),
>;

/// `podpull_connect_options`: how to reach podman. Fill it with
/// `podpull_connect_options_init_sized` first. Strings are copied by the call; descriptors
/// stay the host's (the library duplicates what it keeps).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct podpull_connect_options {
    /// The size of the host's struct, set by the init.
    pub struct_size: u32,
    /// Default: `podman` from `PATH`.
    pub podman_path: *const c_char,
    /// `podman --root`; NULL: podman's default.
    pub storage_root: *const c_char,
    /// `podman --runroot`; NULL: podman's default.
    pub run_root: *const c_char,
    /// >= 0: given to every podman as fd 3 and passed as `--runroot /proc/self/fd/3` (bootc's
    /// layout); default -1.
    pub run_root_fd: c_int,
    /// `podman --storage-driver`; NULL: podman's default.
    pub storage_driver: *const c_char,
    /// A containers-auth.json(5) whose credentials, and no others, go with each pull.
    pub auth_file: *const c_char,
    /// The same as an open fd; default -1.
    pub auth_fd: c_int,
    /// Use this existing service instead of starting one.
    pub socket_path: *const c_char,
    /// Where the private socket directory is made.
    pub runtime_dir: *const c_char,
    /// Extra `KEY=VALUE` for the service and subprocesses, NULL-ended.
    pub env: *const *const c_char,
    /// Default 90000.
    pub start_timeout_ms: u32,
    /// Diagnostics; NULL: none.
    pub log: podpull_log_fn,
    /// Passed to `log`.
    pub log_user_data: *mut c_void,
    /// Since 1.2: when it fires, the connect stops what it started and returns
    /// [`PODPULL_ERR_CANCELLED`].
    pub canceller: *mut podpull_canceller,
    /// Since 1.5: the storage root as an open directory, seen by podman at
    /// `storage_root_alias`; default -1.
    pub storage_root_fd: c_int,
    /// Since 1.5: the absolute path podman sees `storage_root_fd` at.
    pub storage_root_alias: *const c_char,
}

/// `podpull_pull_options`: how to pull one image. Fill it with
/// `podpull_pull_options_init_sized` first.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct podpull_pull_options {
    /// The size of the host's struct, set by the init.
    pub struct_size: u32,
    /// Default [`PODPULL_POLICY_ALWAYS`].
    pub policy: podpull_policy,
    /// Default 1; 0 skips TLS verification.
    pub tls_verify: c_int,
    /// The platform's OS; NULL: the host's.
    pub os: *const c_char,
    /// The platform's architecture; NULL: the host's.
    pub arch: *const c_char,
    /// The platform's variant; NULL: the host's.
    pub variant: *const c_char,
    /// How often a pull that failed on a transient registry error is tried again; 0: podman's
    /// default.
    pub retries: u32,
    /// The wait between tries; 0: podman's default.
    pub retry_delay_ms: u32,
    /// Fail with [`PODPULL_ERR_TIMEOUT`] when podman is silent this long; 0: never.
    pub stall_timeout_ms: u32,
    /// Default [`PODPULL_ROUTE_AUTO`]; anything else forces that route or fails.
    pub route: podpull_route,
    /// Since 1.2: when it fires, this pull, and no other, ends with
    /// [`PODPULL_ERR_CANCELLED`].
    pub canceller: *mut podpull_canceller,
    /// Since 1.4: the signature policy (containers-policy.json(5)) this pull must satisfy.
    pub signature_policy: *const c_char,
    /// Since 1.5: bootc's progress events of this pull go here.
    pub progress_writer: *mut podpull_progress_writer,
}

/// `podpull_blob_state`: a blob's state in [`podpull_blob_progress`].
pub type podpull_blob_state = c_uint;
/// The blob's transfer began.
pub const PODPULL_BLOB_STARTED: podpull_blob_state = 0;
/// A byte report.
pub const PODPULL_BLOB_PULLING: podpull_blob_state = 1;
/// The blob is stored.
pub const PODPULL_BLOB_DONE: podpull_blob_state = 2;
/// The blob was in the storage already: cached, not fetched.
pub const PODPULL_BLOB_SKIPPED: podpull_blob_state = 3;

/// `podpull_blob_progress`: byte progress of one blob, with the whole pull's totals; valid only
/// during the callback. Read a field added after 1.0 only when `struct_size` covers it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct podpull_blob_progress {
    /// How much of the struct the library filled in.
    pub struct_size: u32,
    /// `"sha256:<hex>"`, the manifest's digest (without a manifest, a 12-hex short id on the
    /// compat routes).
    pub id: *const c_char,
    /// What happened to the blob.
    pub state: podpull_blob_state,
    /// Bytes of this blob fetched so far.
    pub current: u64,
    /// This blob's size, -1 when unknown.
    pub total: i64,
    /// Bytes of this pull's blobs in the storage so far, fetched and cached.
    pub pull_current: u64,
    /// Bytes of every blob of the image.
    pub pull_total: u64,
    /// Blobs podman has reported on.
    pub blobs_seen: u32,
    /// Blobs DONE or SKIPPED.
    pub blobs_done: u32,
    /// Since 1.2: the part of `pull_current` that was in the storage already.
    pub pull_cached: u64,
    /// Since 1.2: blobs of the image per its manifest; 0 without a manifest.
    pub blobs_total: u32,
    /// Since 1.2: blobs SKIPPED so far.
    pub blobs_cached: u32,
}

/// `podpull_callbacks`: what the host wants to hear during a pull, on the pulling thread.
/// Any member may be NULL. Fill it with `podpull_callbacks_init` first.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct podpull_callbacks {
    /// The size of the host's struct, set by the init.
    pub struct_size: u32,
    /// Passed to every callback.
    pub user_data: *mut c_void,
    /// The route chosen and why, once per pull, before any other callback.
    pub on_route: Option<
        unsafe extern "C" fn(user_data: *mut c_void, route: podpull_route, reason: *const c_char),
    >,
    /// One human-readable line from podman, without a newline.
    pub on_status: Option<unsafe extern "C" fn(user_data: *mut c_void, line: *const c_char)>,
    /// Byte progress of one blob; return 0 to go on, nonzero to cancel the pull.
    pub on_blob: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            progress: *const podpull_blob_progress,
        ) -> c_int,
    >,
}

/// `podpull_api`: every function, for hosts that load the library with `dlopen()`. It only
/// grows at its end: check `struct_size` before using a member added after the ABI the host was
/// built against (the members' docs say which).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct podpull_api {
    /// The size of the library's table.
    pub struct_size: u32,
    /// The ABI major it serves.
    pub abi_major: u32,
    /// `podpull_connect_options_init` (the 1.0 layout only).
    pub connect_options_init: Option<unsafe extern "C" fn(*mut podpull_connect_options)>,
    /// `podpull_pull_options_init` (the 1.0 layout only).
    pub pull_options_init: Option<unsafe extern "C" fn(*mut podpull_pull_options)>,
    /// `podpull_callbacks_init`.
    pub callbacks_init: Option<unsafe extern "C" fn(*mut podpull_callbacks)>,
    /// `podpull_connect`.
    pub connect: Option<
        unsafe extern "C" fn(
            *const podpull_connect_options,
            *mut *mut podpull_client,
            *mut *mut podpull_error,
        ) -> podpull_code,
    >,
    /// `podpull_pull`.
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
    /// `podpull_cancel`.
    pub cancel: Option<unsafe extern "C" fn(*mut podpull_client)>,
    /// `podpull_free`.
    pub free: Option<unsafe extern "C" fn(*mut podpull_client)>,
    /// `podpull_error_code`.
    pub error_code: Option<unsafe extern "C" fn(*const podpull_error) -> podpull_code>,
    /// `podpull_error_message`.
    pub error_message: Option<unsafe extern "C" fn(*const podpull_error) -> *const c_char>,
    /// `podpull_error_free`.
    pub error_free: Option<unsafe extern "C" fn(*mut podpull_error)>,
    /// `podpull_result_image_id`.
    pub result_image_id: Option<unsafe extern "C" fn(*const podpull_result) -> *const c_char>,
    /// `podpull_result_route`.
    pub result_route: Option<unsafe extern "C" fn(*const podpull_result) -> podpull_route>,
    /// `podpull_result_bytes`.
    pub result_bytes: Option<unsafe extern "C" fn(*const podpull_result) -> u64>,
    /// `podpull_result_free`.
    pub result_free: Option<unsafe extern "C" fn(*mut podpull_result)>,
    /// `podpull_code_str`.
    pub code_str: Option<unsafe extern "C" fn(podpull_code) -> *const c_char>,
    /// `podpull_version`.
    pub version: Option<unsafe extern "C" fn() -> *const c_char>,
    /// `podpull_abi_version`.
    pub abi_version: Option<unsafe extern "C" fn() -> u32>,
    /// Since 1.1: `podpull_route_str`.
    pub route_str: Option<unsafe extern "C" fn(podpull_route) -> *const c_char>,
    /// Since 1.2: `podpull_connect_options_init_sized`.
    pub connect_options_init_sized:
        Option<unsafe extern "C" fn(*mut podpull_connect_options, usize)>,
    /// Since 1.2: `podpull_pull_options_init_sized`.
    pub pull_options_init_sized: Option<unsafe extern "C" fn(*mut podpull_pull_options, usize)>,
    /// Since 1.2: `podpull_canceller_new`.
    pub canceller_new: Option<
        unsafe extern "C" fn(*mut *mut podpull_canceller, *mut *mut podpull_error) -> podpull_code,
    >,
    /// Since 1.2: `podpull_canceller_cancel`.
    pub canceller_cancel: Option<unsafe extern "C" fn(*mut podpull_canceller)>,
    /// Since 1.2: `podpull_canceller_is_cancelled`.
    pub canceller_is_cancelled: Option<unsafe extern "C" fn(*const podpull_canceller) -> c_int>,
    /// Since 1.2: `podpull_canceller_free`.
    pub canceller_free: Option<unsafe extern "C" fn(*mut podpull_canceller)>,
    /// Since 1.2: `podpull_result_bytes_cached`.
    pub result_bytes_cached: Option<unsafe extern "C" fn(*const podpull_result) -> u64>,
    /// Since 1.2: `podpull_result_blobs_total`.
    pub result_blobs_total: Option<unsafe extern "C" fn(*const podpull_result) -> u32>,
    /// Since 1.2: `podpull_result_blobs_cached`.
    pub result_blobs_cached: Option<unsafe extern "C" fn(*const podpull_result) -> u32>,
    /// Since 1.3: `podpull_error_retryable`.
    pub error_retryable: Option<unsafe extern "C" fn(*const podpull_error) -> c_int>,
    /// Since 1.5: `podpull_result_manifest_digest`.
    pub result_manifest_digest:
        Option<unsafe extern "C" fn(*const podpull_result) -> *const c_char>,
    /// Since 1.5: `podpull_progress_writer_new`.
    pub progress_writer_new: Option<
        unsafe extern "C" fn(
            c_int,
            u32,
            *mut *mut podpull_progress_writer,
            *mut *mut podpull_error,
        ) -> podpull_code,
    >,
    /// Since 1.5: `podpull_progress_writer_failed`.
    pub progress_writer_failed:
        Option<unsafe extern "C" fn(*const podpull_progress_writer) -> c_int>,
    /// Since 1.5: `podpull_progress_writer_free`.
    pub progress_writer_free: Option<unsafe extern "C" fn(*mut podpull_progress_writer)>,
}

#[cfg(not(feature = "dlopen"))]
extern "C" {
    /// Defaults of the ABI 1.0 layout only; prefer `podpull_connect_options_init_sized`.
    pub fn podpull_connect_options_init(opts: *mut podpull_connect_options);
    /// Defaults of the ABI 1.0 layout only; prefer `podpull_pull_options_init_sized`.
    pub fn podpull_pull_options_init(opts: *mut podpull_pull_options);
    /// Fills `cb` with NULLs and sets its `struct_size`.
    pub fn podpull_callbacks_init(cb: *mut podpull_callbacks);
    /// Starts a private podman service (or attaches to `socket_path`) and returns once it
    /// answers.
    pub fn podpull_connect(
        opts: *const podpull_connect_options,
        out: *mut *mut podpull_client,
        err: *mut *mut podpull_error,
    ) -> podpull_code;
    /// Pulls `image`, blocking; the callbacks run on this thread.
    pub fn podpull_pull(
        client: *mut podpull_client,
        image: *const c_char,
        opts: *const podpull_pull_options,
        cb: *const podpull_callbacks,
        result: *mut *mut podpull_result,
        err: *mut *mut podpull_error,
    ) -> podpull_code;
    /// Cancels every pull in flight on `client`; any thread, async-signal-safe.
    pub fn podpull_cancel(client: *mut podpull_client);
    /// Stops and reaps the service, removes its directory, frees `client`. NULL: no-op.
    pub fn podpull_free(client: *mut podpull_client);
    /// The error's code.
    pub fn podpull_error_code(err: *const podpull_error) -> podpull_code;
    /// The error's message, for a person; lives as long as `err`.
    pub fn podpull_error_message(err: *const podpull_error) -> *const c_char;
    /// Frees `err`. NULL: no-op.
    pub fn podpull_error_free(err: *mut podpull_error);
    /// Since 1.3: nonzero when retrying the same call later may succeed.
    pub fn podpull_error_retryable(err: *const podpull_error) -> c_int;
    /// The full 64-hex image ID; lives as long as `res`.
    pub fn podpull_result_image_id(res: *const podpull_result) -> *const c_char;
    /// The route the pull took.
    pub fn podpull_result_route(res: *const podpull_result) -> podpull_route;
    /// Bytes fetched, cached blobs excluded.
    pub fn podpull_result_bytes(res: *const podpull_result) -> u64;
    /// Frees `res`. NULL: no-op.
    pub fn podpull_result_free(res: *mut podpull_result);
    /// The code's C name (static, never NULL).
    pub fn podpull_code_str(code: podpull_code) -> *const c_char;
    /// The library's version, `"1.5.0"` (static).
    pub fn podpull_version() -> *const c_char;
    /// The library's ABI major.
    pub fn podpull_abi_version() -> u32;
    /// Since 1.1: the route's C name (static, never NULL).
    pub fn podpull_route_str(route: podpull_route) -> *const c_char;
    /// Since 1.2: defaults for exactly the host's struct of `size` bytes, and its
    /// `struct_size`.
    pub fn podpull_connect_options_init_sized(opts: *mut podpull_connect_options, size: usize);
    /// Since 1.2: defaults for exactly the host's struct of `size` bytes, and its
    /// `struct_size`.
    pub fn podpull_pull_options_init_sized(opts: *mut podpull_pull_options, size: usize);
    /// Since 1.2: a new canceller that has not fired.
    pub fn podpull_canceller_new(
        out: *mut *mut podpull_canceller,
        err: *mut *mut podpull_error,
    ) -> podpull_code;
    /// Since 1.2: fires it; any thread, async-signal-safe.
    pub fn podpull_canceller_cancel(canceller: *mut podpull_canceller);
    /// Since 1.2: nonzero once it has fired.
    pub fn podpull_canceller_is_cancelled(canceller: *const podpull_canceller) -> c_int;
    /// Since 1.2: frees it, once no call holds it. NULL: no-op.
    pub fn podpull_canceller_free(canceller: *mut podpull_canceller);
    /// Since 1.2: bytes of blobs that were in the storage already.
    pub fn podpull_result_bytes_cached(res: *const podpull_result) -> u64;
    /// Since 1.2: blobs of the image per its manifest.
    pub fn podpull_result_blobs_total(res: *const podpull_result) -> u32;
    /// Since 1.2: blobs found in the storage.
    pub fn podpull_result_blobs_cached(res: *const podpull_result) -> u32;
    /// Since 1.5: the image manifest's digest, `""` when it was not read.
    pub fn podpull_result_manifest_digest(res: *const podpull_result) -> *const c_char;
    /// Since 1.5: a writer of bootc's progress events on a duplicate of `fd` (the host keeps
    /// and closes its own `fd`; the writer closes its duplicate when freed).
    pub fn podpull_progress_writer_new(
        fd: c_int,
        flags: u32,
        out: *mut *mut podpull_progress_writer,
        err: *mut *mut podpull_error,
    ) -> podpull_code;
    /// Since 1.5: nonzero once a write error ended the writing.
    pub fn podpull_progress_writer_failed(writer: *const podpull_progress_writer) -> c_int;
    /// Since 1.5: frees it (closing its descriptor), once no pull holds it. NULL: no-op.
    pub fn podpull_progress_writer_free(writer: *mut podpull_progress_writer);
    /// The function table of ABI `abi_major`, or NULL when the library cannot serve it.
    pub fn podpull_get_api(abi_major: u32) -> *const podpull_api;
}

/// The name of the one symbol a `dlopen` host resolves, NUL-terminated.
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
