// SPDX-License-Identifier: MIT OR Apache-2.0
// How a pull is stopped, and which error it then ends with. A pull stops for a cancel (the
// host's, through podpull_cancel or on_blob), a stall, or a line podpull refuses; the first
// reason wins and later ones are dropped, and whatever the aborted read or the stopped child
// reports afterwards is only a consequence of it. Stopping closes the connection of an API
// pull, which makes podman abandon the pull; a `podman pull` child gets SIGTERM, so that it
// cleans up its partial pull, and SIGKILL if it is still there after a grace period. Pure: the
// shell does what stop() and grace_expired() return (io/reader_pull).
#pragma once

#include "error.hpp"

#include <chrono>
#include <exception>
#include <optional>

namespace podpull {

// What a pull's reader reads from.
enum class PullSource {
    connection, // an HTTP response from the service
    child,      // the pipes of a `podman pull`
};

// What the shell must do now to stop the pull.
enum class StopAction {
    none,             // nothing (already stopping, or nothing runs yet)
    close_connection, // close the socket: the read in flight ends
    terminate_child,  // SIGTERM, then call grace_expired() after PullStop::kill_grace
    kill_child,       // SIGKILL
};

class PullStop {
  public:
    // How long a `podman pull` gets to exit on SIGTERM before SIGKILL.
    static constexpr std::chrono::milliseconds kill_grace{3000};

    explicit PullStop(PullSource source) noexcept : source_(source) {}

    // Stops the pull for `reason`. Only the first reason counts; a later call returns none.
    StopAction stop(Error reason);

    // The error for `limit` of silence on this source.
    Error stall_reason(std::chrono::milliseconds limit) const;

    // A child may start only while nothing stopped the pull: a stop that comes first keeps it
    // from starting at all.
    bool may_start_child() const noexcept { return !reason_; }
    void child_started() noexcept { child_running_ = true; }
    void child_exited() noexcept { child_running_ = false; }
    // kill_grace passed after terminate_child.
    StopAction grace_expired() const noexcept;

    bool stopped() const noexcept { return reason_.has_value(); }
    const std::optional<Error> &reason() const noexcept { return reason_; }

    // The error the pull ends with, given how its reader ended (`reader_failure`, null when it
    // returned): the stop reason if there is one, else the reader's failure; null for success.
    std::exception_ptr outcome(std::exception_ptr reader_failure) const;

  private:
    PullSource source_;
    std::optional<Error> reason_;
    bool child_running_ = false;
};

} // namespace podpull
