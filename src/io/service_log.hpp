// SPDX-License-Identifier: MIT OR Apache-2.0
// podman's stderr, read from a pipe on the client's loop and kept within a bound
// (core/capped_log): in memory, for the message of a service that exits or never gets ready,
// and in service.log in the private directory, for a person to read while the client lives.
// A pipe rather than the file as podman's stderr: written straight to a file, a service that
// runs for days fills it without end, and a file system without space fails podman's own
// writes to stderr.
#pragma once

#include "unique_fd.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace podpull::io {

class ServiceLog {
  public:
    struct State; // the pipe, what is kept, the file: shared with the reading coroutine

    // The start of podman's stderr (version, configuration and storage warnings) and its
    // latest 64-128 KiB (the error it exits with): service.log stays under 200 KiB.
    static constexpr std::size_t head_bytes = 64 * 1024;
    static constexpr std::size_t tail_bytes = 64 * 1024;

    // Makes the pipe; `file` is service.log, open for writing. Throws Error(internal) when no
    // pipe can be made.
    ServiceLog(const boost::asio::any_io_executor &executor, UniqueFd file);
    ~ServiceLog();
    ServiceLog(const ServiceLog &) = delete;
    ServiceLog &operator=(const ServiceLog &) = delete;

    // The pipe's write end, for the child's stderr; valid until start().
    int child_end() const noexcept { return child_end_.get(); }
    // Once the child holds the write end: lets go of ours, so that the child's exit ends the
    // pipe, and starts reading on the loop. Call on the loop's thread.
    void start();
    // What the pipe holds now, read without waiting (the child exited, or the caller cannot
    // wait), then what is kept. Call on the loop's thread.
    std::string text();
    // Stops reading. Call on the loop's thread.
    void close() noexcept;

  private:
    std::shared_ptr<State> state_; // the reading coroutine's too: it may outlive this
    UniqueFd child_end_;
};

} // namespace podpull::io
