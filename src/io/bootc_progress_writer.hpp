// SPDX-License-Identifier: MIT OR Apache-2.0
// A descriptor that bootc's progress events go to (podpull_progress_writer): a duplicate of
// the host's, written a whole line at a time, shared by every pull handed it. It behaves as
// bootc's own ProgressWriter: Start once, lossy events at most 5 a second (the core's
// BootcEventStream), each line flushed as it is made, a full pipe waited on, and the first
// write error the end of the writing, never of the pull.
#pragma once

#include "core/bootc_progress.hpp"
#include "unique_fd.hpp"

#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace podpull::io {

class BootcProgressWriter {
  public:
    // Takes a close-on-exec duplicate of `fd` (the host keeps its own). `start_sent`: the host
    // wrote a Start on it already. Throws Error(invalid_argument) when `fd` is not an open
    // descriptor above 2 that is open for writing.
    BootcProgressWriter(int fd, bool start_sent);
    BootcProgressWriter(const BootcProgressWriter &) = delete;
    BootcProgressWriter &operator=(const BootcProgressWriter &) = delete;

    // Writes `event` (after Start, the first time) unless the stream drops it as too soon.
    // Waits while the reader lets the pipe fill up, asking `stopping` every 100 ms whether to
    // give up (the pull was cancelled); the line is then cut short and nothing more is
    // written. Returns, once, why writing ended for good (EPIPE from a reader that went away,
    // ENOSPC, a cancel mid-line), for the pull to log; else nullopt. Never raises SIGPIPE.
    // Thread-safe: pulls on several threads may share the writer.
    std::optional<std::string> send(const BootcEvent &event, const std::function<bool()> &stopping);

    // Whether writing has ended for good.
    bool failed() const;

  private:
    // Writes all of `text`; false (with errno's reason in `why`) when it could not.
    bool write_all(std::string_view text, const std::function<bool()> &stopping, std::string &why);

    mutable std::mutex mutex_;
    UniqueFd fd_;
    BootcEventStream stream_;
    bool failed_ = false;
};

} // namespace podpull::io
