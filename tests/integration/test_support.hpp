// Helpers for the integration tests: the fixture's env file, a fresh sandbox directory per
// test, child processes (our own podman commands, and the check that the library left none),
// and a recorder for the callbacks of one pull.
//
// The tests reach the library only through podpull.h, like a host does.
#pragma once

#include <podpull.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace podpull_test {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// ---- the fixture ----------------------------------------------------------------------------

// What tests/support/registry-up.sh wrote to STATE_DIR/env. The path comes from the
// PODPULL_TEST_ENV environment variable (set by ctest). Anything missing FAILs the test.
struct TestEnv {
    std::string state_dir;
    std::string registry;       // 127.0.0.1:PORT
    std::string image;          // 127.0.0.1:PORT/podpull/test:v1
    std::string image_id;       // 64 hex
    std::string oci_archive;    // a path
    std::string oci_archive_id; // 64 hex
    std::string big_image;      // 127.0.0.1:PORT/podpull/big:v1
    std::string big_image_id;   // 64 hex
    std::string slow_registry;  // the same registry behind a throttling proxy
    std::string slow_image;     // the test image through it
    std::string slow_big_image; // the big image through it
    std::string derived_image;  // podpull/derived:v1: the test image's layers and one of 32 MB
    std::string derived_image_id;
    // Four images of two layers each, none shared ("podpull/distinct-N:v1", repository paths
    // on `registry` and `slow_registry`), and their IDs.
    std::vector<std::string> distinct_images, distinct_image_ids;
    std::string python3;         // absolute path of a python3 interpreter
    std::string containers_conf; // the fixture's containers.conf

    // The podman release this run is on: $PODPULL_TEST_RELEASE ("4.3", "5.4", "5.8", "6.1";
    // default "4.3", the host's), its podman (for 4.3 /usr/bin/podman, else the launcher of
    // scripts/podman-peers.sh) and the version it reports. Every podman a test starts, the
    // library's service included (Sandbox::options), is this one.
    std::string release;
    std::string podman;
    std::string podman_version; // "5.4.2"
    // A running podman of this release as the kernel shows it: /proc/PID/exe (for a chroot
    // release the binary inside its root file system) and argv[0] (the launcher execs
    // /usr/bin/podman inside the chroot).
    std::string podman_exe, podman_argv0;
    // Whether `podman` is a launcher of scripts/podman-peers.sh (a /bin/sh script that execs
    // podman in a chroot, in the same process) rather than the podman binary itself.
    bool podman_is_launcher() const { return podman_argv0 != podman; }
    int podman_major = 0, podman_minor = 0;
    // Whether this release's podman is at least major.minor.
    bool podman_at_least(int major, int minor) const {
        return podman_major > major || (podman_major == major && podman_minor >= minor);
    }
};
const TestEnv &test_env();

// The fixture's OS images (make-os-image.py), from the same env file. FAILs the test when the
// fixture was set up without them (PODPULL_FIXTURE_OS_IMAGE=0).
struct OsImageEnv {
    std::string image, image_id, manifest;                         // podpull/os:v1
    std::string sibling_image, sibling_image_id, sibling_manifest; // podpull/os-sibling:v1
    std::string slow_image, slow_sibling_image;                    // both through the relay
};
const OsImageEnv &os_image_env();

// The fixture's second registry: HTTPS with a certificate from a test CA, and htpasswd. From
// the same env file (PODPULL_TEST_AUTH_* and PODPULL_TEST_CA_DIR).
struct AuthTestEnv {
    std::string registry; // 127.0.0.1:PORT
    std::string image;    // 127.0.0.1:PORT/podpull/test:v1
    std::string image_id; // 64 hex, the same image as TestEnv::image
    std::string user;
    std::string password; // random per fixture setup
    std::string ca_dir;   // holds ca.crt, the CA that signed the registry's certificate
};
const AuthTestEnv &auth_test_env();

// ---- small utilities ------------------------------------------------------------------------

bool is_hex64(const std::string &s);
bool contains(const std::string &haystack, const std::string &needle);
bool contains_nocase(const std::string &haystack, const std::string &needle);
std::string read_file(const fs::path &path);
void write_file(const fs::path &path, const std::string &text, unsigned mode = 0644);
std::vector<std::string> dir_entries(const fs::path &dir); // names, sorted
double seconds_since(Clock::time_point start);

// Waits until `pred` holds or `timeout` passes; returns whether it held.
template <typename Pred> bool wait_for(Pred pred, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!pred()) {
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

// ---- processes ------------------------------------------------------------------------------

struct RunResult {
    int exit_code = -1; // -1: killed by a signal or timed out
    std::string out, err;
};
// Runs argv (argv[0] is an absolute path) with the environment plus `extra_env`, stdin from
// /dev/null, and waits at most timeout_ms (then kills it).
RunResult run_process(const std::vector<std::string> &argv,
                      const std::vector<std::string> &extra_env = {}, int timeout_ms = 120000);

// A child that keeps running (a test-owned podman service).
struct Spawned {
    int pid = -1;
};
Spawned spawn_process(const std::vector<std::string> &argv,
                      const std::vector<std::string> &extra_env, const fs::path &log_file);
// SIGTERM, wait up to grace_ms, SIGKILL, reap. Returns the wait status or -1.
int stop_process(Spawned &child, int grace_ms = 10000);

struct ProcInfo {
    int pid = 0;
    int ppid = 0;
    char state = '?';
    std::string comm;
};
// Every process whose parent is this process (zombies included).
std::vector<ProcInfo> children_of_this_process();
std::string describe(const std::vector<ProcInfo> &procs);
// Whether `pid` still exists (running or a zombie).
bool process_exists(int pid);

// ---- a sandbox per test ---------------------------------------------------------------------

// The directories of one podman service (or podman command): its own storage root, runroot
// and a containers.conf that keeps tmp_dir and locks inside the sandbox.
struct ServiceDirs {
    fs::path root, runroot, tmpdir, containers_conf;
    std::string driver = "vfs"; // the storage driver
    // "podman --root R --runroot RR --storage-driver DRIVER" with `args` after it.
    std::vector<std::string> podman_argv(const std::vector<std::string> &args) const;
    std::vector<std::string> podman_env() const; // CONTAINERS_CONF=..., TMPDIR=...
};

class Sandbox {
  public:
    Sandbox();
    ~Sandbox();
    Sandbox(const Sandbox &) = delete;
    Sandbox &operator=(const Sandbox &) = delete;

    const fs::path &dir() const { return dir_; }
    const fs::path &runtime_dir() const { return runtime_; }
    const ServiceDirs &main() const { return main_; }
    // `driver` "vfs" for most tests (it mounts nothing); "overlay" where pulls of many layers
    // must be quick (vfs copies the whole tree below each layer it applies).
    ServiceDirs make_service_dirs(const std::string &name, const std::string &driver = "vfs") const;
    // The same with the storage root in memory, in a directory of this sandbox's under
    // /dev/shm (tmpfs), for storages of hundreds of MB: on this machine's disk (ext4 mounted
    // with discard) removing one that holds the OS image and its sibling takes 30-50 s.
    ServiceDirs make_memory_service_dirs(const std::string &name, const std::string &driver);

    // Connect options for a service on `dirs` (vfs, runtime_dir in the sandbox, the sandbox's
    // containers.conf through `env`, logs into this sandbox's log). The strings live in this
    // Sandbox; `extra_env` entries are added to opts.env.
    podpull_connect_options options(const ServiceDirs &dirs,
                                    const std::vector<std::string> &extra_env = {});
    podpull_connect_options options(const std::vector<std::string> &extra_env = {}) {
        return options(main_, extra_env);
    }

    // The library's log lines so far, one per line, for INFO().
    std::string log_text() const;

    // Image IDs (64 hex) podman lists in that storage (`podman images --no-trunc`).
    std::vector<std::string> podman_image_ids(const ServiceDirs &dirs) const;

    // Asserts (CHECK) that this process has no child left and runtime_dir is empty, that
    // nothing is mounted below the sandbox, and that podman left nothing in /run/libpod,
    // /dev/shm or /var/tmp (which the chroot releases share with the host). Every test ends
    // with it.
    void check_no_leftovers() const;

  private:
    const char *keep(std::string s);
    const char *const *keep_env(std::vector<std::string> env);
    static void log_cb(void *user_data, podpull_log_level level, const char *message);

    fs::path dir_, runtime_;
    fs::path memory_dir_; // under /dev/shm, made by the first make_memory_service_dirs
    ServiceDirs main_;
    std::vector<std::string> var_tmp_before_; // podman's kind of entries in /var/tmp
    std::vector<std::unique_ptr<std::string>> strings_;
    std::vector<std::unique_ptr<std::vector<const char *>>> arrays_;
    mutable std::mutex log_mutex_;
    std::vector<std::string> log_;
};

// ---- the podpull command as a host ----------------------------------------------------------

// `podpull pull --json` of `image` into `dirs` with this release's podman, plain HTTP
// (--tls-verify=false), its socket dir in the sandbox's runtime_dir: argv for spawn_process.
std::vector<std::string> cli_pull_argv(const std::string &cli, const Sandbox &box,
                                       const ServiceDirs &dirs, const std::string &image);
// Whether the command's --json output so far shows a blob being copied: a progress event with
// bytes, or a "Copying blob" status line (routes without byte counts).
bool cli_is_copying(const std::string &json_output);

// ---- a podman service of the test's own ------------------------------------------------------

// Whether something accepts connections on the Unix socket at `path`.
bool unix_socket_answers(const fs::path &path);

// A `podman system service` the test starts itself, as a host that runs its own service
// would (podpull attaches to it with socket_path): this release's podman on `dirs`, with
// --log-level=debug so that its access log names every request it got. Started at
// construction (REQUIREd to answer within 30 s), SIGTERMed and reaped at destruction.
class PodmanService {
  public:
    PodmanService(const Sandbox &box, const ServiceDirs &dirs,
                  const std::vector<std::string> &extra_env = {});
    ~PodmanService();
    PodmanService(const PodmanService &) = delete;
    PodmanService &operator=(const PodmanService &) = delete;

    const fs::path &socket() const { return socket_; }
    int pid() const { return proc_.pid; }
    bool running();
    void stop();
    std::string log() const;
    // The requests the service answered, "POST /v5.0.0/libpod/images/pull?...", in order: the
    // access log lines podman writes once each answer is complete.
    std::vector<std::string> requests() const;

  private:
    static inline int counter_ = 0;
    fs::path dir_, socket_;
    Spawned proc_;
};

// An HTTP request to a service's Unix socket with curl, the body read as it comes (-N).
struct HttpAnswer {
    int status = 0; // 0: no answer (error says why)
    std::string body;
    std::string error;
};
HttpAnswer curl_unix(const fs::path &socket, const std::string &method, const std::string &target,
                     int timeout_ms = 120000);

// ---- one pull -------------------------------------------------------------------------------

// Records every callback of one pull, and whether any came on a wrong thread, before the
// route, or after podpull_pull returned.
class PullRecorder {
  public:
    PullRecorder();
    podpull_callbacks callbacks();

    // Called (on the pulling thread) after each status line is recorded.
    std::function<void(const std::string &)> on_status_hook;
    // Called (on the pulling thread) after each blob event is recorded; its result is what
    // on_blob returns to the library (nonzero cancels the pull).
    std::function<int(const podpull_blob_progress &)> on_blob_hook;

    struct BlobEvent {
        std::string id;
        podpull_blob_state state = PODPULL_BLOB_STARTED;
        uint64_t current = 0;
        int64_t total = 0;
        uint64_t pull_current = 0;
        uint64_t pull_total = 0;
        uint32_t blobs_seen = 0, blobs_done = 0;
    };

    struct Snapshot {
        int route_calls = 0;
        podpull_route route = PODPULL_ROUTE_AUTO;
        std::string reason;
        bool route_first = false; // the very first callback was on_route
        std::vector<std::string> status;
        int blob_calls = 0;
        std::vector<BlobEvent> blobs;
        int wrong_thread = 0;
        int after_return = 0;
        std::string sequence; // "R S S B ..." for messages
    };
    Snapshot snapshot() const;
    std::string summary() const;

    void mark_started();
    void mark_returned();

  private:
    static void route_cb(void *ud, podpull_route route, const char *reason);
    static void status_cb(void *ud, const char *line);
    static int blob_cb(void *ud, const podpull_blob_progress *progress);
    void common(char kind);

    mutable std::mutex mutex_;
    Snapshot s_;
    std::thread::id caller_;
    std::atomic<bool> returned_{false};
};

struct PullOutcome {
    podpull_code code = PODPULL_ERR_INTERNAL;
    std::string code_str;
    std::string message;
    bool have_result = false;
    bool have_error = false;
    podpull_code error_code = PODPULL_OK; // podpull_error_code(err)
    std::string image_id;
    podpull_route route = PODPULL_ROUTE_AUTO;
    uint64_t bytes = 0;
    double seconds = 0;
    std::string describe() const;
};
// podpull_pull with the recorder's callbacks (opts may be NULL); frees result and error.
PullOutcome pull(podpull_client *client, const std::string &image, PullRecorder &rec,
                 const podpull_pull_options *opts = nullptr);

struct ConnectOutcome {
    podpull_code code = PODPULL_ERR_INTERNAL;
    podpull_client *client = nullptr;
    std::string message;
    bool have_error = false;
    podpull_code error_code = PODPULL_OK;
    double seconds = 0;
    std::string describe() const;
};
ConnectOutcome connect(const podpull_connect_options &opts);

// A connected client, podpull_free'd at scope end (also when a REQUIRE throws).
struct Client {
    podpull_client *ptr = nullptr;
    Client() = default;
    explicit Client(podpull_client *p) : ptr(p) {}
    Client(Client &&other) noexcept : ptr(other.ptr) { other.ptr = nullptr; }
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;
    ~Client() { podpull_free(ptr); }
    void reset() {
        podpull_free(ptr);
        ptr = nullptr;
    }
};

// podpull_connect, REQUIREd to succeed (the library's log in the failure message).
podpull_client *connect_or_fail(const Sandbox &box, const podpull_connect_options &opts);

// Pull options for the test registry (plain HTTP): tls_verify = 0.
podpull_pull_options insecure_pull_options();

// A python3 script for podman_path that records each invocation (argv, open fds, and the
// value of PODPULL_WRAPPER_MARK) into the file named by $PODPULL_WRAPPER_REPORT, then execs
// the real podman.
fs::path write_recording_wrapper(const fs::path &dir);

struct WrapperRecord {
    std::vector<std::string> argv;   // without argv[0]
    std::map<int, std::string> fds;  // fd -> readlink target; "" for the lister's own fd
    std::optional<std::string> mark; // $PODPULL_WRAPPER_MARK, when set
    bool has_args(const std::vector<std::string> &seq) const; // consecutive args
    // "--name value" or "--name=value"
    bool has_option(const std::string &name, const std::string &value) const;
};
std::vector<WrapperRecord> read_wrapper_report(const fs::path &report);

} // namespace podpull_test
