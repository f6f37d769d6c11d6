// When podman's silence is a stall. The reader reports every time podman says something and
// every time it gets back to reading after waiting for the host, so time spent waiting for a
// slow host is never taken for podman's silence. The watch asks the shell to check at a given
// time instead of being re-armed on every read, so a busy stream costs one timer wait per
// `limit`. Pure: the shell passes the time in and runs the timer (io/stall_timer).
#pragma once

#include <chrono>
#include <optional>

namespace podpull {

class StallWatch {
  public:
    using Clock = std::chrono::steady_clock;

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
    // The pending check, at `now`. A stall is reported once; the watch stops after it.
    Verdict check(Clock::time_point now);

    // Stops watching for good (the pull is over or being stopped).
    void stop() noexcept { stopped_ = true; }

  private:
    std::chrono::milliseconds limit_;
    Clock::time_point last_heard_{};
    bool check_pending_ = false;
    bool stopped_ = false;
};

} // namespace podpull
