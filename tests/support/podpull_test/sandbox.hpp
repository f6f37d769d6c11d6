// SPDX-License-Identifier: MIT OR Apache-2.0
// A sandbox per test: a temporary directory with podman storages, runtime dirs and a
// containers.conf that keep podman's state inside it, connect options for a service there,
// the check that nothing was left behind, and a podman service of the test's own.
#pragma once

#include "podpull_test/process.hpp"

#include <podpull.h>

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace podpull_test {

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

// Writes a registries.conf at `file` that declares each of `locations` ("127.0.0.1:PORT")
// insecure (plain HTTP), for a service's CONTAINERS_REGISTRIES_CONF; returns `file`.
fs::path write_insecure_registries_conf(const fs::path &file,
                                        const std::vector<std::string> &locations);

// A temporary directory of one test, removed at its end. With the registry fixture it is
// registered there too (its cleanup removes what a killed test left); the fake-service tests
// use it without.
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
    // Connect options that attach to the service at `socket` (socket_path), with the log.
    podpull_connect_options attach_options(const fs::path &socket);

    // The library's log lines so far, one per line, for INFO().
    std::string log_text() const;

    // Image IDs (64 hex) podman lists in that storage (`podman images --no-trunc`).
    std::vector<std::string> podman_image_ids(const ServiceDirs &dirs) const;

    // Asserts (CHECK) that this process has no child left and runtime_dir is empty, that
    // nothing is mounted below the sandbox, and that podman left nothing in /run/libpod or
    // /dev/shm. Every test ends with it.
    void check_no_leftovers() const;

  private:
    const char *keep(std::string s);
    const char *const *keep_env(std::vector<std::string> env);
    static void log_cb(void *user_data, podpull_log_level level, const char *message);

    fs::path dir_, runtime_;
    fs::path memory_dir_; // under /dev/shm, made by the first make_memory_service_dirs
    ServiceDirs main_;
    std::vector<std::unique_ptr<std::string>> strings_;
    std::vector<std::unique_ptr<std::vector<const char *>>> arrays_;
    mutable std::mutex log_mutex_;
    std::vector<std::string> log_;
};

// ---- a podman service of the test's own ------------------------------------------------------

// Whether something accepts connections on the Unix socket at `path`.
bool unix_socket_answers(const fs::path &path);

// Where a client of this process makes its podman children's private TMPDIR: $TMPDIR, else
// /var/tmp (connect_plan.hpp), and the podpull-tmp-XXXXXX directories there now.
fs::path podman_temp_root();
std::set<std::string> podman_temp_dirs();
// Those of them that no other process's live client holds (by the directory's lock file): what
// this process left, when other podpull processes run on the machine at the same time.
std::set<std::string> podman_temp_dirs_not_held_elsewhere();

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

} // namespace podpull_test
