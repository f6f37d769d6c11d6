// SPDX-License-Identifier: MIT OR Apache-2.0
// A host's cancellation handle (podpull_canceller): fired from any thread or a signal handler,
// it ends the connect or the pulls it was handed to, and only those. Firing is a store and a
// write(2) to an eventfd; every wait of a call that holds the canceller also waits for that
// eventfd to become readable. Nothing ever reads the eventfd, so it stays readable: a fired
// canceller stays fired, and a call that starts with a fired one ends at once.
#pragma once

#include "unique_fd.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <functional>
#include <optional>

namespace podpull::io {

class Canceller {
  public:
    // Throws Error(internal) when no eventfd can be made.
    Canceller();
    Canceller(const Canceller &) = delete;
    Canceller &operator=(const Canceller &) = delete;

    // Async-signal-safe and idempotent.
    void cancel() noexcept;
    bool cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }
    // Readable once cancel() was called.
    int fd() const noexcept { return fd_.get(); }

  private:
    std::atomic<bool> cancelled_{false};
    UniqueFd fd_;
};

// Waits on one executor for a canceller to fire. Without a canceller it never fires, so a
// caller can always wait on it.
class CancelWatch {
  public:
    CancelWatch(const boost::asio::any_io_executor &executor, const Canceller *canceller);
    CancelWatch(const CancelWatch &) = delete;
    CancelWatch &operator=(const CancelWatch &) = delete;

    // Calls `fired` on the executor once the canceller fires (at once if it has).
    void on_fire(std::function<void()> fired);
    // Completes once the canceller fires.
    boost::asio::awaitable<void> wait();
    // Gives up waiting: a pending on_fire is dropped, a pending wait() ends with an error.
    void stop() noexcept;

  private:
    // A duplicate of the canceller's eventfd, so that closing it never closes the host's.
    std::optional<boost::asio::posix::stream_descriptor> descriptor_;
    boost::asio::steady_timer never_; // what is waited for without a canceller
};

} // namespace podpull::io
