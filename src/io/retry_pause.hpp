// SPDX-License-Identifier: MIT OR Apache-2.0
// The wait between two attempts of a pull that podpull retries itself (core/retry_policy.hpp).
// It ends at once, with CANCELLED, when the pull is cancelled: by its canceller, or by
// podpull_cancel on its client, also when that came while an attempt was ending, between two
// waits.
#pragma once

#include "cancel_hub.hpp"
#include "canceller.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>

namespace podpull::io {

class RetryPause {
  public:
    // Enrols with the client's hub for the whole pull, so that no podpull_cancel is missed
    // between attempts. `canceller` may be null.
    RetryPause(CancelHub &hub, const Canceller *canceller);
    RetryPause(const RetryPause &) = delete;
    RetryPause &operator=(const RetryPause &) = delete;

    // Blocks the calling thread for `delay`. Throws Error(cancelled) when the pull was
    // cancelled before or during the wait.
    void wait(std::chrono::milliseconds delay);

  private:
    bool cancelled() const noexcept;

    const Canceller *canceller_;
    std::atomic<bool> hub_fired_{false};
    boost::asio::io_context context_{1};
    boost::asio::steady_timer timer_{context_};
    CancelHub::Enrolment enrolment_; // last: it goes first, before what its callback touches
};

} // namespace podpull::io
