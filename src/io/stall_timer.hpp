// SPDX-License-Identifier: MIT OR Apache-2.0
// The timer behind a StallWatch (core/stall_watch.hpp), which decides when podman's silence is
// a stall: this only waits until the time the watch names and asks it again.
#pragma once

#include "core/stall_watch.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace podpull::io {

class StallTimer {
  public:
    // How much podman has read and written so far, or nullopt when that cannot be known.
    using WorkProbe = std::function<std::optional<std::uint64_t>()>;

    // A `limit` of 0 watches nothing. `on_stall` runs on the executor's thread, at most once.
    // `work` (may be empty) is asked once each time the watch is checked or armed.
    StallTimer(const boost::asio::any_io_executor &executor, std::chrono::milliseconds limit,
               std::function<void()> on_stall, WorkProbe work = {});

    // Podman spoke, or the reader is back to listening: silence counts from now.
    void heard();
    // Rests until the next heard(): the reader waits for something other than podman.
    void rest();
    // Stops watching for good; the pending wait ends at once, so the executor can run dry.
    void cancel();

  private:
    void wait_until(StallWatch::Clock::time_point when);
    std::optional<std::uint64_t> work_now() const;
    StallWatch::Clock::time_point sooner_for_work(StallWatch::Clock::time_point when) const;

    boost::asio::steady_timer timer_;
    StallWatch watch_;
    std::function<void()> on_stall_;
    WorkProbe work_;
};

} // namespace podpull::io
