// SPDX-License-Identifier: MIT OR Apache-2.0
// Which pulls of one client may send their request now, so that a blob two of them share is
// fetched once.
//
// podman fetches a blob again when two pulls reach it at the same time: each asks the storage,
// finds nothing, and downloads. Once one pull has stored a layer, the next finds it and
// reports it cached. So a pull whose image shares a blob with one in flight waits until that
// one has ended (pulled or failed: what it stored stays stored); pulls that share nothing go
// side by side. How many run at once is the host's to bound: it makes the calls.
//
// A pull that comes when no other is in flight goes at once, before its manifest is read, so
// a lone pull costs nothing. A pull that comes while others are in flight waits for its own
// manifest, and for theirs: until then nobody knows what they share. The blobs come from the
// manifest step (manifest_step.hpp); a pull whose manifest cannot be had shares nothing that
// podpull knows of.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace podpull {

class BlobClaims {
  public:
    using Ticket = std::uint64_t;

    // A pull comes; it runs at once when no other pull is in.
    Ticket enter();
    // Its manifest step is done: the digests of its blobs, or none when they cannot be known.
    void blobs_known(Ticket ticket, const std::vector<std::string> &digests);
    // It has ended, running or not. Unknown tickets are ignored (an ending is never refused).
    void leave(Ticket ticket) noexcept;

    // The waiting pulls that may send their request now, in the order they came, marked
    // running: each shares no blob with a running pull nor with a waiting one that came
    // before it, and every pull it could share with knows its blobs.
    std::vector<Ticket> admit();

    bool running(Ticket ticket) const;
    // The pulls `ticket` waits for now: running or earlier ones whose blobs it shares or that
    // do not know theirs yet. Empty for a running or unknown ticket.
    std::vector<Ticket> blockers(Ticket ticket) const;
    // How many blobs of `ticket` are also blobs of `other` (for the host's status line).
    std::size_t shared(Ticket ticket, Ticket other) const;
    std::size_t size() const { return pulls_.size(); }

  private:
    struct Pull {
        Ticket ticket;
        bool running;
        std::optional<std::vector<std::string>> digests; // sorted, unique; none: not yet known
    };
    const Pull *find(Ticket ticket) const;
    bool blocks(const Pull &earlier_or_running, const Pull &waiting) const;

    std::vector<Pull> pulls_; // in the order they came
    Ticket next_ = 1;
};

// The status line of a pull that waits for `pulls` others, which share `shared_blobs` blobs
// with it (0: they do not know their blobs yet).
std::string describe_wait(std::size_t pulls, std::size_t shared_blobs);

} // namespace podpull
