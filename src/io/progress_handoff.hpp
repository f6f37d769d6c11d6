// SPDX-License-Identifier: MIT OR Apache-2.0
// The hand-off between a pull's reader thread and the host's thread (the one inside
// podpull_pull, where docs/abi.md keeps every callback). The reader publishes the route once
// the manifest's outcome is known, what the pull reports into a ProgressQueue (merging a slow
// host's PULLING reports) and, at its end, its outcome; the host's thread delivers the route
// first, then the rest in order, then returns or throws that outcome. A pull that ends (or is
// cancelled) before the reader published its route still gets one: the fallback route.
// Either side may stop the other: a host that cancels (podpull_cancel, on_blob returning
// nonzero) stops the reader through `interrupt`; a reader that fails is reported after
// every event it published before failing.
#pragma once

#include "core/error.hpp"
#include "core/progress_queue.hpp"
#include "core/pull_observer.hpp"

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

namespace podpull::io {

class ProgressHandoff {
  public:
    // `interrupt` makes the reader give up promptly (closes its socket, stops its child); it
    // is called once, from whichever thread cancels, and must be thread-safe (a post).
    ProgressHandoff(ProgressQueue::Bound bound, std::function<void(const Error &)> interrupt,
                    RouteDecision fallback_route);

    // ---- the reader's side ----
    // A PullObserver for the reader's PullSession: it publishes instead of calling the host.
    // Its blob() returns false, and its status() throws Error(cancelled), once the host has
    // cancelled, so the session stops feeding. Its route_chosen() publishes the route: call it
    // once, before any other event.
    PullObserver &publisher() noexcept { return publisher_; }
    // Queues an event for the host, waiting while the queue is full (backpressure on the
    // reader). Returns false, having queued nothing, once the pull is cancelled.
    bool publish(ProgressEvent event);
    // The reader is done: `failure` is its error, or null. Call exactly once.
    void finish(std::exception_ptr failure);

    // ---- either side, any thread ----
    // Stops the pull with `reason`, the error the host's thread throws. The first reason wins;
    // events still queued are not delivered (the host asked for no more).
    void cancel(const Error &reason);

    // ---- the host's side ----
    // Delivers the route, then every event as it comes until the reader finishes, then
    // rethrows its failure or returns. Throws the cancel reason once cancelled; when on_blob asks
    // to stop, cancels with Error(cancelled) itself. An exception from `observer` propagates; the
    // caller must then cancel and wait for the reader (ReaderThread does both).
    void deliver(PullObserver &observer);

  private:
    class Publisher final : public PullObserver {
      public:
        explicit Publisher(ProgressHandoff &handoff) : handoff_(handoff) {}
        void manifest_read(const ManifestSummary &manifest) override;
        void route_chosen(const RouteDecision &decision) override;
        void status(std::string_view line) override;
        bool blob(const BlobProgress &progress) override;

      private:
        ProgressHandoff &handoff_;
    };

    // The route for the host, once; with the lock held. False when it was delivered already.
    bool take_route(RouteDecision &route);

    std::function<void(const Error &)> interrupt_;
    RouteDecision fallback_route_;
    std::optional<RouteDecision> route_;      // published by the reader
    std::optional<ManifestSummary> manifest_; // published with it, when there is one
    bool route_delivered_ = false;
    Publisher publisher_{*this};
    std::mutex mutex_;
    std::condition_variable has_event_; // the host's thread waits here
    std::condition_variable has_room_;  // the reader waits here
    ProgressQueue queue_;
    bool finished_ = false;
    std::exception_ptr failure_;
    std::optional<Error> cancelled_;
};

// A pull's reader thread. It starts with every signal blocked (the host's signal handlers
// belong on the host's threads, as with BackgroundLoop), and it is never left running: the
// destructor of one that is still running cancels the hand-off, which interrupts the reader,
// and then joins it.
class ReaderThread {
  public:
    ReaderThread(ProgressHandoff &handoff, std::function<void()> run);
    ~ReaderThread();
    ReaderThread(const ReaderThread &) = delete;
    ReaderThread &operator=(const ReaderThread &) = delete;

    void join();

  private:
    ProgressHandoff &handoff_;
    std::thread thread_;
};

} // namespace podpull::io
