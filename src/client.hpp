// A podpull client: one podman service (private or attached) and the pulls made through it.
// It wires the core's decisions to the I/O shell; the ABI shim sits on top.
#pragma once

#include "core/log.hpp"
#include "core/podman_command.hpp"
#include "core/podman_version.hpp"
#include "core/pull_observer.hpp"
#include "core/pull_parameters.hpp"
#include "core/reference.hpp"
#include "core/registry_auth.hpp"
#include "core/route.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace podpull {

namespace io {
class BackgroundLoop;
class CancelHub;
class PodmanService;
} // namespace io

struct ConnectConfig {
    std::string podman_path = "podman";
    StorageFlags storage;
    int run_root_fd = -1;
    std::optional<std::string> socket_path; // attach instead of starting a service
    std::optional<std::string> runtime_dir;
    std::vector<std::string> env;         // extra "KEY=VALUE" for podman processes
    std::optional<std::string> auth_file; // containers-auth.json(5), read at connect
    int auth_fd = -1;                     // the same, as an open fd
    std::chrono::milliseconds start_timeout{90000};
    LogSink log;
};

struct PullResult {
    std::string image_id;
    Route route = Route::automatic;
    std::uint64_t bytes = 0;
};

class Client {
  public:
    // Starts or attaches to the service and learns its version. Throws Error.
    explicit Client(ConnectConfig config);
    ~Client();
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    // Blocks; every observer call happens on the calling thread. Throws Error.
    PullResult pull(std::string_view image, const PullParameters &params, PullObserver &observer);

    // Async-signal-safe.
    void cancel() noexcept;

    const PodmanVersion &podman_version() const noexcept { return version_; }

  private:
    void connect();
    void shutdown() noexcept;
    void log(LogLevel level, std::string_view message) const;
    std::string socket_path() const;
    std::string image_id_after_compat_pull(const ImageReference &reference,
                                           const std::string &prefix) const;
    std::string run_subprocess(const ImageReference &reference, const PullParameters &params,
                               PullObserver &observer);

    ConnectConfig config_;
    std::string podman_;           // resolved executable, for the subprocess route
    std::vector<std::string> env_; // the environment of every podman child
    PodmanVersion version_;
    RegistryAuth auth_; // every credential the host handed over; sent only where it belongs
    std::unique_ptr<io::BackgroundLoop> loop_;
    std::unique_ptr<io::CancelHub> cancel_hub_;
    std::unique_ptr<io::PodmanService> service_;
};

} // namespace podpull
