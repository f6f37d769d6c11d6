// SPDX-License-Identifier: MIT OR Apache-2.0
// The bounded, coalescing queue between the thread that reads podman and the host's thread
// that runs the callbacks. When the host is slow, a blob's PULLING reports merge into the one
// still waiting for it, so reading never has to wait for the host on account of byte counts;
// everything else (STARTED, DONE, SKIPPED, status lines) waits its turn in order, and the
// queue's bound turns a host that falls far behind into backpressure on the reader, never into
// unbounded memory. Single-threaded: the locking is the I/O shell's (io/progress_handoff).
#pragma once

#include "progress_tracker.hpp"
#include "pull_events.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <variant>

namespace podpull {

// What the host is told during a pull, apart from the route: a status line or a blob report.
using ProgressEvent = std::variant<StatusEvent, BlobProgress>;

class ProgressQueue {
  public:
    // How much may wait for the host. `entries` counts queued events (at least 1); `bytes`
    // counts the text they hold (status lines, blob ids), so a hostile stream of long status
    // lines cannot pile up either. One event larger than `bytes` still fits an empty queue, so
    // the pull always moves.
    struct Bound {
        std::size_t entries = 64;
        std::size_t bytes = 256 * 1024;
    };

    // Throws Error(internal) for a bound of zero entries.
    explicit ProgressQueue(Bound bound);

    // Whether push(event) fits now: a PULLING that merges into a waiting report of its blob
    // always does (it takes no room); anything else needs room under the bound.
    bool accepts(const ProgressEvent &event) const;

    // Queues `event`, or merges it: a PULLING for a blob whose latest queued report is a
    // PULLING replaces that report's per-blob figures in place (its position is kept, so a
    // busy blob is not pushed back behind later events), and the whole-pull figures of that
    // report and of every report after it are raised by the same difference, so each report
    // still carries pull totals that equal the sum of what the host has been told. A PULLING
    // never merges across another report about its blob (a STARTED, DONE or SKIPPED queued
    // after it), nor into a report already popped. Throws Error(internal) if !accepts(event).
    void push(ProgressEvent event);

    // The oldest waiting event, or nullopt when none waits.
    std::optional<ProgressEvent> pop();

    bool empty() const noexcept { return entries_.empty(); }
    std::size_t size() const noexcept { return entries_.size(); }
    std::size_t bytes() const noexcept { return bytes_; }
    const Bound &bound() const noexcept { return bound_; }
    // How many PULLING reports were merged away since construction.
    std::uint64_t merged() const noexcept { return merged_; }

  private:
    // The queued PULLING that a PULLING `progress` would merge into, or entries_.size().
    std::size_t merge_target(const BlobProgress &progress) const;

    Bound bound_;
    std::deque<ProgressEvent> entries_;
    std::size_t bytes_ = 0;
    std::uint64_t merged_ = 0;
};

} // namespace podpull
