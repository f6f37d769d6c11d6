// SPDX-License-Identifier: MIT OR Apache-2.0
// A podpull client: one podman service (private or attached) and the pulls made through it.
// It carries out the core's plans (core/connect_plan, core/pull_plan) with the I/O shell and
// decides nothing itself; the ABI shim sits on top.
#pragma once

#include "core/connect_plan.hpp"
#include "core/podman_version.hpp"
#include "core/progress_tracker.hpp"
#include "core/pull_observer.hpp"
#include "core/pull_parameters.hpp"
#include "core/pull_plan.hpp"
#include "core/registry_auth.hpp"
#include "core/route.hpp"
#include "io/unique_fd.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace podpull {

namespace io {
class BackgroundLoop;
class BlobClaimsGate;
class BootcProgressWriter;
class CancelHub;
class Canceller;
class PodmanService;
class PrivateDirectory;
} // namespace io

struct PullResult {
    std::string image_id;
    Route route = Route::automatic;
    PullTotals totals;           // bytes fetched and cached, blob counts (ProgressTracker::totals)
    std::string manifest_digest; // the image manifest's, when the manifest step read it
};

class Client {
  public:
    // Plans the connection, starts or attaches to the service and learns its version.
    // `canceller` (may be null) ends the connect with CANCELLED when it fires; it is used only
    // while the constructor runs. Throws Error.
    explicit Client(ConnectOptions options, const io::Canceller *canceller = nullptr);
    ~Client();
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    // Blocks; every observer call happens on the calling thread. `canceller` (may be null)
    // ends this pull, and only it, with CANCELLED when it fires. Pulls may run at once from
    // several threads; one that shares a blob with another in flight sends its request once
    // that one has ended (io::BlobClaimsGate). `progress_writer` (may be null) gets bootc's
    // progress events of the pull (io::BootcEventsObserver). Throws Error.
    PullResult pull(std::string_view image, const PullParameters &params, PullObserver &observer,
                    const io::Canceller *canceller = nullptr,
                    io::BootcProgressWriter *progress_writer = nullptr);

    // Cancels every pull in flight. Async-signal-safe.
    void cancel() noexcept;

  private:
    void connect(const io::Canceller *canceller);
    void keep_directory_fds();
    void make_temp_directory();
    void start_service(const io::Canceller *canceller);
    void shutdown() noexcept;
    void log(LogLevel level, std::string_view message) const;
    std::string socket_path() const;
    // One attempt of a pull; podpull's own retries make more, with the same tracker.
    PullResult run_api_pull(const PullPlan &plan, const ApiPullPlan &api, PullObserver &observer,
                            const io::Canceller *canceller, ProgressTracker &tracker);
    PullResult run_subprocess_pull(const PullPlan &plan, const SubprocessPullPlan &subprocess,
                                   PullObserver &observer, const io::Canceller *canceller,
                                   ProgressTracker &tracker);

    ConnectPlan plan_;
    io::UniqueFd storage_root_fd_; // the client's copies of the host's directory fds
    io::UniqueFd run_root_fd_;
    std::string podman_; // resolved executable once a service started from it
    std::unique_ptr<io::PrivateDirectory> temp_dir_; // every podman child's TMPDIR
    std::vector<std::string> env_;                   // the environment of every podman child
    PodmanVersion version_;
    RegistryAuth auth_; // every credential the host handed over; sent only where it belongs
    std::unique_ptr<io::BackgroundLoop> loop_;
    std::unique_ptr<io::CancelHub> cancel_hub_;
    // Pulls in flight that share a blob go one after the other, so podman fetches it once.
    std::unique_ptr<io::BlobClaimsGate> claims_;
    std::unique_ptr<io::PodmanService> service_;
};

} // namespace podpull
