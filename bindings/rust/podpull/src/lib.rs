// SPDX-License-Identifier: MIT OR Apache-2.0
//! Safe Rust bindings for libpodpull: pull container images through a private podman
//! service, with per-blob byte progress, cancelling, and bootc's progress events.
//!
//! The library is found at build time by [`podpull-sys`](sys) (`pkg-config podpull`, or
//! `PODPULL_LIB_DIR`), or, with the `dlopen` feature, loaded at run time. This example runs
//! anywhere the library is, without podman: it asks the library's version, makes a
//! [`Canceller`], and shows what a connect to a podman that is not there returns.
//!
//! ```
//! use podpull::{Canceller, Client, ConnectOptions, ErrorCode};
//!
//! podpull::available()?; // with `dlopen`: Err(LibraryUnavailable) where it is not installed
//! println!("libpodpull {}", podpull::version()?);
//!
//! let stop = Canceller::new()?; // Send + Sync + Clone: cancel() from any thread
//! assert!(!stop.is_cancelled());
//!
//! let mut opts = ConnectOptions::default();
//! opts.podman_path = Some("/nonexistent/podman".into());
//! let err = Client::connect(&opts).unwrap_err();
//! assert_eq!(err.code, ErrorCode::PodmanNotFound, "{err}");
//! # Ok::<(), podpull::Error>(())
//! ```
//!
//! A pull (this one needs podman and a registry, so it is only compiled here):
//!
//! ```no_run
//! use std::ops::ControlFlow;
//! let client = podpull::Client::connect(&podpull::ConnectOptions::default())?;
//! let result = client.pull("quay.io/fedora/fedora:latest", &podpull::PullOptions::default(), |event| {
//!     if let podpull::Event::Blob(b) = event {
//!         eprintln!("{} {}/{:?}", b.id, b.current, b.total);
//!     }
//!     ControlFlow::Continue(()) // Break(()) cancels this pull
//! })?;
//! println!("{}", result.image_id);
//! # Ok::<(), podpull::Error>(())
//! ```
//!
//! With the `async` feature, `Client::connect_async` and `Client::pull_async` give futures
//! for any executor; a pull is also a source of events, and dropping it cancels that pull alone
//! (compiled only, too):
//!
//! ```no_run
//! # #[cfg(feature = "async")]
//! # async fn f() -> podpull::Result<()> {
//! let client = podpull::Client::connect_async(&podpull::ConnectOptions::default())?.await?;
//! let mut pull = client.pull_async("quay.io/fedora/fedora:latest", &Default::default())?;
//! while let Some(event) = pull.next_event().await {
//!     eprintln!("{event:?}");
//! }
//! println!("{}", pull.await?.image_id);
//! # Ok(()) }
//! ```
//!
//! Cancelling: a [`Canceller`] ends the calls it is handed to and no other (from any thread or a
//! signal handler); [`Client::cancel_all`] ends every pull of a client.
//!
//! bootc's layout and its events (libpodpull 1.5): [`ConnectOptions::storage_root_fd`] hands
//! the storage over as an open directory, and a [`ProgressWriter`] in
//! [`PullOptions::progress_writer`] writes what `bootc upgrade --progress-fd` writes.
//!
//! # Descriptors: who closes what
//!
//! Every descriptor this crate takes is a [`BorrowedFd`]: it stays the caller's, to close when
//! it likes once the call that borrowed it has returned. What keeps a descriptor keeps a
//! duplicate of its own ([`OwnedFd`], close-on-exec) and closes it when it goes: a [`Client`]
//! those of [`ConnectOptions::run_root_fd`], [`auth_fd`](ConnectOptions::auth_fd) and
//! [`storage_root_fd`](ConnectOptions::storage_root_fd), once its service has stopped; a
//! [`ProgressWriter`] the one of [`ProgressWriter::new`], when its last clone is dropped.
//!
//! # Features
//!
//! - `dlopen`: nothing is linked; `libpodpull.so.1` (or `$PODPULL_LIBRARY`) is loaded at run
//!   time through `podpull_get_api` alone, the first time the library is needed. A host built
//!   so runs where the library is not installed, and every call then fails with
//!   [`ErrorCode::LibraryUnavailable`] and a message that says what is missing;
//!   [`available`] asks first, so that a host can fall back to something else.
//! - `async`: `Client::connect_async` and `Client::pull_async` (`Connect`, `Pull`,
//!   `PullEvents`), with no runtime of their own.
//!
//! The raw declarations are [`sys`], the `podpull-sys` crate re-exported.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]

pub use podpull_sys as sys;

use std::any::Any;
use std::ffi::{CStr, CString};
use std::fmt;
use std::ops::ControlFlow;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[cfg(feature = "async")]
mod async_pull;
#[cfg(feature = "async")]
pub use async_pull::{Connect, Pull, PullEvents};

// ---- errors ---------------------------------------------------------------------------------

/// What went wrong: `podpull_code`, plus [`ErrorCode::LibraryUnavailable`] for the `dlopen`
/// feature and [`ErrorCode::Unknown`] for codes of a newer library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A bad option or argument, a malformed reference, an fd that is not open.
    InvalidArgument,
    /// The podman binary could not be executed.
    PodmanNotFound,
    /// The service exited or never became ready, or is not podman.
    Service,
    /// A socket or HTTP transport failure, a connection lost.
    Io,
    /// Malformed HTTP or NDJSON from the service.
    Protocol,
    /// podman says the pull failed (registry, manifest, storage).
    Pull,
    /// The registry wants credentials, or refused them.
    Auth,
    /// The image or tag does not exist.
    NotFound,
    /// A [`Canceller`], [`Client::cancel_all`], or the event closure's `Break`.
    Cancelled,
    /// The start timeout or the stall timeout.
    Timeout,
    /// Out of memory, a bug, a thread that could not be started.
    Internal,
    /// The signature policy refused the image (libpodpull 1.4; before, `Pull`).
    Rejected,
    /// The library could not be loaded, lacks `podpull_get_api`, or cannot serve ABI 1
    /// (`dlopen` feature only), or is older than a feature asked for needs (a
    /// [`ProgressWriter`] or [`ConnectOptions::storage_root_fd`] from a library before 1.5;
    /// the message names the version). Never from the C library itself.
    LibraryUnavailable,
    /// A code this crate does not know.
    Unknown(u32),
}

impl ErrorCode {
    fn from_raw(code: sys::podpull_code) -> ErrorCode {
        match code {
            sys::PODPULL_ERR_INVALID_ARGUMENT => ErrorCode::InvalidArgument,
            sys::PODPULL_ERR_PODMAN_NOT_FOUND => ErrorCode::PodmanNotFound,
            sys::PODPULL_ERR_SERVICE => ErrorCode::Service,
            sys::PODPULL_ERR_IO => ErrorCode::Io,
            sys::PODPULL_ERR_PROTOCOL => ErrorCode::Protocol,
            sys::PODPULL_ERR_PULL => ErrorCode::Pull,
            sys::PODPULL_ERR_AUTH => ErrorCode::Auth,
            sys::PODPULL_ERR_NOT_FOUND => ErrorCode::NotFound,
            sys::PODPULL_ERR_CANCELLED => ErrorCode::Cancelled,
            sys::PODPULL_ERR_TIMEOUT => ErrorCode::Timeout,
            sys::PODPULL_ERR_INTERNAL => ErrorCode::Internal,
            sys::PODPULL_ERR_REJECTED => ErrorCode::Rejected,
            other => ErrorCode::Unknown(other),
        }
    }

    /// The C name, `"PODPULL_ERR_AUTH"` and so on.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "PODPULL_ERR_INVALID_ARGUMENT",
            ErrorCode::PodmanNotFound => "PODPULL_ERR_PODMAN_NOT_FOUND",
            ErrorCode::Service => "PODPULL_ERR_SERVICE",
            ErrorCode::Io => "PODPULL_ERR_IO",
            ErrorCode::Protocol => "PODPULL_ERR_PROTOCOL",
            ErrorCode::Pull => "PODPULL_ERR_PULL",
            ErrorCode::Auth => "PODPULL_ERR_AUTH",
            ErrorCode::NotFound => "PODPULL_ERR_NOT_FOUND",
            ErrorCode::Cancelled => "PODPULL_ERR_CANCELLED",
            ErrorCode::Timeout => "PODPULL_ERR_TIMEOUT",
            ErrorCode::Internal => "PODPULL_ERR_INTERNAL",
            ErrorCode::Rejected => "PODPULL_ERR_REJECTED",
            ErrorCode::LibraryUnavailable => "PODPULL_LIBRARY_UNAVAILABLE",
            ErrorCode::Unknown(_) => "PODPULL_ERR_UNKNOWN",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A failure: its code, a message for a person, and whether trying again later may help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What went wrong, to branch on.
    pub code: ErrorCode,
    /// One line for a person (never holds a credential); may be empty.
    pub message: String,
    retryable: bool,
}

impl Error {
    fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            retryable: false,
        }
    }
    /// Whether retrying the same call later, with nothing else changed, may succeed
    /// (`podpull_error_retryable`): a transient registry failure (rate limiting, HTTP 5xx, a
    /// broken connection) or a timeout. Errors the crate makes itself are never retryable.
    pub fn retryable(&self) -> bool {
        self.retryable
    }
    /// Takes ownership of `err` (may be NULL) and frees it.
    fn from_raw(api: &Api, code: sys::podpull_code, err: *mut sys::podpull_error) -> Error {
        let (message, retryable) = if err.is_null() {
            (String::new(), false)
        } else {
            // SAFETY: err is a live podpull_error; the message lives as long as it does.
            unsafe { (lossy(api.error_message(err)), api.error_retryable(err) != 0) }
        };
        // SAFETY: err came from the library (or is NULL) and is freed once.
        unsafe { api.error_free(err) };
        Error {
            code: ErrorCode::from_raw(code),
            message,
            retryable,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{}: {}", self.code, self.message)
        }
    }
}

impl std::error::Error for Error {}

/// The crate's `Result`, whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Copies a C string (NULL: "").
///
/// # Safety
/// `s` is NULL or a valid NUL-terminated string.
unsafe fn lossy(s: *const c_char) -> String {
    if s.is_null() {
        String::new()
    } else {
        // SAFETY: per the contract above.
        unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned()
    }
}

/// The code of a call that gave no object: `PODPULL_OK` then means a library bug.
fn failure_code(code: sys::podpull_code) -> sys::podpull_code {
    if code == sys::PODPULL_OK {
        sys::PODPULL_ERR_INTERNAL
    } else {
        code
    }
}

fn cstring(what: &str, s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("{what} contains a NUL byte"),
        )
    })
}

fn cpath(what: &str, p: &std::path::Path) -> Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(p.as_os_str().as_bytes()).map_err(|_| {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("{what} contains a NUL byte"),
        )
    })
}

// ---- the function table ---------------------------------------------------------------------

/// The library's function table (`podpull_api`), checked once; the same whether linked or
/// loaded with `dlopen`.
#[derive(Clone, Copy)]
struct Api {
    t: &'static sys::podpull_api,
    /// The entries libpodpull 1.5 added, when this library has them.
    v1_5: Option<Api1_5>,
}

/// What a library older than 1.5 lacks: its table ends before these entries.
#[derive(Clone, Copy)]
struct Api1_5 {
    result_manifest_digest: unsafe extern "C" fn(*const sys::podpull_result) -> *const c_char,
    progress_writer_new: unsafe extern "C" fn(
        c_int,
        u32,
        *mut *mut sys::podpull_progress_writer,
        *mut *mut sys::podpull_error,
    ) -> sys::podpull_code,
    progress_writer_failed: unsafe extern "C" fn(*const sys::podpull_progress_writer) -> c_int,
    progress_writer_free: unsafe extern "C" fn(*mut sys::podpull_progress_writer),
}

macro_rules! forward {
    ($( $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty; )*) => {$(
        /// # Safety
        /// The arguments satisfy the C function's contract.
        unsafe fn $name(&self, $($arg: $ty),*) -> $ret {
            // checked non-NULL in check_api
            unsafe { (self.t.$name.unwrap_unchecked())($($arg),*) }
        }
    )*};
}

impl Api {
    forward! {
        connect_options_init_sized(o: *mut sys::podpull_connect_options, size: usize) -> ();
        pull_options_init_sized(o: *mut sys::podpull_pull_options, size: usize) -> ();
        callbacks_init(c: *mut sys::podpull_callbacks) -> ();
        connect(o: *const sys::podpull_connect_options, out: *mut *mut sys::podpull_client,
                err: *mut *mut sys::podpull_error) -> sys::podpull_code;
        pull(c: *mut sys::podpull_client, image: *const c_char, o: *const sys::podpull_pull_options,
             cb: *const sys::podpull_callbacks, res: *mut *mut sys::podpull_result,
             err: *mut *mut sys::podpull_error) -> sys::podpull_code;
        cancel(c: *mut sys::podpull_client) -> ();
        free(c: *mut sys::podpull_client) -> ();
        error_message(e: *const sys::podpull_error) -> *const c_char;
        error_free(e: *mut sys::podpull_error) -> ();
        result_image_id(r: *const sys::podpull_result) -> *const c_char;
        result_route(r: *const sys::podpull_result) -> sys::podpull_route;
        result_bytes(r: *const sys::podpull_result) -> u64;
        result_free(r: *mut sys::podpull_result) -> ();
        version() -> *const c_char;
        route_str(r: sys::podpull_route) -> *const c_char;
        canceller_new(out: *mut *mut sys::podpull_canceller,
                      err: *mut *mut sys::podpull_error) -> sys::podpull_code;
        canceller_cancel(c: *mut sys::podpull_canceller) -> ();
        canceller_is_cancelled(c: *const sys::podpull_canceller) -> c_int;
        canceller_free(c: *mut sys::podpull_canceller) -> ();
        result_bytes_cached(r: *const sys::podpull_result) -> u64;
        result_blobs_total(r: *const sys::podpull_result) -> u32;
        result_blobs_cached(r: *const sys::podpull_result) -> u32;
        error_retryable(e: *const sys::podpull_error) -> c_int;
    }

    /// The 1.5 entries, or, from an older library, an error that names `feature` and the
    /// library's version, so that a host can tell a missing feature from a failure.
    fn v1_5(&self, feature: &str) -> Result<Api1_5> {
        self.v1_5.ok_or_else(|| {
            // SAFETY: a static string.
            let version = unsafe { lossy(self.version()) };
            Error::new(
                ErrorCode::LibraryUnavailable,
                format!("{feature} needs libpodpull 1.5 or later; the one in use is {version}"),
            )
        })
    }
}

/// Checks what `podpull_get_api(1)` returned.
fn check_api(t: *const sys::podpull_api, from: &str) -> Result<Api, String> {
    use std::mem::{offset_of, size_of};
    if t.is_null() {
        return Err(format!(
            "{from} cannot serve podpull ABI {} (podpull_get_api returned NULL)",
            sys::PODPULL_ABI_MAJOR
        ));
    }
    // SAFETY: every podpull_api starts with struct_size; the table is static in the library,
    // which stays loaded.
    let size = unsafe { ptr::addr_of!((*t).struct_size).read() } as usize;
    // What this crate cannot do without: everything up to 1.3's error_retryable.
    let needed = offset_of!(sys::podpull_api, result_manifest_digest);
    if size < needed {
        return Err(format!(
            "{from} is too old: its function table has {size} bytes, this crate needs {needed} \
             (libpodpull 1.3)"
        ));
    }
    // An older library's table is shorter than this crate's struct, so it is never read as
    // one: its bytes are copied over a zeroed table, whose entries past them stay None.
    // SAFETY: zeroed is valid for u32s and Option<fn>s.
    let mut copy: sys::podpull_api = unsafe { std::mem::zeroed() };
    // SAFETY: the library's table has `size` bytes; no more than our struct's are copied.
    unsafe {
        ptr::copy_nonoverlapping(
            t.cast::<u8>(),
            ptr::addr_of_mut!(copy).cast::<u8>(),
            size.min(size_of::<sys::podpull_api>()),
        )
    };
    let t: &'static sys::podpull_api = Box::leak(Box::new(copy));
    if t.abi_major != sys::PODPULL_ABI_MAJOR {
        return Err(format!(
            "{from} serves ABI {} instead of {}",
            t.abi_major,
            sys::PODPULL_ABI_MAJOR
        ));
    }
    let all = t.connect_options_init.is_some()
        && t.pull_options_init.is_some()
        && t.callbacks_init.is_some()
        && t.connect.is_some()
        && t.pull.is_some()
        && t.cancel.is_some()
        && t.free.is_some()
        && t.error_code.is_some()
        && t.error_message.is_some()
        && t.error_free.is_some()
        && t.result_image_id.is_some()
        && t.result_route.is_some()
        && t.result_bytes.is_some()
        && t.result_free.is_some()
        && t.code_str.is_some()
        && t.version.is_some()
        && t.abi_version.is_some()
        && t.route_str.is_some()
        && t.connect_options_init_sized.is_some()
        && t.pull_options_init_sized.is_some()
        && t.canceller_new.is_some()
        && t.canceller_cancel.is_some()
        && t.canceller_is_cancelled.is_some()
        && t.canceller_free.is_some()
        && t.result_bytes_cached.is_some()
        && t.result_blobs_total.is_some()
        && t.result_blobs_cached.is_some()
        && t.error_retryable.is_some();
    if !all {
        return Err(format!("{from} has a function table with NULL entries"));
    }
    let v1_5_end = offset_of!(sys::podpull_api, progress_writer_free)
        + std::mem::size_of_val(&t.progress_writer_free);
    let v1_5 = if size >= v1_5_end {
        match (
            t.result_manifest_digest,
            t.progress_writer_new,
            t.progress_writer_failed,
            t.progress_writer_free,
        ) {
            (
                Some(result_manifest_digest),
                Some(progress_writer_new),
                Some(progress_writer_failed),
                Some(progress_writer_free),
            ) => Some(Api1_5 {
                result_manifest_digest,
                progress_writer_new,
                progress_writer_failed,
                progress_writer_free,
            }),
            _ => return Err(format!("{from} has a function table with NULL entries")),
        }
    } else {
        None
    };
    Ok(Api { t, v1_5 })
}

#[cfg(not(feature = "dlopen"))]
fn api() -> Result<Api> {
    use std::sync::OnceLock;
    static API: OnceLock<Result<Api, String>> = OnceLock::new();
    API.get_or_init(|| {
        // SAFETY: a plain call into the linked library.
        check_api(
            unsafe { sys::podpull_get_api(sys::PODPULL_ABI_MAJOR) },
            "the linked libpodpull",
        )
    })
    .clone()
    .map_err(|m| Error::new(ErrorCode::LibraryUnavailable, m))
}

#[cfg(feature = "dlopen")]
fn api() -> Result<Api> {
    use std::sync::OnceLock;
    static API: OnceLock<Result<Api, String>> = OnceLock::new();
    API.get_or_init(|| {
        let name = std::env::var_os("PODPULL_LIBRARY").unwrap_or_else(|| "libpodpull.so.1".into());
        let shown = PathBuf::from(&name).display().to_string();
        // SAFETY: loading libpodpull runs no initialisers with preconditions.
        let lib = unsafe { libloading::Library::new(&name) }.map_err(|e| {
            format!("cannot load {shown}: {e} (install libpodpull 1.x, or set PODPULL_LIBRARY to its path)")
        })?;
        // SAFETY: the symbol has this type in every libpodpull of ABI 1.
        let get: sys::podpull_get_api_fn = unsafe {
            *lib.get::<sys::podpull_get_api_fn>(sys::PODPULL_GET_API_SYMBOL).map_err(|e| {
                format!("{shown} has no podpull_get_api: it is not libpodpull, or too old ({e})")
            })?
        };
        // SAFETY: see above.
        let api = check_api(unsafe { get(sys::PODPULL_ABI_MAJOR) }, &shown)?;
        // The table points into the library: keep it loaded for the life of the process.
        std::mem::forget(lib);
        Ok(api)
    })
    .clone()
    .map_err(|m| Error::new(ErrorCode::LibraryUnavailable, m))
}

/// Whether the library is there and serves ABI 1 (always true when linked). With the
/// `dlopen` feature, the error says what is missing, so a host can fall back.
pub fn available() -> Result<()> {
    api().map(|_| ())
}

/// The library's version, `"1.2.3"`.
pub fn version() -> Result<String> {
    let api = api()?;
    // SAFETY: a static string.
    Ok(unsafe { lossy(api.version()) })
}

// ---- cancelling -----------------------------------------------------------------------------

/// One `podpull_canceller`, freed when the last [`Canceller`] clone goes.
struct RawCanceller {
    raw: NonNull<sys::podpull_canceller>,
    api: Api,
}

// SAFETY: podpull documents a canceller as shareable by threads, podpull_canceller_cancel and
// podpull_canceller_is_cancelled as callable from any thread at any time.
unsafe impl Send for RawCanceller {}
unsafe impl Sync for RawCanceller {}

impl Drop for RawCanceller {
    fn drop(&mut self) {
        // SAFETY: raw is live and freed once. No call holds it: every call it is handed to
        // keeps a clone of its Canceller until the call has returned.
        unsafe { self.api.canceller_free(self.raw.as_ptr()) }
    }
}

/// Ends the calls it is handed to, and no other (`podpull_canceller`).
///
/// Put it in [`ConnectOptions::canceller`] or [`PullOptions::canceller`] (of any number of
/// calls), then [`cancel`](Canceller::cancel) from any thread: each call that holds it returns
/// [`ErrorCode::Cancelled`] within 100 ms, whatever podman is doing, having stopped whatever it
/// started. It stays fired: a call handed a fired canceller returns `Cancelled` at once.
/// `Send + Sync + Clone`; the clones are one canceller.
///
/// From a signal handler: [`Canceller::cancel`] only calls the async-signal-safe
/// `podpull_canceller_cancel`. Store a clone where the handler can reach it without locking or
/// allocating before installing the handler (e.g. a `static STOP: OnceLock<Canceller>` read
/// with `STOP.get()`), and never drop the last clone in the handler.
#[derive(Clone)]
pub struct Canceller {
    inner: Arc<RawCanceller>,
}

impl Canceller {
    /// A new canceller that has not fired. Fails only when the process is out of file
    /// descriptors or memory.
    pub fn new() -> Result<Canceller> {
        let api = api()?;
        let mut raw = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: both out-pointers are valid for writes.
        let code = unsafe { api.canceller_new(&mut raw, &mut err) };
        match NonNull::new(raw) {
            Some(raw) if code == sys::PODPULL_OK => {
                // SAFETY: err is NULL on success; freeing NULL is a no-op.
                unsafe { api.error_free(err) };
                Ok(Canceller {
                    inner: Arc::new(RawCanceller { raw, api }),
                })
            }
            _ => Err(Error::from_raw(&api, failure_code(code), err)),
        }
    }

    /// Fires it: every call that holds it ends with [`ErrorCode::Cancelled`]. Idempotent.
    pub fn cancel(&self) {
        // SAFETY: raw stays live while self does.
        unsafe { self.inner.api.canceller_cancel(self.inner.raw.as_ptr()) }
    }

    /// Whether it has fired.
    pub fn is_cancelled(&self) -> bool {
        // SAFETY: raw stays live while self does.
        unsafe {
            self.inner
                .api
                .canceller_is_cancelled(self.inner.raw.as_ptr())
                != 0
        }
    }

    fn as_ptr(&self) -> *mut sys::podpull_canceller {
        self.inner.raw.as_ptr()
    }
}

impl fmt::Debug for Canceller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Canceller")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

// ---- bootc's progress events ----------------------------------------------------------------

/// One `podpull_progress_writer`, freed when the last [`ProgressWriter`] clone goes.
struct RawProgressWriter {
    raw: NonNull<sys::podpull_progress_writer>,
    api: Api1_5,
}

// SAFETY: podpull documents a writer as shareable by pulls on any threads (its lines are never
// interleaved), and podpull_progress_writer_failed as callable at any time.
unsafe impl Send for RawProgressWriter {}
unsafe impl Sync for RawProgressWriter {}

impl Drop for RawProgressWriter {
    fn drop(&mut self) {
        // SAFETY: raw is live and freed once. No pull holds it: every pull it is handed to
        // keeps a clone of its ProgressWriter until podpull_pull has returned.
        unsafe { (self.api.progress_writer_free)(self.raw.as_ptr()) }
    }
}

/// Writes bootc's progress events (`podpull_progress_writer`, libpodpull 1.5): the JSON Lines
/// `bootc upgrade --progress-fd` writes, for every pull whose [`PullOptions::progress_writer`]
/// is a clone of it.
///
/// The schema and the shapes are bootc's (its `progress_jsonl.rs` and `deploy.rs`), one
/// canonical JSON object a line: `Start` once per writer, before anything else; `ProgressBytes`
/// with task `"pulling"`, the manifest's digest as id, bytes and layers fetched of those to
/// fetch and those found cached, and a subtask per layer; `ProgressSteps` with task
/// `"storing"`, 0 of 1 once every blob is stored and 1 of 1 when the pull succeeds. Byte
/// updates come at most 5 times a second; a layer finishing and the last events always. The
/// last `ProgressBytes`'s `bytes` is the [`PullResult::bytes`] of its pull. `podpull.h` has
/// every detail.
///
/// The writer writes on its own duplicate of the descriptor, which it closes when the last
/// clone is dropped. A write error (the reader went away) ends the writing, never the pull,
/// and is logged at [`LogLevel::Warn`] on the pull's client: see [`ProgressWriter::failed`].
/// `Send + Sync + Clone`; the clones are one writer, and the pulls that share it, on any
/// threads, write one `Start` and never interleave their lines.
#[derive(Clone)]
pub struct ProgressWriter {
    inner: Arc<RawProgressWriter>,
}

impl ProgressWriter {
    /// A writer on a duplicate of `fd`, which must be open for writing and above 2. `fd` is
    /// only borrowed: it stays the caller's, to close whenever it likes (a pipe's reader sees
    /// its end only once both are closed); the writer's duplicate is closed when its last clone
    /// is dropped. It writes `Start` before its first event.
    ///
    /// Errors: `InvalidArgument` for an fd the library refuses; `LibraryUnavailable` from a
    /// library older than 1.5.
    pub fn new(fd: BorrowedFd<'_>) -> Result<ProgressWriter> {
        ProgressWriter::with_flags(fd, 0)
    }

    /// The same, for a descriptor on which the host has written bootc's `Start` event itself
    /// (`PODPULL_PROGRESS_START_SENT`), as bootc does before its own events: this writer writes
    /// none.
    pub fn after_start(fd: BorrowedFd<'_>) -> Result<ProgressWriter> {
        ProgressWriter::with_flags(fd, sys::PODPULL_PROGRESS_START_SENT)
    }

    fn with_flags(fd: BorrowedFd<'_>, flags: u32) -> Result<ProgressWriter> {
        let api = api()?;
        let v1_5 = api.v1_5("ProgressWriter")?;
        let mut raw = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: fd is open for the call (the library duplicates it); both out-pointers are
        // valid for writes.
        let code = unsafe { (v1_5.progress_writer_new)(fd.as_raw_fd(), flags, &mut raw, &mut err) };
        match NonNull::new(raw) {
            Some(raw) if code == sys::PODPULL_OK => {
                // SAFETY: err is NULL on success; freeing NULL is a no-op.
                unsafe { api.error_free(err) };
                Ok(ProgressWriter {
                    inner: Arc::new(RawProgressWriter { raw, api: v1_5 }),
                })
            }
            _ => Err(Error::from_raw(&api, failure_code(code), err)),
        }
    }

    /// Whether a write error ended the writing for good (the reader went away, the disk is
    /// full); the pulls went on without it.
    pub fn failed(&self) -> bool {
        // SAFETY: raw stays live while self does.
        unsafe { (self.inner.api.progress_writer_failed)(self.inner.raw.as_ptr()) != 0 }
    }

    fn as_ptr(&self) -> *mut sys::podpull_progress_writer {
        self.inner.raw.as_ptr()
    }
}

impl fmt::Debug for ProgressWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProgressWriter")
            .field("failed", &self.failed())
            .finish()
    }
}

// ---- options --------------------------------------------------------------------------------

/// A diagnostics message's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// Details of what the library does.
    Debug,
    /// Steps worth knowing (a retry, the route).
    Info,
    /// Something a host may want to act on (a write error on a progress fd, ignored
    /// credential helpers).
    Warn,
    /// A failure.
    Error,
}

/// A diagnostics sink. It may be called from the library's own threads at any time while the
/// client lives, so it must be `Send + Sync`. A panic in it is caught and dropped.
pub type LogFn = Arc<dyn Fn(LogLevel, &str) + Send + Sync>;

/// How to reach podman (`podpull_connect_options`). Fields left `None` keep the library's
/// defaults.
///
/// **Descriptors.** `run_root_fd`, `auth_fd` and `storage_root_fd` are borrowed
/// ([`BorrowedFd`]): they stay the caller's, who closes them (drops the [`OwnedFd`] or `File`
/// they come from) whenever it likes once [`Client::connect`] or [`Client::connect_async`] has
/// returned. Those calls duplicate each of them (close-on-exec) before they return; the
/// [`Client`] owns the duplicates, hands them to every podman it starts, and closes them when
/// it is dropped, after its service has stopped. The lifetime `'fd` ties the options to the
/// descriptors they borrow; options without any are `ConnectOptions<'static>`.
///
/// ```
/// use std::os::fd::AsFd;
/// let run_root = std::fs::File::open(std::env::temp_dir())?;
/// let mut opts = podpull::ConnectOptions::default();
/// opts.run_root_fd = Some(run_root.as_fd()); // borrowed: `run_root` is still ours to close
/// opts.storage_driver = Some("vfs".into());
/// // let client = podpull::Client::connect(&opts)?;  (needs podman)
/// drop(opts);
/// drop(run_root); // ours; the client would have closed its own duplicate
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct ConnectOptions<'fd> {
    /// Default: `podman` from `PATH`.
    pub podman_path: Option<PathBuf>,
    /// `podman --root`.
    pub storage_root: Option<PathBuf>,
    /// `podman --runroot`.
    pub run_root: Option<PathBuf>,
    /// The runroot as an open directory, bootc's layout: given to the service (and to
    /// `podman pull`) as fd 3 and passed as `--runroot /proc/self/fd/3`. Leave
    /// [`run_root`](Self::run_root) `None`. Borrowed for the connect call; the [`Client`]
    /// keeps a duplicate of its own.
    pub run_root_fd: Option<BorrowedFd<'fd>>,
    /// `podman --storage-driver`.
    pub storage_driver: Option<String>,
    /// A containers-auth.json(5) whose credentials go with each pull, and no others (`{}`:
    /// anonymous for every registry).
    pub auth_file: Option<PathBuf>,
    /// The same as an open descriptor (a file, or a pipe the library reads to its end at
    /// connect). Borrowed for the connect call, like `run_root_fd`.
    pub auth_fd: Option<BorrowedFd<'fd>>,
    /// Use this existing service instead of starting one.
    pub socket_path: Option<PathBuf>,
    /// Where the private socket dir is made.
    pub runtime_dir: Option<PathBuf>,
    /// Extra `KEY=VALUE` for the service and subprocesses.
    pub env: Vec<String>,
    /// Default 90 s.
    pub start_timeout: Option<Duration>,
    /// Diagnostics.
    pub log: Option<LogFn>,
    /// Ends the connect (starting the service included) when fired.
    pub canceller: Option<Canceller>,
    /// The storage root as an open directory, bootc's layout (libpodpull 1.5): every podman
    /// and skopeo the client starts sees it at [`storage_root_alias`](Self::storage_root_alias),
    /// bind-mounted in a private mount namespace of its own, and gets `--root` that path. Leave
    /// [`storage_root`](Self::storage_root) `None`. Needs root (CAP_SYS_ADMIN), as bootc does.
    /// Borrowed for the connect call, like `run_root_fd`.
    pub storage_root_fd: Option<BorrowedFd<'fd>>,
    /// With `storage_root_fd`, the absolute, normalized path podman sees the storage at
    /// (bootc: `/run/bootc/storage`). podman records it in the storage's database, so every
    /// client of one storage uses the same alias. podpull makes it if it is missing.
    pub storage_root_alias: Option<PathBuf>,
}

impl fmt::Debug for ConnectOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("podman_path", &self.podman_path)
            .field("storage_root", &self.storage_root)
            .field("run_root", &self.run_root)
            .field("run_root_fd", &self.run_root_fd)
            .field("storage_driver", &self.storage_driver)
            .field("auth_file", &self.auth_file)
            .field("auth_fd", &self.auth_fd)
            .field("socket_path", &self.socket_path)
            .field("runtime_dir", &self.runtime_dir)
            .field("env", &self.env)
            .field("start_timeout", &self.start_timeout)
            .field("log", &self.log.as_ref().map(|_| "<fn>"))
            .field("canceller", &self.canceller)
            .field("storage_root_fd", &self.storage_root_fd)
            .field("storage_root_alias", &self.storage_root_alias)
            .finish()
    }
}

/// When podman contacts the registry (`--pull`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Policy {
    /// Always ask the registry (the default).
    #[default]
    Always,
    /// Only when the image is not in the storage.
    Missing,
    /// When the registry's image differs from the stored one (bootc's policy).
    Newer,
    /// Never: the image must be in the storage.
    Never,
}

/// How a pull is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Route {
    /// Only as a request: let the library choose.
    #[default]
    Auto,
    /// libpod pull with `pullProgress` (podman 6.0 and later): per-blob bytes.
    LibpodProgress,
    /// libpod pull with `compatMode` (podman 4.8 to 5.x): per-layer bytes.
    LibpodCompat,
    /// `POST /images/create` (older podman): per-layer bytes.
    DockerCompat,
    /// libpod pull, status lines only.
    LibpodText,
    /// `podman pull` as a subprocess (`oci:`, `oci-archive:`, `dir:` and the other local
    /// transports, or a signature policy): status lines.
    Subprocess,
    /// A route this crate does not know.
    Unknown(u32),
}

impl Route {
    fn from_raw(r: sys::podpull_route) -> Route {
        match r {
            sys::PODPULL_ROUTE_AUTO => Route::Auto,
            sys::PODPULL_ROUTE_LIBPOD_PROGRESS => Route::LibpodProgress,
            sys::PODPULL_ROUTE_LIBPOD_COMPAT => Route::LibpodCompat,
            sys::PODPULL_ROUTE_DOCKER_COMPAT => Route::DockerCompat,
            sys::PODPULL_ROUTE_LIBPOD_TEXT => Route::LibpodText,
            sys::PODPULL_ROUTE_SUBPROCESS => Route::Subprocess,
            other => Route::Unknown(other),
        }
    }
    fn to_raw(self) -> sys::podpull_route {
        match self {
            Route::Auto => sys::PODPULL_ROUTE_AUTO,
            Route::LibpodProgress => sys::PODPULL_ROUTE_LIBPOD_PROGRESS,
            Route::LibpodCompat => sys::PODPULL_ROUTE_LIBPOD_COMPAT,
            Route::DockerCompat => sys::PODPULL_ROUTE_DOCKER_COMPAT,
            Route::LibpodText => sys::PODPULL_ROUTE_LIBPOD_TEXT,
            Route::Subprocess => sys::PODPULL_ROUTE_SUBPROCESS,
            Route::Unknown(n) => n,
        }
    }

    /// The library's name for this route, `"PODPULL_ROUTE_LIBPOD_PROGRESS"` and so on
    /// (`podpull_route_str`; `"PODPULL_ROUTE_UNKNOWN"` for a route it does not know), or
    /// `None` when the library cannot be used.
    pub fn name(self) -> Option<&'static str> {
        let api = api().ok()?;
        // SAFETY: podpull_route_str takes any value and returns a static string, never NULL;
        // the library stays loaded for the life of the process.
        let name = unsafe { CStr::from_ptr(api.route_str(self.to_raw())) };
        name.to_str().ok()
    }
}

/// The library's name (`Route::name`), or the variant's when the library cannot be used.
impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{self:?}"),
        }
    }
}

/// How to pull one image (`podpull_pull_options`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PullOptions {
    /// When podman contacts the registry; default [`Policy::Always`].
    pub policy: Policy,
    /// Default true; false skips TLS verification.
    pub tls_verify: bool,
    /// The platform's OS (`"linux"`); `None`: the host's.
    pub os: Option<String>,
    /// The platform's architecture (`"arm64"`); `None`: the host's.
    pub arch: Option<String>,
    /// The platform's variant (`"v8"`); `None`: the host's.
    pub variant: Option<String>,
    /// How often a pull that failed on a transient registry error ([`Error::retryable`]) is
    /// tried again; 0: podman's default.
    pub retries: u32,
    /// The wait between tries; zero: podman's default (1 s, doubling).
    pub retry_delay: Duration,
    /// Fail with `Timeout` when podman is silent and idle for this long (podpull.h says what
    /// counts). `None`: the library's default (2 minutes from libpodpull 1.4, never before);
    /// `Some(Duration::ZERO)`: never.
    pub stall_timeout: Option<Duration>,
    /// Anything but `Auto` forces that route or fails.
    pub route: Route,
    /// Ends the pull when fired. Without one, each pull makes its own; either way, what stops
    /// a pull from the Rust side (a `Break`, a panic in the closure, dropping an async `Pull`)
    /// fires the pull's canceller, so a canceller shared by several calls ends them all.
    pub canceller: Option<Canceller>,
    /// The signature policy (containers-policy.json(5)) the image must satisfy, an absolute
    /// path; `None`: the host's. The pull then runs `podman pull --signature-policy`
    /// (`Route::Subprocess`), and an image the policy refuses fails with
    /// `ErrorCode::Rejected`. Needs libpodpull 1.4 (an older one refuses the pull).
    pub signature_policy: Option<PathBuf>,
    /// bootc's progress events of this pull go here too (libpodpull 1.5), after the closure
    /// (or the async `Pull`) heard the same. Several pulls may share one writer.
    pub progress_writer: Option<ProgressWriter>,
}

impl Default for PullOptions {
    fn default() -> Self {
        PullOptions {
            policy: Policy::Always,
            tls_verify: true,
            os: None,
            arch: None,
            variant: None,
            retries: 0,
            retry_delay: Duration::ZERO,
            stall_timeout: None,
            route: Route::Auto,
            canceller: None,
            signature_policy: None,
            progress_writer: None,
        }
    }
}

fn millis(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

/// `stall_timeout_ms` for `PullOptions::stall_timeout`: the library's default (what its init
/// wrote) for `None`, 0 (never) for zero, and never 0 for a bound under a millisecond.
fn stall_timeout_ms(stall_timeout: Option<Duration>, library_default: u32) -> u32 {
    match stall_timeout {
        None => library_default,
        Some(d) if d.is_zero() => 0,
        Some(d) => millis(d).max(1),
    }
}

// ---- events ---------------------------------------------------------------------------------

/// A blob's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BlobState {
    /// Its transfer began.
    Started,
    /// A byte report.
    Pulling,
    /// Stored.
    Done,
    /// Already in local storage: cached, not fetched.
    Skipped,
    /// A state this crate does not know.
    Unknown(u32),
}

/// Byte progress of one blob, with the whole pull's totals (`podpull_blob_progress`, whose
/// comments in podpull.h say what each figure means on every route).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobProgress {
    /// `"sha256:<hex>"`, the manifest's digest; without a manifest, the 12-hex short id on the
    /// compat routes.
    pub id: String,
    /// What happened to it.
    pub state: BlobState,
    /// Bytes of this blob fetched so far (0 for a cached, `Skipped` blob).
    pub current: u64,
    /// This blob's size, `None` when unknown.
    pub total: Option<u64>,
    /// Bytes of this pull's blobs in the storage so far, fetched and cached.
    pub pull_current: u64,
    /// The image's size (its manifest's sum, cached blobs included); without a manifest, the
    /// sizes of the blobs seen so far.
    pub pull_total: u64,
    /// Blobs podman has reported on.
    pub blobs_seen: u32,
    /// Blobs [`Done`](BlobState::Done) or [`Skipped`](BlobState::Skipped).
    pub blobs_done: u32,
    /// The part of `pull_current` that was in the storage already (not fetched).
    pub pull_cached: u64,
    /// Blobs of the image per its manifest; 0 without one.
    pub blobs_total: u32,
    /// Blobs found in the storage, not fetched.
    pub blobs_cached: u32,
}

/// What a pull reports, on the thread that called [`Client::pull`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The route chosen and why; once, before any other event.
    Route {
        /// The route.
        route: Route,
        /// Why: the podman release's features, the reference's transport, the manifest step.
        reason: String,
    },
    /// One line of text from podman.
    Status(String),
    /// Byte progress of one blob.
    Blob(BlobProgress),
}

/// What a successful pull produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullResult {
    /// The full 64-hex image ID.
    pub image_id: String,
    /// The route the pull took.
    pub route: Route,
    /// Bytes fetched, cached blobs excluded (`podpull_result_bytes`).
    pub bytes: u64,
    /// Bytes of blobs that were in the storage already.
    pub bytes_cached: u64,
    /// Blobs of the image per its manifest; 0 when none was read.
    pub blobs_total: u32,
    /// Blobs found in the storage, not fetched.
    pub blobs_cached: u32,
    /// The digest of the image manifest pulled, `"sha256:<64 hex>"` (for a manifest list, the
    /// platform's entry): what `podman pull NAME@DIGEST` fetches again. `None` when the
    /// manifest was not read, and from a library older than 1.5.
    pub manifest_digest: Option<String>,
}

// ---- the client -----------------------------------------------------------------------------

struct Inner {
    raw: NonNull<sys::podpull_client>,
    api: Api,
    // Lives as long as the C client, which may call it until podpull_free returns.
    _log: Option<Box<LogFn>>,
    // Our duplicates of run_root_fd, auth_fd and storage_root_fd: the C client hands them to
    // every podman it starts, so they stay open until podpull_free has returned (fields drop
    // after Drop::drop).
    _fds: Vec<OwnedFd>,
    // Pulls that have not returned from podpull_pull (or, async, not started it yet).
    running: AtomicUsize,
}

// SAFETY: podpull documents a client as usable from several threads at once (pulls from
// different threads, podpull_cancel from any thread); the log callback is Send + Sync.
unsafe impl Send for Inner {}
unsafe impl Sync for Inner {}

impl Drop for Inner {
    fn drop(&mut self) {
        // No pull runs: a blocking pull borrows the Client, an async pull's thread holds a
        // clone of this Arc until podpull_pull has returned, and a ClientCanceller cannot pull.
        // SAFETY: raw is live and freed once.
        unsafe { self.api.free(self.raw.as_ptr()) };
    }
}

/// Counts a pull in [`Inner::running`] while it lives.
struct Running(Arc<Inner>);

impl Running {
    fn new(inner: &Arc<Inner>) -> Running {
        inner.running.fetch_add(1, Ordering::SeqCst);
        Running(inner.clone())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One private podman service (or an attachment to an existing one) and its pulls.
///
/// `Client` is `Send + Sync`: pull from several threads at once through `&Client` (or an
/// `Arc<Client>`). Dropping it stops the service it started: at once, or, while async pulls
/// whose `Pull` was dropped are still ending (within 100 ms of the drop), once the last of
/// them has ([`Client::pulls_running`]).
pub struct Client {
    inner: Arc<Inner>,
}

/// Cancels every pull in flight on its client (`podpull_cancel`). `Send + Sync + Clone`, and
/// keeps the client's C object alive, so it may outlive the [`Client`]. To end one pull only,
/// use a [`Canceller`].
///
/// From a signal handler: [`ClientCanceller::cancel_all`] only calls the async-signal-safe
/// `podpull_cancel`. Put a clone where the handler can reach it without locking or
/// allocating before installing the handler, e.g. a `static CANCEL: OnceLock<ClientCanceller>`
/// set beforehand and read with `CANCEL.get()` in the handler. Do not drop the last clone in
/// the handler (that stops the service).
#[derive(Clone)]
pub struct ClientCanceller {
    inner: Arc<Inner>,
}

impl ClientCanceller {
    /// Cancel every pull in flight on the client; each returns `ErrorCode::Cancelled` soon.
    /// Pulls that start later are not affected.
    pub fn cancel_all(&self) {
        // SAFETY: raw stays live while self.inner does.
        unsafe { self.inner.api.cancel(self.inner.raw.as_ptr()) }
    }

    /// The former name of [`ClientCanceller::cancel_all`].
    #[deprecated(note = "use cancel_all (every pull of the client), or a Canceller for one call")]
    pub fn cancel(&self) {
        self.cancel_all()
    }
}

impl fmt::Debug for ClientCanceller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCanceller").finish_non_exhaustive()
    }
}
impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

unsafe extern "C" fn log_trampoline(
    user: *mut c_void,
    level: sys::podpull_log_level,
    msg: *const c_char,
) {
    let _ = panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: user is the Box<LogFn> Inner owns; msg is valid during the call.
        let f = unsafe { &*(user as *const LogFn) };
        let level = match level {
            sys::PODPULL_LOG_DEBUG => LogLevel::Debug,
            sys::PODPULL_LOG_INFO => LogLevel::Info,
            sys::PODPULL_LOG_WARN => LogLevel::Warn,
            _ => LogLevel::Error,
        };
        f(level, &unsafe { lossy(msg) });
    }));
}

/// What one pull's callbacks share.
struct PullState<'f> {
    on_event: &'f mut dyn FnMut(Event) -> ControlFlow<()>,
    /// Set when the closure panicked; no more events are delivered.
    panic: Option<Box<dyn Any + Send + 'static>>,
    /// Set when the closure returned Break (or panicked).
    stop: bool,
    /// The pull's canceller, handed to podpull_pull.
    canceller: &'f Canceller,
}

impl PullState<'_> {
    /// Runs the closure; true to go on.
    fn deliver(&mut self, event: impl FnOnce() -> Event) -> bool {
        if self.stop {
            return false;
        }
        let f = &mut *self.on_event;
        match panic::catch_unwind(AssertUnwindSafe(|| f(event()))) {
            Ok(ControlFlow::Continue(())) => true,
            Ok(ControlFlow::Break(())) => {
                self.stop = true;
                false
            }
            Err(payload) => {
                self.panic = Some(payload);
                self.stop = true;
                false
            }
        }
    }
    /// A stop asked for in a callback that cannot return a verdict: the pull's canceller.
    fn stop_without_verdict(&self) {
        self.canceller.cancel()
    }
}

unsafe extern "C" fn on_route(user: *mut c_void, route: sys::podpull_route, reason: *const c_char) {
    // SAFETY: user is the &mut PullState of the running pull; reason valid during the call.
    let st = unsafe { &mut *(user as *mut PullState) };
    let reason = unsafe { lossy(reason) };
    if !st.stop
        && !st.deliver(|| Event::Route {
            route: Route::from_raw(route),
            reason,
        })
    {
        st.stop_without_verdict();
    }
}

unsafe extern "C" fn on_status(user: *mut c_void, line: *const c_char) {
    // SAFETY: as in on_route.
    let st = unsafe { &mut *(user as *mut PullState) };
    let line = unsafe { lossy(line) };
    if !st.stop && !st.deliver(|| Event::Status(line)) {
        st.stop_without_verdict();
    }
}

/// Whether the library filled in the field at `offset` of `size` bytes (`struct_size` covers it).
fn covers(p: &sys::podpull_blob_progress, offset: usize, size: usize) -> bool {
    p.struct_size as usize >= offset + size
}

unsafe extern "C" fn on_blob(user: *mut c_void, p: *const sys::podpull_blob_progress) -> c_int {
    // SAFETY: as in on_route; p is valid during the call.
    let st = unsafe { &mut *(user as *mut PullState) };
    if st.stop {
        return 1;
    }
    let p = unsafe { &*p };
    // Fields added in 1.2: the library fills them in only when its struct has them.
    type Progress = sys::podpull_blob_progress;
    let has_pull_cached = covers(p, std::mem::offset_of!(Progress, pull_cached), 8);
    let has_blobs_total = covers(p, std::mem::offset_of!(Progress, blobs_total), 4);
    let has_blobs_cached = covers(p, std::mem::offset_of!(Progress, blobs_cached), 4);
    let event = || {
        Event::Blob(BlobProgress {
            // SAFETY: valid during the call.
            id: unsafe { lossy(p.id) },
            state: match p.state {
                sys::PODPULL_BLOB_STARTED => BlobState::Started,
                sys::PODPULL_BLOB_PULLING => BlobState::Pulling,
                sys::PODPULL_BLOB_DONE => BlobState::Done,
                sys::PODPULL_BLOB_SKIPPED => BlobState::Skipped,
                other => BlobState::Unknown(other),
            },
            current: p.current,
            total: u64::try_from(p.total).ok(),
            pull_current: p.pull_current,
            pull_total: p.pull_total,
            blobs_seen: p.blobs_seen,
            blobs_done: p.blobs_done,
            pull_cached: if has_pull_cached { p.pull_cached } else { 0 },
            blobs_total: if has_blobs_total { p.blobs_total } else { 0 },
            blobs_cached: if has_blobs_cached { p.blobs_cached } else { 0 },
        })
    };
    if st.deliver(event) {
        0
    } else {
        1
    }
}

/// A descriptor of [`ConnectOptions`], as the connect hands it to the library.
enum FdArg {
    /// Not given: -1.
    Unset,
    /// 0, 1 or 2, passed on as it is for the library to refuse.
    Stdio(RawFd),
    /// The client's own duplicate of the caller's descriptor.
    Own(OwnedFd),
}

impl FdArg {
    fn raw(&self) -> c_int {
        match self {
            FdArg::Unset => -1,
            FdArg::Stdio(fd) => *fd,
            FdArg::Own(fd) => fd.as_raw_fd(),
        }
    }
    fn is_set(&self) -> bool {
        !matches!(self, FdArg::Unset)
    }
    fn into_owned(self) -> Option<OwnedFd> {
        match self {
            FdArg::Own(fd) => Some(fd),
            _ => None,
        }
    }
}

/// A duplicate of the caller's `fd` that the client owns (close-on-exec, above 2).
fn own_fd(what: &str, fd: Option<BorrowedFd<'_>>) -> Result<FdArg> {
    match fd {
        None => Ok(FdArg::Unset),
        Some(fd) if fd.as_raw_fd() <= 2 => Ok(FdArg::Stdio(fd.as_raw_fd())),
        Some(fd) => fd.try_clone_to_owned().map(FdArg::Own).map_err(|e| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "{what} is {}, which cannot be duplicated: {e}",
                    fd.as_raw_fd()
                ),
            )
        }),
    }
}

/// A connect's arguments, checked and converted, owning everything (descriptors included), so
/// that it can run on any thread.
struct ConnectRequest {
    podman_path: Option<CString>,
    storage_root: Option<CString>,
    run_root: Option<CString>,
    storage_driver: Option<CString>,
    auth_file: Option<CString>,
    socket_path: Option<CString>,
    runtime_dir: Option<CString>,
    env: Vec<CString>,
    start_timeout: Option<Duration>,
    log: Option<LogFn>,
    canceller: Option<Canceller>,
    storage_root_alias: Option<CString>,
    run_root_fd: FdArg,
    auth_fd: FdArg,
    storage_root_fd: FdArg,
}

impl ConnectRequest {
    fn new(opts: &ConnectOptions<'_>) -> Result<ConnectRequest> {
        let opt_path = |what, p: &Option<PathBuf>| p.as_deref().map(|p| cpath(what, p)).transpose();
        Ok(ConnectRequest {
            podman_path: opt_path("podman_path", &opts.podman_path)?,
            storage_root: opt_path("storage_root", &opts.storage_root)?,
            run_root: opt_path("run_root", &opts.run_root)?,
            storage_driver: opts
                .storage_driver
                .as_deref()
                .map(|s| cstring("storage_driver", s))
                .transpose()?,
            auth_file: opt_path("auth_file", &opts.auth_file)?,
            socket_path: opt_path("socket_path", &opts.socket_path)?,
            runtime_dir: opt_path("runtime_dir", &opts.runtime_dir)?,
            env: opts
                .env
                .iter()
                .map(|e| cstring("env", e))
                .collect::<Result<_>>()?,
            start_timeout: opts.start_timeout,
            log: opts.log.clone(),
            canceller: opts.canceller.clone(),
            storage_root_alias: opt_path("storage_root_alias", &opts.storage_root_alias)?,
            run_root_fd: own_fd("run_root_fd", opts.run_root_fd)?,
            auth_fd: own_fd("auth_fd", opts.auth_fd)?,
            storage_root_fd: own_fd("storage_root_fd", opts.storage_root_fd)?,
        })
    }

    /// Runs podpull_connect on this thread. On success the client takes the descriptors and
    /// the log closure; on failure they are closed and dropped here.
    fn run(self, api: Api) -> Result<Client> {
        if self.storage_root_fd.is_set() || self.storage_root_alias.is_some() {
            api.v1_5("ConnectOptions::storage_root_fd")?;
        }
        let mut env_ptrs: Vec<*const c_char> = self.env.iter().map(|e| e.as_ptr()).collect();
        env_ptrs.push(ptr::null());
        let log: Option<Box<LogFn>> = self.log.clone().map(Box::new);

        let p = |s: &Option<CString>| s.as_ref().map_or(ptr::null(), |s| s.as_ptr());
        // SAFETY: zeroed is a valid bit pattern (NULLs, 0, None); init fills the rest.
        let mut raw: sys::podpull_connect_options = unsafe { std::mem::zeroed() };
        unsafe { api.connect_options_init_sized(&mut raw, std::mem::size_of_val(&raw)) };
        raw.podman_path = p(&self.podman_path);
        raw.storage_root = p(&self.storage_root);
        raw.run_root = p(&self.run_root);
        raw.storage_driver = p(&self.storage_driver);
        raw.auth_file = p(&self.auth_file);
        raw.socket_path = p(&self.socket_path);
        raw.runtime_dir = p(&self.runtime_dir);
        raw.run_root_fd = self.run_root_fd.raw();
        raw.auth_fd = self.auth_fd.raw();
        // Only when asked for, so that a library older than 1.5 sees a zero tail.
        if self.storage_root_fd.is_set() {
            raw.storage_root_fd = self.storage_root_fd.raw();
        }
        if self.storage_root_alias.is_some() {
            raw.storage_root_alias = p(&self.storage_root_alias);
        }
        if !self.env.is_empty() {
            raw.env = env_ptrs.as_ptr();
        }
        if let Some(t) = self.start_timeout {
            raw.start_timeout_ms = millis(t);
        }
        if let Some(b) = &log {
            raw.log = Some(log_trampoline);
            raw.log_user_data = &**b as *const LogFn as *mut c_void;
        }
        if let Some(c) = &self.canceller {
            raw.canceller = c.as_ptr();
        }
        let mut client = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: every pointer in raw lives until after the call; the library copies the
        // strings; the fds and the log closure move into the Client, which outlives the C one.
        let code = unsafe { api.connect(&raw, &mut client, &mut err) };
        match NonNull::new(client) {
            Some(raw) if code == sys::PODPULL_OK => {
                // SAFETY: err is NULL on success; freeing NULL is a no-op.
                unsafe { api.error_free(err) };
                Ok(Client {
                    inner: Arc::new(Inner {
                        raw,
                        api,
                        _log: log,
                        _fds: [self.run_root_fd, self.auth_fd, self.storage_root_fd]
                            .into_iter()
                            .filter_map(FdArg::into_owned)
                            .collect(),
                        running: AtomicUsize::new(0),
                    }),
                })
            }
            _ => Err(Error::from_raw(&api, failure_code(code), err)),
        }
    }
}

/// One pull's arguments, checked and converted, ready to hand to podpull_pull on any thread.
struct PullRequest {
    image: CString,
    os: Option<CString>,
    arch: Option<CString>,
    variant: Option<CString>,
    policy: sys::podpull_policy,
    tls_verify: bool,
    retries: u32,
    retry_delay: Duration,
    stall_timeout: Option<Duration>,
    route: Route,
    /// The options' canceller, or one of the pull's own.
    canceller: Canceller,
    signature_policy: Option<CString>,
    /// A clone, so that the writer outlives the call even if the options do not.
    progress_writer: Option<ProgressWriter>,
}

impl PullRequest {
    fn new(image: &str, opts: &PullOptions) -> Result<PullRequest> {
        let text = |what, s: &Option<String>| s.as_deref().map(|s| cstring(what, s)).transpose();
        Ok(PullRequest {
            image: cstring("image", image)?,
            os: text("os", &opts.os)?,
            arch: text("arch", &opts.arch)?,
            variant: text("variant", &opts.variant)?,
            policy: match opts.policy {
                Policy::Always => sys::PODPULL_POLICY_ALWAYS,
                Policy::Missing => sys::PODPULL_POLICY_MISSING,
                Policy::Newer => sys::PODPULL_POLICY_NEWER,
                Policy::Never => sys::PODPULL_POLICY_NEVER,
            },
            tls_verify: opts.tls_verify,
            retries: opts.retries,
            retry_delay: opts.retry_delay,
            stall_timeout: opts.stall_timeout,
            route: opts.route,
            canceller: match &opts.canceller {
                Some(c) => c.clone(),
                None => Canceller::new()?,
            },
            signature_policy: opts
                .signature_policy
                .as_deref()
                .map(|p| cpath("signature_policy", p))
                .transpose()?,
            progress_writer: opts.progress_writer.clone(),
        })
    }

    /// Runs podpull_pull on this thread; `on_event` runs here too. Everything the library is
    /// handed lives in `self`, `inner` or this frame, and podpull_pull uses none of it after
    /// returning.
    fn run(
        &self,
        inner: &Inner,
        on_event: &mut dyn FnMut(Event) -> ControlFlow<()>,
    ) -> Result<PullResult> {
        let api = inner.api;
        let p = |s: &Option<CString>| s.as_ref().map_or(ptr::null(), |s| s.as_ptr());
        // SAFETY: zeroed is valid for these plain structs; init fills the rest.
        let mut raw: sys::podpull_pull_options = unsafe { std::mem::zeroed() };
        unsafe { api.pull_options_init_sized(&mut raw, std::mem::size_of_val(&raw)) };
        raw.policy = self.policy;
        raw.tls_verify = self.tls_verify as c_int;
        raw.os = p(&self.os);
        raw.arch = p(&self.arch);
        raw.variant = p(&self.variant);
        raw.retries = self.retries;
        raw.retry_delay_ms = millis(self.retry_delay);
        raw.stall_timeout_ms = stall_timeout_ms(self.stall_timeout, raw.stall_timeout_ms);
        raw.route = self.route.to_raw();
        raw.canceller = self.canceller.as_ptr();
        raw.signature_policy = p(&self.signature_policy);
        // Set only when asked for: a library older than 1.5 zeroed no field past its own
        // struct, and it refuses a nonzero byte there. (A ProgressWriter exists only where the
        // library is 1.5 or later.)
        if let Some(w) = &self.progress_writer {
            raw.progress_writer = w.as_ptr();
        }

        let mut state = PullState {
            on_event,
            panic: None,
            stop: false,
            canceller: &self.canceller,
        };
        let mut cb: sys::podpull_callbacks = unsafe { std::mem::zeroed() };
        unsafe { api.callbacks_init(&mut cb) };
        cb.user_data = &mut state as *mut PullState as *mut c_void;
        cb.on_route = Some(on_route);
        cb.on_status = Some(on_status);
        cb.on_blob = Some(on_blob);

        let mut res = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: every pointer lives until the call returns; callbacks run only during it,
        // on this thread, and never unwind (catch_unwind in deliver).
        let code = unsafe {
            api.pull(
                inner.raw.as_ptr(),
                self.image.as_ptr(),
                &raw,
                &cb,
                &mut res,
                &mut err,
            )
        };
        let outcome = if code == sys::PODPULL_OK {
            // SAFETY: res is a live result (or NULL, which the accessors accept); freed once.
            let r = unsafe {
                PullResult {
                    image_id: lossy(api.result_image_id(res)),
                    route: Route::from_raw(api.result_route(res)),
                    bytes: api.result_bytes(res),
                    bytes_cached: api.result_bytes_cached(res),
                    blobs_total: api.result_blobs_total(res),
                    blobs_cached: api.result_blobs_cached(res),
                    manifest_digest: api
                        .v1_5
                        .map(|v| lossy((v.result_manifest_digest)(res)))
                        .filter(|d| !d.is_empty()),
                }
            };
            unsafe {
                api.result_free(res);
                api.error_free(err);
            }
            Ok(r)
        } else {
            unsafe { api.result_free(res) };
            Err(Error::from_raw(&api, code, err))
        };
        if let Some(payload) = state.panic.take() {
            panic::resume_unwind(payload);
        }
        outcome
    }
}

impl Client {
    /// Starts a private `podman system service` (or attaches to `socket_path`) and returns
    /// once it answers, or fails with `Cancelled` when `opts.canceller` fires.
    ///
    /// The descriptors of `opts` are duplicated before the service starts (see
    /// [`ConnectOptions`]): the caller may close its own as soon as this returns.
    pub fn connect(opts: &ConnectOptions<'_>) -> Result<Client> {
        let api = api()?;
        ConnectRequest::new(opts)?.run(api)
    }

    /// A handle that cancels every pull of this client from any thread (or a signal handler).
    pub fn client_canceller(&self) -> ClientCanceller {
        ClientCanceller {
            inner: self.inner.clone(),
        }
    }

    /// Cancels every pull in flight on this client (`podpull_cancel`). To end one pull, give
    /// it a [`Canceller`].
    pub fn cancel_all(&self) {
        self.client_canceller().cancel_all()
    }

    /// The former name of [`Client::client_canceller`].
    #[deprecated(note = "use client_canceller (every pull of the client), or a Canceller")]
    pub fn canceller(&self) -> ClientCanceller {
        self.client_canceller()
    }

    /// The former name of [`Client::cancel_all`].
    #[deprecated(note = "use cancel_all (every pull of the client), or a Canceller")]
    pub fn cancel(&self) {
        self.cancel_all()
    }

    /// The pulls of this client that podpull is still working on: blocking ones in progress,
    /// and async ones until their thread is done with the library, including those whose
    /// `Pull` was dropped. The service stops once this is 0 and the `Client` is gone.
    pub fn pulls_running(&self) -> usize {
        self.inner.running.load(Ordering::SeqCst)
    }

    /// Pulls `image` and blocks until it is stored, failed or cancelled. `on_event` runs on
    /// this thread; returning `ControlFlow::Break(())` cancels the pull (`Cancelled`).
    ///
    /// A panic in `on_event` is caught at the C boundary, cancels the pull, and is resumed
    /// here once the C call has returned. No event is delivered after a panic or a `Break`.
    /// Either fires the pull's canceller (see [`PullOptions::canceller`]): other pulls of the
    /// client go on.
    pub fn pull<F>(&self, image: &str, opts: &PullOptions, mut on_event: F) -> Result<PullResult>
    where
        F: FnMut(Event) -> ControlFlow<()>,
    {
        let request = PullRequest::new(image, opts)?;
        let _running = Running::new(&self.inner);
        request.run(&self.inner, &mut on_event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn send_sync<T: Send + Sync>() {}
    fn clone<T: Clone>() {}
    #[test]
    fn stall_timeout_keeps_the_library_default_unless_set() {
        assert_eq!(stall_timeout_ms(None, 120_000), 120_000);
        assert_eq!(stall_timeout_ms(None, 0), 0); // a library older than 1.4
        assert_eq!(stall_timeout_ms(Some(Duration::ZERO), 120_000), 0);
        let set = |d| stall_timeout_ms(Some(d), 120_000);
        assert_eq!(set(Duration::from_micros(10)), 1);
        assert_eq!(set(Duration::from_secs(5)), 5000);
    }

    #[test]
    fn thread_safety() {
        send_sync::<Client>();
        send_sync::<Canceller>();
        clone::<Canceller>();
        send_sync::<ClientCanceller>();
        clone::<ClientCanceller>();
        send_sync::<ProgressWriter>();
        clone::<ProgressWriter>();
        send_sync::<Error>();
    }
    #[test]
    fn error_is_std_error() {
        let e: Box<dyn std::error::Error + Send + Sync> =
            Box::new(Error::new(ErrorCode::NotFound, "no such image"));
        assert_eq!(e.to_string(), "PODPULL_ERR_NOT_FOUND: no such image");
    }
}
