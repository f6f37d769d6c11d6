// SPDX-License-Identifier: MIT OR Apache-2.0
/**
 * @file
 * podpull.h - pull container images through a private podman service, with byte progress.
 *
 * This is the whole public interface of libpodpull (ABI major 1). It is plain C99 and
 * usable from C++; it names no type beyond <stdint.h> and <stddef.h>.
 *
 * Conventions
 *   - Every struct a host passes in starts with `struct_size`, set by its `podpull_*_init`
 *     function to `sizeof` as the host was compiled. The library reads only the fields that
 *     fit, so a host built against an older header keeps working. Always call the init
 *     function first, then set the fields you need.
 *   - No exception or panic crosses this boundary: every function turns failures into a
 *     `podpull_code` and, where it takes one, a `podpull_error`.
 *   - Every object the library returns has a `podpull_*_free`; passing NULL to it is a no-op.
 *     A string returned by an accessor lives as long as the object it came from.
 *   - Callbacks run on the thread that called `podpull_pull`, never after it returns, and
 *     may call nothing on the same client but `podpull_cancel`.
 *   - Credentials never reach the log callback, an error message, or a process's argv.
 */
#ifndef PODPULL_H
#define PODPULL_H

#include <stddef.h>
#include <stdint.h>

/** Marks what the library exports; empty for a host (the library defines PODPULL_BUILDING). */
#if defined(PODPULL_BUILDING)
#define PODPULL_API __attribute__((visibility("default")))
#else
#define PODPULL_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI major this header describes. */
#define PODPULL_ABI_MAJOR 1

/** The stall bound podpull_pull_options_init sets (1.4): 2 minutes in which neither a byte
 * arrives from podman nor podman reads or writes anything is a hang, not a slow registry or
 * a long commit, which keep podman busy. An unattended updater then gets TIMEOUT (retryable)
 * instead of waiting forever. */
#define PODPULL_DEFAULT_STALL_TIMEOUT_MS 120000u

typedef struct podpull_client podpull_client; /**< opaque: one podman service and its pulls */
typedef struct podpull_error podpull_error;   /**< opaque: a code and a message */
typedef struct podpull_result podpull_result; /**< opaque: what a successful pull produced */
/** opaque: a host's handle that ends the calls it is handed to (1.2; podpull_canceller_new) */
typedef struct podpull_canceller podpull_canceller;
/** opaque: a descriptor that bootc's progress events go to (1.5; podpull_progress_writer_new) */
typedef struct podpull_progress_writer podpull_progress_writer;

/** What went wrong. Every function that can fail returns one of these. */
typedef enum podpull_code {
    PODPULL_OK = 0,                   /**< success */
    PODPULL_ERR_INVALID_ARGUMENT = 1, /**< bad option, NULL not allowed, malformed reference */
    PODPULL_ERR_PODMAN_NOT_FOUND = 2, /**< the podman binary could not be executed */
    PODPULL_ERR_SERVICE = 3, /**< the service exited or never became ready, or is not podman */
    PODPULL_ERR_IO = 4, /**< socket/HTTP transport failure, connection lost, runtime_dir full */
    PODPULL_ERR_PROTOCOL = 5,  /**< malformed HTTP or NDJSON from the service */
    PODPULL_ERR_PULL = 6,      /**< podman says the pull failed (registry, manifest, storage) */
    PODPULL_ERR_AUTH = 7,      /**< the registry wants credentials, or refused them */
    PODPULL_ERR_NOT_FOUND = 8, /**< the image or tag does not exist */
    PODPULL_ERR_CANCELLED = 9, /**< podpull_cancel, or a callback returned nonzero */
    PODPULL_ERR_TIMEOUT = 10,  /**< start timeout or stall timeout */
    PODPULL_ERR_INTERNAL = 11, /**< out of memory or a bug */
    /** 1.4: the signature policy refused the image (podman: "Source image rejected"): it is
       unsigned, wrongly signed, or its registry is rejected outright. Before 1.4: PULL. */
    PODPULL_ERR_REJECTED = 12
} podpull_code;

/** How a pull is carried out. */
typedef enum podpull_route {
    PODPULL_ROUTE_AUTO = 0, /**< only as a request: let the library choose */
    PODPULL_ROUTE_LIBPOD_PROGRESS =
        1, /**< libpod pull with pullProgress (podman >= 6.0): per-blob bytes */
    PODPULL_ROUTE_LIBPOD_COMPAT =
        2, /**< libpod pull with compatMode (podman >= 4.8): per-layer bytes */
    PODPULL_ROUTE_DOCKER_COMPAT = 3, /**< POST /images/create (any podman): per-layer bytes */
    PODPULL_ROUTE_LIBPOD_TEXT = 4,   /**< libpod pull, status text only */
    PODPULL_ROUTE_SUBPROCESS = 5 /**< `podman pull` for oci:, oci-archive:, dir:, docker-archive:,
                                    docker-daemon:, containers-storage: */
} podpull_route;

/** When podman should contact the registry (podman's --pull policy). */
typedef enum podpull_policy {
    PODPULL_POLICY_ALWAYS = 0,  /**< always: pull, even when the image is stored */
    PODPULL_POLICY_MISSING = 1, /**< missing: pull only when the storage has no such image */
    PODPULL_POLICY_NEWER = 2,   /**< newer: pull when the registry's image differs */
    PODPULL_POLICY_NEVER = 3    /**< never: use the stored image, fail without one */
} podpull_policy;

/** How much a message of podpull_connect_options.log matters. */
typedef enum podpull_log_level {
    PODPULL_LOG_DEBUG = 0, /**< detail for whoever debugs a pull */
    PODPULL_LOG_INFO = 1,  /**< what the library does (a retry, a wait for another pull) */
    PODPULL_LOG_WARN = 2,  /**< something the host may want to act on (an ignored credsStore) */
    PODPULL_LOG_ERROR = 3  /**< a failure, as the library meets it */
} podpull_log_level;

/** Diagnostics sink. `message` is valid only during the call and never holds a credential. */
typedef void (*podpull_log_fn)(void *user_data, podpull_log_level level, const char *message);

/** How to reach podman. Fill with podpull_connect_options_init() first. */
typedef struct podpull_connect_options {
    uint32_t struct_size;       /**< set by podpull_connect_options_init() */
    const char *podman_path;    /**< default: "podman" from PATH */
    const char *storage_root;   /**< podman --root; NULL: podman's default */
    const char *run_root;       /**< podman --runroot; NULL: podman's default */
    int run_root_fd;            /**< >= 0: given to every podman as fd 3 and passed as
                                   --runroot /proc/self/fd/3 (bootc's layout); podpull keeps a
                                   duplicate, the host may close its own; default -1 */
    const char *storage_driver; /**< podman --storage-driver; NULL: podman's default */
    /** containers-auth.json(5) whose credentials go with each pull, and no others: podman and
       skopeo get the image's registry's entry (every entry for a short name) or, when it has
       none, an empty set, so `{}` means anonymous for every registry, and they do not fall
       back to the places they search by default. Except podman before 4.4 (containers/image
       before 5.24; 4.3.1 is one): for a registry without an entry it still reads
       ~/.config/containers/auth.json, ~/.docker/config.json and ~/.dockercfg of its HOME (the
       env option's, else the host's), which podpull cannot prevent (docs/podman.md,
       "Credentials"). NULL, with auth_fd -1: nothing is handed over, and podman's and
       skopeo's own lookup stands: $XDG_RUNTIME_DIR/containers/auth.json (root without the
       variable: /run/containers/0/auth.json), ~/.config/containers/auth.json,
       ~/.docker/config.json, ~/.dockercfg; not the host's REGISTRY_AUTH_FILE, which only
       podman's command line reads and podpull does not pass on. Only "auths" is read:
       podpull runs no credential helper, and warns (PODPULL_LOG_WARN) naming the
       registries of an ignored "credHelpers" or "credsStore". */
    const char *auth_file;
    int auth_fd;             /**< the same, as an open fd; default -1 */
    const char *socket_path; /**< use this existing service instead of starting one */
    const char *runtime_dir; /**< where the private socket dir is made; default
                                $XDG_RUNTIME_DIR, else /run, else /tmp */
    /** Extra "KEY=VALUE" for the service and subprocesses, NULL-ended. Every podman podpull
       starts gets TMPDIR set to a private directory that podpull makes in this env's TMPDIR,
       else in podpull's own $TMPDIR, else in /var/tmp, and removes, with every partial blob
       of an interrupted pull, when the client is freed (or, if the host died, when the next
       client with the same temp directory connects). */
    const char *const *env;
    uint32_t start_timeout_ms; /**< default 90000 */
    podpull_log_fn log;        /**< diagnostics; NULL: none. Never gets credentials. */
    void *log_user_data;       /**< passed to log as its user_data */
    /** 1.2: when it fires, podpull_connect stops whatever it started and returns
       PODPULL_ERR_CANCELLED; NULL: none. Used only while podpull_connect runs. */
    podpull_canceller *canceller;
    /** 1.5: the storage root as an open directory, bootc's layout. >= 0: a descriptor of the
     * directory (podpull duplicates it; the host keeps its own); podman is given
     * --root storage_root_alias, and every podman and skopeo podpull starts sees the directory
     * there, bind-mounted in a private mount namespace of that process's own: nothing shows in
     * the host's mount table, and it goes when the process does, also when the host dies.
     * storage_root must be NULL. Needs CAP_SYS_ADMIN (root), as bootc does. Default -1. */
    int storage_root_fd;
    /** 1.5: with storage_root_fd, the absolute, normalized path podman sees it at (bootc:
     * "/run/bootc/storage"). podman records the path in the storage's database, so every
     * client of one storage must use the same alias. podpull makes it and any missing parent
     * (mkdir -p; the alias 0700, parents 0755) and leaves it for the next client. */
    const char *storage_root_alias;
} podpull_connect_options;

/** How to pull one image. Fill with podpull_pull_options_init() first. */
typedef struct podpull_pull_options {
    uint32_t struct_size;  /**< set by podpull_pull_options_init() */
    podpull_policy policy; /**< default ALWAYS */
    int tls_verify;        /**< default 1; 0 skips TLS verification */
    /** The platform to pull for, "linux", "arm64", "v8"; NULL: the host's. @{ */
    const char *os, *arch, *variant;
    /** @} */
    /** How often a pull that failed on a transient registry error (podpull_error_retryable)
     * is tried again; default 0: podman's own default (with a registry answering 503,
     * podman 5.8 and 6.1 retried 3 times, 4.3.1 and 5.4 not at all). From podman 5.0, podman is
     * given the count (the API's `retry`, `podman pull --retry`) and retries itself; podpull adds
     * no retry of its own. Before 5.0 podman takes no count, so podpull retries a registry pull
     * itself: the whole pull, up to `retries` more times, while podman keeps the layers it stored,
     * so a retry fetches only what is missing. Each retry is logged at info; on_route comes once,
     * progress goes on without going back, and cancelling ends the wait at once. Measured:
     * podman 5.4, even given a count, retries a 429 but not a 503 (docs/reliability.md). */
    uint32_t retries;
    /** The wait between tries; default 0: podman's default (from 1 s, doubling) on 5.0+, and
     * the same, 1 s, 2 s, 4 s..., for podpull's own retries. */
    uint32_t retry_delay_ms;
    /** Fail with TIMEOUT when podman has been silent for this long; default
     * PODPULL_DEFAULT_STALL_TIMEOUT_MS (libraries before 1.4: 0); 0: never. Silent means
     * nothing arrived from podman and, where podpull started that podman (its own service,
     * or `podman pull` on the SUBPROCESS route), podman and its children neither read nor
     * wrote anything: a podman committing a layer or copying a blob is busy, not silent,
     * and one waiting on a registry that never answers is silent. Attached to a service
     * through socket_path, only what arrives counts, so on the LIBPOD_TEXT route the bound
     * must then exceed the longest blob copy. A slow host callback is never silence. */
    uint32_t stall_timeout_ms;
    podpull_route route; /**< default AUTO; anything else forces that route or fails */
    /** 1.2: when it fires, this pull, and no other, ends with PODPULL_ERR_CANCELLED; NULL:
       none. Used only while podpull_pull runs. */
    podpull_canceller *canceller;
    /** 1.4: the signature policy (containers-policy.json(5)) this pull must satisfy, an
     * absolute path; NULL: podman's default, the host's /etc/containers/policy.json. podman's
     * API takes no policy, so a pull with one runs `podman pull --signature-policy` (the
     * SUBPROCESS route; forcing another route fails with INVALID_ARGUMENT) on every podman
     * release; the manifest is read first all the same, so totals stay exact. A file podpull
     * cannot read fails with INVALID_ARGUMENT before podman starts; an image the policy
     * refuses fails with PODPULL_ERR_REJECTED, and nothing of it is stored. Keys and
     * lookaside locations come from the files the policy and registries.d(5) name. */
    const char *signature_policy;
    /** 1.5: bootc's progress events of this pull (podpull_progress_writer_new) go here, after
     * the host's own callbacks heard the same; NULL: none. Several pulls may share a writer. */
    podpull_progress_writer *progress_writer;
} podpull_pull_options;

/** Where one blob of a pull stands (podpull_blob_progress.state). */
typedef enum podpull_blob_state {
    PODPULL_BLOB_STARTED = 0, /**< podman began on it; with a manifest its size is known */
    PODPULL_BLOB_PULLING = 1, /**< bytes are arriving */
    PODPULL_BLOB_DONE = 2,    /**< fetched and stored */
    PODPULL_BLOB_SKIPPED = 3  /**< already in the storage: cached, not fetched */
} podpull_blob_state;

/**
 * Byte progress of one blob, with the whole pull's totals. Valid only during the callback.
 * Written by the library: `struct_size` says how much of it this library filled in, so a host
 * reads a field added after ABI 1.0 only when `struct_size` covers it
 * (offsetof(podpull_blob_progress, field) + sizeof field <= struct_size).
 *
 * Before the first byte, the library reads the image's manifest (`skopeo inspect --raw` for a
 * registry, the files for oci:, oci-archive: and dir:). With it, on every route, every blob of
 * the image and its size are known from the first report on: pull_total is the image's whole
 * size and never changes, each blob has its size at STARTED, and blobs_total is set. Without
 * it (no skopeo, a short name, docker-archive:..., a registry that refuses it; on_route's
 * reason says why), figures come from podman's reports alone, as far as the route has them.
 */
typedef struct podpull_blob_progress {
    uint32_t struct_size; /**< how much of this struct the library filled in (see above) */
    /** "sha256:<hex>": the manifest's digest. Without a manifest, the LIBPOD_COMPAT and
     * DOCKER_COMPAT routes name a blob by the 12-hex short id podman sends. */
    const char *id;
    podpull_blob_state state; /**< where the blob stands */
    /** Bytes of this blob fetched so far; a DONE blob stands at its total. A SKIPPED blob
     * (already in the storage: cached, not fetched) has 0 here. */
    uint64_t current;
    int64_t total; /**< this blob's size, -1 when unknown */
    /** Bytes of this pull's blobs in the storage so far: fetched and cached (pull_cached).
     * Never decreases, never exceeds pull_total, and equals it when a pull with a manifest
     * ends. A blob finished without a byte report is credited its size. */
    uint64_t pull_current;
    /** Bytes of every blob of the image (its manifest's sum: layers and config, fetched or
     * cached). Without a manifest: the sizes of the blobs seen so far (a blob of unknown size
     * counts with what it transferred); then it may grow, but never decreases. */
    uint64_t pull_total;
    uint32_t blobs_seen; /**< blobs podman has reported on */
    uint32_t blobs_done; /**< blobs DONE or SKIPPED */
    /* ---- ABI 1.2: present when struct_size covers them ---- */
    /** Bytes of pull_current (and pull_total) that were in the storage already: SKIPPED blobs.
     * Bytes fetched so far = pull_current - pull_cached. On LIBPOD_TEXT and SUBPROCESS podman
     * does not say which blobs it had, so there every blob counts as fetched. */
    uint64_t pull_cached;
    uint32_t blobs_total;  /**< blobs of the image per its manifest; 0 without a manifest */
    uint32_t blobs_cached; /**< blobs SKIPPED so far: found in the storage, not fetched */
} podpull_blob_progress;

/** What the host wants to hear during a pull. Any member may be NULL. */
typedef struct podpull_callbacks {
    uint32_t struct_size; /**< set by podpull_callbacks_init() */
    void *user_data;      /**< passed to every callback */
    /** The route chosen and why, once per pull, before any other callback. */
    void (*on_route)(void *user_data, podpull_route route, const char *reason);
    /** One human-readable line from podman ("Copying blob sha256:..."), without newline. */
    void (*on_status)(void *user_data, const char *line);
    /** Byte progress of one blob. Return 0 to go on, nonzero to cancel the pull. */
    int (*on_blob)(void *user_data, const podpull_blob_progress *progress);
} podpull_callbacks;

/** Fill `opts` with defaults and set its struct_size. NULL: no-op. The header routes calls to
 * podpull_connect_options_init_sized (see below); this symbol serves hosts built against 1.0
 * and 1.1 headers, and fills only the fields those knew. */
PODPULL_API void podpull_connect_options_init(podpull_connect_options *opts);
/** Fill `opts` with defaults and set its struct_size. NULL: no-op. As above, the header routes
 * calls to podpull_pull_options_init_sized. */
PODPULL_API void podpull_pull_options_init(podpull_pull_options *opts);
/** Set every callback to NULL and set struct_size. NULL: no-op. */
PODPULL_API void podpull_callbacks_init(podpull_callbacks *cb);

/**
 * Fill the first `size` bytes of `opts` (`sizeof *opts` as the host was compiled) with
 * defaults and set struct_size to `size` (1.2). A struct larger than this library's gets its
 * unknown tail zeroed. NULL, or a size below 4 or above 4096: no-op. Hosts call these through
 * the macros below; a dlopen host calls them through podpull_api with sizeof.
 */
PODPULL_API void podpull_connect_options_init_sized(podpull_connect_options *opts, size_t size);
/** The same for podpull_pull_options (1.2). */
PODPULL_API void podpull_pull_options_init_sized(podpull_pull_options *opts, size_t size);
/** Fill `*opts` with defaults: podpull_connect_options_init_sized() with `sizeof *opts`. */
#define podpull_connect_options_init(opts)                                                         \
    podpull_connect_options_init_sized((opts), sizeof *(opts))
/** Fill `*opts` with defaults: podpull_pull_options_init_sized() with `sizeof *opts`. */
#define podpull_pull_options_init(opts) podpull_pull_options_init_sized((opts), sizeof *(opts))

/**
 * Make a canceller (1.2): a handle a host hands to podpull_connect and to any number of
 * podpull_pull calls (the `canceller` option of each), and fires with podpull_canceller_cancel
 * to end just those calls. Several threads may use one canceller at once. Release it with
 * podpull_canceller_free once no call holds it.
 *
 * Errors: INVALID_ARGUMENT (out is NULL), INTERNAL (no file descriptor or memory left).
 */
PODPULL_API podpull_code podpull_canceller_new(podpull_canceller **out, podpull_error **err);
/**
 * Fire the canceller: every podpull_connect and podpull_pull that holds it returns
 * PODPULL_ERR_CANCELLED within 100 ms, whatever podman is doing (starting, silent, waiting on
 * a stalled registry), having stopped and reaped whatever it started; calls that do not hold
 * it go on. A fired canceller stays fired: a call handed one returns PODPULL_ERR_CANCELLED at
 * once, before it starts anything. Callable from any thread and from a signal handler
 * (async-signal-safe); calling it again does nothing. NULL: no-op.
 */
PODPULL_API void podpull_canceller_cancel(podpull_canceller *canceller);
/** 1 once podpull_canceller_cancel was called, else 0 (also for NULL). */
PODPULL_API int podpull_canceller_is_cancelled(const podpull_canceller *canceller);
/** Release a canceller that no call holds any more. NULL: no-op. */
PODPULL_API void podpull_canceller_free(podpull_canceller *canceller);

/**
 * Start a private `podman system service` (or attach to opts->socket_path) and return once
 * it answers. The service listens in a fresh 0700 directory under runtime_dir, is told to die
 * with this process, and inherits no fd but 0-2 and run_root_fd (as fd 3). Directories that
 * clients killed outright (SIGKILL) left in runtime_dir are removed first.
 *
 * opts may be NULL (all defaults). On success *out is a client to release with
 * podpull_free(); on failure *out is NULL and, if err is not NULL, *err describes why
 * (release it with podpull_error_free()).
 *
 * Errors: INVALID_ARGUMENT (an option podman cannot take, before anything starts: among
 * them a storage_root_fd that is not a directory, and a storage_root_alias that is relative or
 * cannot be made), PODMAN_NOT_FOUND, SERVICE (the service exited or never got ready, with the
 * telling line of its stderr, "podpull: cannot give podman the storage root at ..." when the
 * bind mount failed; or what answers at socket_path is not a podman service), TIMEOUT
 * (start_timeout_ms passed), IO (socket_path does not answer; runtime_dir has no space or
 * inode left), CANCELLED (the options' canceller fired), INTERNAL.
 */
PODPULL_API podpull_code podpull_connect(const podpull_connect_options *opts, podpull_client **out,
                                         podpull_error **err);

/**
 * Pull `image` and block until it is stored, failed, or cancelled. Callbacks run on this
 * thread. opts, cb, result and err may be NULL. Several pulls may run at once on one client
 * from different threads. A pull whose image shares a blob (a layer, the config) with another
 * pull in flight on the client waits until that one has ended, so that podman fetches the blob
 * once: it then finds it stored and reports it cached. While it waits, on_status says whom it
 * waits for and why; the wait counts toward no stall timeout and any cancel ends it at once.
 *
 * On success *result (if result is not NULL) holds the image ID; release it with
 * podpull_result_free(). On failure *result is NULL and *err (if err is not NULL) says why.
 * It ends with PODPULL_ERR_CANCELLED after podpull_cancel, when on_blob returns nonzero, and
 * when the options' canceller fires.
 */
PODPULL_API podpull_code podpull_pull(podpull_client *client, const char *image,
                                      const podpull_pull_options *opts, const podpull_callbacks *cb,
                                      podpull_result **result, podpull_error **err);

/**
 * Cancel every pull in flight on this client; each returns PODPULL_ERR_CANCELLED soon after.
 * Callable from any thread and from a signal handler (async-signal-safe). Pulls that start
 * after the call are not affected, and the client stays usable. NULL: no-op.
 */
PODPULL_API void podpull_cancel(podpull_client *client);

/**
 * Stop the service this client started (SIGTERM, then SIGKILL after a grace period), reap it,
 * remove its socket directory, and release the client. NULL: no-op. No pull may be running
 * on the client: cancel them and let them return first.
 */
PODPULL_API void podpull_free(podpull_client *client);

/** The error's code. NULL: PODPULL_OK. */
PODPULL_API podpull_code podpull_error_code(const podpull_error *err);
/** The error's message, for a person. NULL: "". */
PODPULL_API const char *podpull_error_message(const podpull_error *err);
/**
 * 1 when retrying the same call later, with nothing else changed, may succeed; else 0 (also
 * for NULL). Added in 1.3 (podpull_api: `error_retryable`). By code:
 *   PULL        1 when podman's words name a transient registry trouble: rate limiting (HTTP
 *               429, TOOMANYREQUESTS), the registry failing (HTTP 5xx), or the connection to
 *               it breaking or being refused ("unexpected EOF", "connection reset by peer",
 *               "broken pipe", "connection refused", "i/o timeout"); 0 for every other pull
 *               failure (a storage error, a bad manifest).
 *   TIMEOUT     1: a registry that stalled, or a service slow to start, may do better later.
 *   all others  0: INVALID_ARGUMENT, AUTH, NOT_FOUND and REJECTED need a different
 *               request, credentials or image; PODMAN_NOT_FOUND, SERVICE and IO a working
 *               podman (after IO or SERVICE during a pull, the client's service is gone:
 *               connect again); PROTOCOL and INTERNAL are bugs; CANCELLED is the host's own
 *               doing.
 * podpull's own retries (podpull_pull_options.retries) are made only for PULL errors this
 * returns 1 for; a host that retries itself can use the same rule.
 */
PODPULL_API int podpull_error_retryable(const podpull_error *err);
/** Release an error. NULL: no-op. */
PODPULL_API void podpull_error_free(podpull_error *err);

/** The full 64-hex image ID. NULL: "". */
PODPULL_API const char *podpull_result_image_id(const podpull_result *res);
/** The route the pull took. NULL: PODPULL_ROUTE_AUTO. */
PODPULL_API podpull_route podpull_result_route(const podpull_result *res);
/** Bytes fetched: the sizes of the image's blobs that the pull copied, cached ones (already in
 * the storage) excluded. The same on every route when the image's manifest was read (see
 * podpull_blob_progress): the manifest's sizes of every blob not reported SKIPPED (on
 * LIBPOD_TEXT and SUBPROCESS, where podman does not tell cached blobs apart, every blob).
 * Without a manifest, what podman's reports added up to: 0 on LIBPOD_TEXT and SUBPROCESS, and
 * on the jsonmessage routes a blob that finished between two byte reports adds nothing. */
PODPULL_API uint64_t podpull_result_bytes(const podpull_result *res);
/** Release a result. NULL: no-op. */
PODPULL_API void podpull_result_free(podpull_result *res);
/** Bytes of the image's blobs that were in the storage already (cached, not fetched); 0 without
 * a manifest and on LIBPOD_TEXT and SUBPROCESS. bytes + bytes_cached is the image's size when
 * its manifest was read. NULL: 0. Added in 1.2 (podpull_api: `result_bytes_cached`). */
PODPULL_API uint64_t podpull_result_bytes_cached(const podpull_result *res);
/** Blobs of the image (layers and config) per its manifest; 0 when no manifest was read.
 * NULL: 0. Added in 1.2. */
PODPULL_API uint32_t podpull_result_blobs_total(const podpull_result *res);
/** Blobs found in the storage (cached, not fetched). NULL: 0. Added in 1.2. */
PODPULL_API uint32_t podpull_result_blobs_cached(const podpull_result *res);
/** The digest of the image manifest pulled, "sha256:<64 hex>" (for a manifest list, the
 * platform's entry): what `podman pull NAME@DIGEST` fetches again. "" when the manifest was not
 * read (see podpull_blob_progress), and for NULL. Added in 1.5. */
PODPULL_API const char *podpull_result_manifest_digest(const podpull_result *res);

/** podpull_progress_writer_new's flag: the host wrote bootc's Start event on the descriptor
 * itself, so the writer does not. */
#define PODPULL_PROGRESS_START_SENT 1u

/**
 * Make a writer of bootc's progress events (1.5): the JSON Lines that `bootc upgrade
 * --progress-fd` writes, on a duplicate of `fd`, for every pull whose `progress_writer` option
 * names it. The schema is bootc's (progress_jsonl.rs), field for field, one canonical JSON
 * object a line (keys sorted, no spaces), and so are the shapes, those bootc's deploy.rs
 * sends while it fetches layers:
 *   - {"type":"Start","version":"0.1.0"} once per writer, before anything else (not with
 *     PODPULL_PROGRESS_START_SENT);
 *   - ProgressBytes, task "pulling", description "Pulling Image: DIGEST", id the manifest's
 *     digest (the reference as given when no manifest was read): bytes fetched so far of
 *     bytesTotal to fetch, bytesCached found in the storage; steps, stepsTotal and stepsCached
 *     counting the manifest's layers the same way; a subtask per layer fetched or being
 *     fetched, type "layer", named by its digest's first 21 hex digits ("layer: HEX"), the
 *     finished ones kept. Bytes count the config blob too, so the last event's bytes equal
 *     podpull_result_bytes;
 *   - ProgressSteps, task "storing": steps 0 of 1 once every blob is stored, 1 of 1 when the
 *     pull succeeds (podman writing the image's manifest between the two).
 * Byte updates are dropped when another event was written less than 200 ms before (bootc's
 * 5 Hz); a layer finishing and the last events never are. A failed pull writes nothing more.
 * Each line is written whole and flushed; a full pipe is waited on (a cancel ends the wait);
 * the first write error (a reader that went away: no SIGPIPE is raised) ends the writing, not
 * the pull, and is logged at PODPULL_LOG_WARN through the pull's client. Several pulls, on
 * any threads, may share one writer: one Start, lines never interleaved.
 *
 * Errors: INVALID_ARGUMENT (out is NULL, fd is not a descriptor above 2 open for writing, an
 * unknown flag), INTERNAL.
 */
PODPULL_API podpull_code podpull_progress_writer_new(int fd, uint32_t flags,
                                                     podpull_progress_writer **out,
                                                     podpull_error **err);
/** 1 once a write error ended the writer's writing, else 0 (also for NULL). Added in 1.5. */
PODPULL_API int podpull_progress_writer_failed(const podpull_progress_writer *writer);
/** Close the writer's descriptor and release it, once no pull holds it. NULL: no-op. 1.5. */
PODPULL_API void podpull_progress_writer_free(podpull_progress_writer *writer);

/** The code's name, "PODPULL_ERR_AUTH" and so on; "PODPULL_ERR_UNKNOWN" for others. Never NULL. */
PODPULL_API const char *podpull_code_str(podpull_code code);
/** The library's version, "1.2.3". */
PODPULL_API const char *podpull_version(void);
/** The ABI major, PODPULL_ABI_MAJOR of the header the library was built with. */
PODPULL_API uint32_t podpull_abi_version(void);
/** The route's name, "PODPULL_ROUTE_LIBPOD_PROGRESS" and so on; "PODPULL_ROUTE_UNKNOWN" for
 * others. Never NULL. Added in 1.1: a dlopen host finds it in podpull_api when the table's
 * struct_size covers `route_str`. */
PODPULL_API const char *podpull_route_str(podpull_route route);

/** Every function above, for hosts that load the library with dlopen(). */
typedef struct podpull_api {
    uint32_t struct_size; /**< the table's size: covers every member this library has */
    uint32_t abi_major;   /**< PODPULL_ABI_MAJOR of the library */
    void (*connect_options_init)(podpull_connect_options *); /**< the 1.0 symbol: 1.0 layout */
    void (*pull_options_init)(podpull_pull_options *);       /**< the 1.0 symbol: 1.0 layout */
    void (*callbacks_init)(podpull_callbacks *);             /**< podpull_callbacks_init() */
    /** podpull_connect() */
    podpull_code (*connect)(const podpull_connect_options *, podpull_client **, podpull_error **);
    /** podpull_pull() */
    podpull_code (*pull)(podpull_client *, const char *, const podpull_pull_options *,
                         const podpull_callbacks *, podpull_result **, podpull_error **);
    void (*cancel)(podpull_client *);                       /**< podpull_cancel() */
    void (*free)(podpull_client *);                         /**< podpull_free() */
    podpull_code (*error_code)(const podpull_error *);      /**< podpull_error_code() */
    const char *(*error_message)(const podpull_error *);    /**< podpull_error_message() */
    void (*error_free)(podpull_error *);                    /**< podpull_error_free() */
    const char *(*result_image_id)(const podpull_result *); /**< podpull_result_image_id() */
    podpull_route (*result_route)(const podpull_result *);  /**< podpull_result_route() */
    uint64_t (*result_bytes)(const podpull_result *);       /**< podpull_result_bytes() */
    void (*result_free)(podpull_result *);                  /**< podpull_result_free() */
    const char *(*code_str)(podpull_code);                  /**< podpull_code_str() */
    const char *(*version)(void);                           /**< podpull_version() */
    uint32_t (*abi_version)(void);                          /**< podpull_abi_version() */
    const char *(*route_str)(podpull_route);                /**< 1.1: podpull_route_str() */
    /** 1.2: podpull_connect_options_init_sized() */
    void (*connect_options_init_sized)(podpull_connect_options *, size_t);
    /** 1.2: podpull_pull_options_init_sized() */
    void (*pull_options_init_sized)(podpull_pull_options *, size_t);
    /** 1.2: podpull_canceller_new() */
    podpull_code (*canceller_new)(podpull_canceller **, podpull_error **);
    void (*canceller_cancel)(podpull_canceller *); /**< 1.2: podpull_canceller_cancel() */
    /** 1.2: podpull_canceller_is_cancelled() */
    int (*canceller_is_cancelled)(const podpull_canceller *);
    void (*canceller_free)(podpull_canceller *); /**< 1.2: podpull_canceller_free() */
    /** 1.2: podpull_result_bytes_cached() */
    uint64_t (*result_bytes_cached)(const podpull_result *);
    /** 1.2: podpull_result_blobs_total() */
    uint32_t (*result_blobs_total)(const podpull_result *);
    /** 1.2: podpull_result_blobs_cached() */
    uint32_t (*result_blobs_cached)(const podpull_result *);
    int (*error_retryable)(const podpull_error *); /**< 1.3: podpull_error_retryable() */
    /** 1.5: podpull_result_manifest_digest() */
    const char *(*result_manifest_digest)(const podpull_result *);
    /** 1.5: podpull_progress_writer_new() */
    podpull_code (*progress_writer_new)(int, uint32_t, podpull_progress_writer **,
                                        podpull_error **);
    /** 1.5: podpull_progress_writer_failed() */
    int (*progress_writer_failed)(const podpull_progress_writer *);
    /** 1.5: podpull_progress_writer_free() */
    void (*progress_writer_free)(podpull_progress_writer *);
    /* later functions are appended here */
} podpull_api;

/**
 * The one symbol a dlopen host needs: the table of every function above, or NULL when this
 * library cannot serve ABI major `abi_major`. The table is static; do not free it.
 */
PODPULL_API const podpull_api *podpull_get_api(uint32_t abi_major);

#ifdef __cplusplus
}
#endif

#endif /**< PODPULL_H */
