// The stall timeout: a watch on podman's silence. It fires once `limit` has passed since the
// last heard(). The reader calls heard() whenever podman says something and whenever it gets
// back to reading after waiting for the host, so time spent waiting for a slow host is never
// taken for silence from podman. It re-checks the clock when its wait ends instead of being
// re-armed on every read, so a busy stream costs one timer wait per `limit`.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>

namespace podpull::io {

class StallTimer {
  public:
    // A `limit` of 0 watches nothing. `on_stall` runs on the executor's thread, at most once.
    StallTimer(const boost::asio::any_io_executor &executor, std::chrono::milliseconds limit,
               std::function<void()> on_stall);

    // Podman spoke, or the reader is back to listening: silence counts from now.
    void heard();
    // Stops watching for good; the pending wait ends at once, so the executor can run dry.
    void cancel();

  private:
    using Clock = std::chrono::steady_clock;
    void wait_until(Clock::time_point when);

    boost::asio::steady_timer timer_;
    std::chrono::milliseconds limit_;
    std::function<void()> on_stall_;
    Clock::time_point last_heard_{};
    bool waiting_ = false;
    bool cancelled_ = false;
};

} // namespace podpull::io
