// SPDX-License-Identifier: MIT OR Apache-2.0
// The client's BlobClaims (core/blob_claims.hpp), shared by its pulls' threads: a pull that
// must wait for others sleeps on its own thread until one of them ends or learns its blobs,
// and wakes at once when it is stopped. Only the order of requests changes: a pull that comes
// alone goes as it always did.
#pragma once

#include "core/blob_claims.hpp"
#include "core/image_manifest.hpp"
#include "reader_pull.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace podpull::io {

class BlobClaimsGate {
  public:
    BlobClaimsGate() = default;
    BlobClaimsGate(const BlobClaimsGate &) = delete;
    BlobClaimsGate &operator=(const BlobClaimsGate &) = delete;

    // One attempt of a pull, from its start to its end; lives on the pull's thread. A null
    // gate makes an entry that is always running (a request made outside a client).
    class Entry {
      public:
        explicit Entry(BlobClaimsGate *gate);
        ~Entry();
        Entry(const Entry &) = delete;
        Entry &operator=(const Entry &) = delete;

        bool running() const;
        // The manifest step's outcome: the blobs, or none known.
        void blobs_known(const std::optional<ManifestSummary> &manifest);
        // On `pull`'s thread: returns once this pull may send its request, or once the pull is
        // stopped. Meanwhile the host hears, as status lines, whom it waits for; and the stall
        // timer rests, as podman has not been asked anything yet.
        boost::asio::awaitable<void> wait_turn(ReaderPull &pull);

      private:
        BlobClaimsGate *gate_;
        BlobClaims::Ticket ticket_ = 0;
        // Cancelled to wake the waiting reader; woken from other pulls' threads through a post
        // that holds it weakly, so a wake-up that comes after the entry is gone does nothing.
        std::shared_ptr<boost::asio::steady_timer> timer_;
    };

  private:
    // With mutex_ held: admits who may go now and wakes them.
    void admit_and_wake();
    std::string wait_status(BlobClaims::Ticket ticket) const;

    std::mutex mutex_;
    BlobClaims claims_;
    std::map<BlobClaims::Ticket, std::function<void()>> wakers_;
};

} // namespace podpull::io
