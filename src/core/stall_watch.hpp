// SPDX-License-Identifier: MIT OR Apache-2.0
// When podman's silence is a stall. The reader reports every time podman says something and
// every time it gets back to reading after waiting for the host, so time spent waiting for a
// slow host is never taken for podman's silence. The watch asks the shell to check at a given
// time instead of being re-armed on every read, so a busy stream costs one timer wait per
// `limit`. Pure: the shell passes the time in and runs the timer (io/stall_timer).
//
// Podman is silent on the API while it commits a layer, and on the text routes while it copies
// a blob, yet busy. Where the shell can see how much podman has read and written (a counter
// that only grows: io/process_activity), it hands that in at every check; a counter that moved
// by busy_bytes or more since the last check counts as podman speaking. So a slow commit is
// never a stall, and a registry that never answers still is: podman then reads and writes only
// a few bytes a second (seen on an idle 4.3.1 service: 5 to 6), its runtime's own wake-ups.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace podpull {

class StallWatch {
  public:
    using Clock = std::chrono::steady_clock;
    // Far above an idle podman's noise, far below any blob copy or layer commit.
    static constexpr std::uint64_t busy_bytes = 4096;

    // A `limit` of 0 watches nothing.
    explicit StallWatch(std::chrono::milliseconds limit) noexcept : limit_(limit) {}

    std::chrono::milliseconds limit() const noexcept { return limit_; }

    // Podman spoke, or the reader is back to listening: silence counts from `now`. Returns the
    // time the shell must check at when no check is pending yet, else nullopt.
    std::optional<Clock::time_point> heard(Clock::time_point now);

    struct Verdict {
        bool stalled = false;                  // `limit` of silence has passed: stop the pull
        std::optional<Clock::time_point> next; // else, when to check again (nullopt: never)
    };
    // The pending check, at `now`, with podman's work counter then (nullopt: not known). A
    // stall is reported once; the watch stops after it.
    Verdict check(Clock::time_point now, std::optional<std::uint64_t> work = std::nullopt);
    // The work counter when a check is first armed: what the check compares with.
    void note_work(std::optional<std::uint64_t> work) noexcept { last_work_ = work; }

    // The shell dropped the pending check: the reader waits for something other than podman.
    // The next heard() arms a new one.
    void rest() noexcept { check_pending_ = false; }

    // Stops watching for good (the pull is over or being stopped).
    void stop() noexcept { stopped_ = true; }

  private:
    std::chrono::milliseconds limit_;
    Clock::time_point last_heard_{};
    std::optional<std::uint64_t> last_work_;
    bool check_pending_ = false;
    bool stopped_ = false;
};

} // namespace podpull
