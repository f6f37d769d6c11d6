// SPDX-License-Identifier: MIT OR Apache-2.0
// The gate between podman and the pull's session while the manifest step runs: the host must
// hear nothing before the manifest's outcome is known (the route's reason says where the
// sizes come from, and the tracker must know every blob before the first event), but podman
// must not wait for it either. So the reader keeps draining podman and the gate holds what
// comes, up to a bound; once the outcome is known the gate opens: the route goes to the host,
// the session gets the blobs, and what was held is fed in order, then everything after it.
// Past the bound the reader waits for the gate (podman then waits on its socket or pipe), at
// most for the manifest step's timeout.
#pragma once

#include "blob_claims_gate.hpp"
#include "manifest_fetch.hpp"
#include "reader_pull.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace podpull::io {

class ManifestGate {
  public:
    // How much of podman's output may wait for the manifest: a few seconds of a busy pull's
    // progress lines, far more than a text route prints in the manifest step's timeout.
    static constexpr std::size_t default_hold = 1024 * 1024;

    // `opened` runs once, on the pull's thread, when the outcome is known (it tells the host the
    // route and hands the blobs to the session); `sink` then takes podman's output.
    ManifestGate(ReaderPull &pull, std::function<void(const ManifestOutcome &)> opened,
                 std::function<void(std::string_view)> sink, std::size_t hold = default_hold);
    ManifestGate(const ManifestGate &) = delete;
    ManifestGate &operator=(const ManifestGate &) = delete;
    // A reader that ends before the step does (it failed) leaves the step to be ended by the
    // pull (ReaderPull ends its helper); the step's outcome then finds no gate to open.
    ~ManifestGate() { *self_ = nullptr; }

    // Starts the manifest step on the pull's thread; the gate opens when it is done.
    void start(const ManifestFetchRequest &request);

    // A piece of podman's output: to the sink once open, else held; waits while the gate is
    // closed and more than the bound is held. Throws what the sink throws.
    boost::asio::awaitable<void> pass(std::string_view piece);

    // Waits until the gate is open (or the pull stopped).
    boost::asio::awaitable<void> wait_open();

    // The reader failed while the step still ran: the host hears the route without sizes (the
    // note says why) and then what podman sent before the failure, as without the step. A
    // failure of what was held is not reported: the reader's own failure is the pull's.
    void give_up(std::string_view why) noexcept;

    bool is_open() const noexcept { return open_; }

  private:
    void open(const ManifestOutcome &outcome);

    ReaderPull &pull_;
    std::function<void(const ManifestOutcome &)> opened_;
    std::function<void(std::string_view)> sink_;
    std::size_t hold_;
    std::string held_;
    bool open_ = false;
    bool done_ = false; // the step is over (open, or abandoned because the pull stopped)
    boost::asio::steady_timer waiters_;
    std::shared_ptr<ManifestGate *> self_ = std::make_shared<ManifestGate *>(this);
};

// What every route does when its gate opens: the client's claims learn the image's blobs,
// `expect` hands them to the route's session, and the host hears the manifest and then the
// route, whose reason ends with the step's note.
void announce_manifest(const ManifestOutcome &outcome, BlobClaimsGate::Entry &claim,
                       const std::function<void(const std::vector<BlobDescriptor> &)> &expect,
                       PullObserver &publisher, const RouteDecision &decision);

} // namespace podpull::io
