// SPDX-License-Identifier: MIT OR Apache-2.0
// A private `podman system service`: started in a fresh 0700 directory, known to be ready
// from its READY=1 notification, and always torn down (SIGTERM, a grace period, SIGKILL).
#pragma once

#include "background_loop.hpp"
#include "canceller.hpp"
#include "child_process.hpp"
#include "core/podman_command.hpp"
#include "private_directory.hpp"
#include "service_log.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace podpull::io {

struct ServiceConfig {
    std::string podman;                            // resolved executable path
    StorageFlags storage;                          // --root, --runroot, --storage-driver
    int run_root_fd = -1;                          // handed to the service as fd 3
    std::optional<StorageBinding> storage_binding; // bootc's layout (child_process.hpp)
    std::vector<std::string> env; // the service's environment, without NOTIFY_SOCKET
    std::string runtime_dir;      // where the private directory is made
    std::chrono::milliseconds start_timeout{90000};
    const Canceller *canceller = nullptr; // ends the wait for READY=1 when it fires
};

class PodmanService {
  public:
    // How long podman gets to exit on SIGTERM before SIGKILL. podman 4.3.1 exits within a few
    // milliseconds; a pull in flight gets the time to let go of its storage locks.
    static constexpr std::chrono::milliseconds stop_grace{3000};

    // Starts the service from `loop`'s thread and blocks until READY=1. Throws Error:
    // SERVICE (exited early; the message has the telling line of its stderr), TIMEOUT,
    // CANCELLED (the canceller fired; the service is stopped and reaped first),
    // PODMAN_NOT_FOUND, IO (runtime_dir full) or INVALID_ARGUMENT (runtime_dir unusable; see
    // private_directory_failure), INTERNAL.
    PodmanService(BackgroundLoop &loop, const ServiceConfig &config);
    ~PodmanService();
    PodmanService(const PodmanService &) = delete;
    PodmanService &operator=(const PodmanService &) = delete;

    const std::string &socket_path() const noexcept { return socket_path_; }
    int pid() const { return process_ ? process_->id() : -1; }

  private:
    boost::asio::awaitable<void> start(ServiceConfig config);
    boost::asio::awaitable<void> stop();
    // `lead` and the telling line of podman's stderr, or `otherwise` when it wrote nothing.
    std::string stderr_note(std::string_view lead, std::string_view otherwise);

    BackgroundLoop &loop_;
    PrivateDirectory directory_; // declared before process_: outlives it
    std::string socket_path_;
    std::optional<ServiceLog> stderr_; // podman's stderr, read on the loop
    std::optional<ChildProcess> process_;
};

} // namespace podpull::io
