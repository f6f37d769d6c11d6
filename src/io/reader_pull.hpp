// SPDX-License-Identifier: MIT OR Apache-2.0
// The skeleton of every pull, whichever route: podman is read on a thread of the pull's own
// while the calling thread runs the host's callbacks, so a slow host never keeps podman's
// progress channel from being drained (and a `podman pull` from its stderr pipe), unless it
// falls a whole backlog behind. Around the route's reader it puts the hand-off to the host's
// thread (ProgressHandoff), the stall timer, the client's cancel hub, and the stop: which
// reason wins and how podman is stopped are PullStop's decisions (core/pull_stop.hpp); this
// only carries them out.
//
// A thread per pull rather than the client's BackgroundLoop: the reader may have to wait for
// the host (backpressure), and on the shared loop that wait would also hold up the cancel
// pipe, the service's watch and every other pull of the client. A pull lasts seconds to
// minutes; starting a thread costs microseconds.
#pragma once

#include "cancel_hub.hpp"
#include "canceller.hpp"
#include "child_process.hpp"
#include "core/child_exit.hpp"
#include "core/pull_stop.hpp"
#include "http_connection.hpp"
#include "progress_handoff.hpp"
#include "stall_timer.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <utility>

namespace podpull::io {

class ReaderPull {
  public:
    struct Settings {
        PullSource source = PullSource::connection;
        // What may wait for the host before the reader waits for it (see ProgressQueue).
        ProgressQueue::Bound backlog;
        std::chrono::milliseconds stall_timeout{0}; // 0: none
        // The host's handle for this pull alone (podpull_pull_options.canceller), or null.
        const Canceller *canceller = nullptr;
        // What the host is told if the pull ends before the reader published its route.
        RouteDecision fallback_route;
        // The podman whose reads and writes show it busy while silent (the service of an API
        // pull); -1: none known. A pull that starts a child watches that child.
        int podman_pid = -1;
    };

    ReaderPull(const Settings &settings, CancelHub &hub);
    ReaderPull(const ReaderPull &) = delete;
    ReaderPull &operator=(const ReaderPull &) = delete;

    // Runs `reader` on the pull's thread and every observer call on this one until the reader
    // is done. Returns the reader's value, or throws the pull's error (the stop reason over
    // whatever the reader then reported; PullStop::outcome). Call once.
    template <typename T> T run(PullObserver &observer, boost::asio::awaitable<T> reader);

    // ---- for the route's reader, on the pull's thread ----
    boost::asio::io_context &context() noexcept { return context_; }
    // The observer of the route's session: it hands events over to the host's thread.
    PullObserver &publisher() noexcept { return handoff_.publisher(); }
    // Podman spoke, or the reader is back from waiting for the host.
    void heard() { stall_.heard(); }
    // The reader waits for something other than podman (BlobClaimsGate): no stall until the
    // next heard().
    void rest_stall_timer() { stall_.rest(); }
    // Stops the pull for `reason` (only the first reason counts).
    void stop(const Error &reason);
    bool stopped() const noexcept { return stop_.stopped(); }
    // Throws the stop reason once the pull is stopped.
    void throw_if_stopped() const;
    // The connection a stop closes (API routes).
    void close_on_stop(HttpConnection &connection) noexcept { connection_ = &connection; }
    // A helper of the pull (the manifest step's skopeo) to end when the pull stops or its
    // reader is done: `end` runs then, on the pull's thread, once. An empty function clears it.
    void end_helper_on_stop(std::function<void()> end) { end_helper_ = std::move(end); }
    // Starts the child a stop terminates (SUBPROCESS), unless the pull is stopped already:
    // then throws the stop reason and starts nothing. `stdio` by reference, as launch_child
    // takes it.
    ChildProcess &start_child(const ChildSpec &spec, boost::process::v2::process_stdio &&stdio);
    // Waits for the child to end; returns how it ended.
    boost::asio::awaitable<ChildExit> wait_child();

  private:
    void carry_out(StopAction action);
    void end_helper();

    CancelHub &hub_;
    PullStop stop_;
    boost::asio::io_context context_{1};
    ProgressHandoff handoff_;
    StallTimer stall_;
    CancelWatch cancel_watch_;
    boost::asio::steady_timer kill_timer_{context_};
    HttpConnection *connection_ = nullptr;
    std::function<void()> end_helper_;
    std::optional<ChildProcess> child_; // declared after context_: it goes first
    int podman_pid_ = -1;               // whose process tree's I/O the stall timer watches
};

// The pull's thread: starts with every signal blocked, and is never left running (see
// ReaderThread in progress_handoff.hpp).
template <typename T> T ReaderPull::run(PullObserver &observer, boost::asio::awaitable<T> reader) {
    std::optional<T> value;
    boost::asio::co_spawn(context_, std::move(reader), [&](std::exception_ptr failure, T result) {
        stall_.cancel(); // nothing may keep the context running after the reader
        kill_timer_.cancel();
        cancel_watch_.stop();
        end_helper();
        failure = stop_.outcome(failure);
        if (!failure)
            value = std::move(result);
        handoff_.finish(failure);
    });
    // podpull_cancel reaches every pull of the client through the hub; the host's canceller
    // reaches this one. Either way the hand-off stops delivering and interrupts the reader.
    const auto enrolment = hub_.enrol(
        [this] { handoff_.cancel(Error(ErrorCode::cancelled, "the pull was cancelled")); });
    cancel_watch_.on_fire(
        [this] { handoff_.cancel(Error(ErrorCode::cancelled, "the pull was cancelled")); });
    ReaderThread thread(handoff_, [this] { context_.run(); });
    handoff_.deliver(observer);
    thread.join();
    return std::move(*value);
}

} // namespace podpull::io
