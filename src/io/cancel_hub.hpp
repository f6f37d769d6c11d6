// SPDX-License-Identifier: MIT OR Apache-2.0
// Cancellation for one client. podpull_cancel may run in a signal handler, so it only bumps
// an atomic generation and writes one byte to a pipe. The client's background loop reads the
// pipe and, in ordinary thread context, tells every pull that started before that generation
// to stop. Pulls that start later see the new generation and are not affected.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <utility>

namespace podpull::io {

class CancelHub {
    struct Entry {
        std::uint64_t generation;
        std::function<void()> cancel;
    };

  public:
    // Reads wake-ups on `loop`, which must outlive the hub's use.
    explicit CancelHub(const boost::asio::any_io_executor &loop);
    ~CancelHub();
    CancelHub(const CancelHub &) = delete;
    CancelHub &operator=(const CancelHub &) = delete;

    // Async-signal-safe: an atomic increment and a write(2).
    void cancel_all() noexcept;

    // For a wait that cannot enrol (a blocking write on the host's thread): take the
    // generation when the pull starts, then ask whether cancel_all() came since.
    std::uint64_t generation() const noexcept {
        return generation_.load(std::memory_order_acquire);
    }
    bool cancelled_since(std::uint64_t generation) const noexcept {
        return this->generation() > generation;
    }

    // While the returned object lives, `cancel` runs (on the loop thread) when cancel_all()
    // is called. `cancel` must be quick and thread-safe (typically: post to the pull's own
    // io_context). Destroying the enrolment waits out a `cancel` that is running.
    class Enrolment {
      public:
        Enrolment(CancelHub &hub, std::list<Entry>::iterator entry) : hub_(&hub), entry_(entry) {}
        Enrolment(Enrolment &&other) noexcept
            : hub_(std::exchange(other.hub_, nullptr)), entry_(other.entry_) {}
        Enrolment &operator=(Enrolment &&) = delete;
        ~Enrolment();

      private:
        CancelHub *hub_;
        std::list<Entry>::iterator entry_;
    };
    Enrolment enrol(std::function<void()> cancel);

  private:
    void read_wakeups();
    void wake();

    int write_fd_ = -1;
    boost::asio::posix::stream_descriptor reader_;
    std::atomic<std::uint64_t> generation_{0};
    static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
                  "cancel_all must stay async-signal-safe");
    std::mutex mutex_;
    std::list<Entry> entries_;
    char scratch_[64];
};

} // namespace podpull::io
