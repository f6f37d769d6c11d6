// SPDX-License-Identifier: MIT OR Apache-2.0
#include "bootc_progress_writer.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

namespace podpull::io {
namespace {

// A reader that went away makes write(2) raise SIGPIPE, which would kill a host that left it
// at its default. While a line is written the signal is blocked on this thread; one raised by
// our write is taken back (sigtimedwait) before it is unblocked, one that was already pending
// is left for the host. The usual way for a library (OpenSSL and libcurl do the same).
class SigpipeHeld {
  public:
    SigpipeHeld() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    }
    ~SigpipeHeld() {
        if (raised_ && !was_pending_) {
            const timespec now{0, 0};
            while (sigtimedwait(&pipe_, nullptr, &now) < 0 && errno == EINTR) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    SigpipeHeld(const SigpipeHeld &) = delete;
    SigpipeHeld &operator=(const SigpipeHeld &) = delete;

    void raised() noexcept { raised_ = true; }

  private:
    sigset_t pipe_{}, old_{};
    bool was_pending_ = false;
    bool raised_ = false;
};

// A pipe that poll(2) calls writable has room for at least PIPE_BUF bytes, so a write of that
// much does not block: the wait stays in poll, where a cancel is seen.
constexpr std::size_t chunk = PIPE_BUF;
constexpr int poll_interval_ms = 100;

} // namespace

BootcProgressWriter::BootcProgressWriter(int fd, bool start_sent) : stream_(start_sent) {
    const int flags = fd > 2 ? ::fcntl(fd, F_GETFL) : -1;
    if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY)
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("progress fd {} is not a descriptor above 2 open for writing", fd));
    // A duplicate close-on-exec: no podman child keeps the reader's pipe open after the pull.
    fd_.reset(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
    if (!fd_)
        throw Error(ErrorCode::internal,
                    fmt::format("cannot duplicate progress fd {}: {}", fd, std::strerror(errno)));
}

bool BootcProgressWriter::failed() const {
    std::lock_guard lock(mutex_);
    return failed_;
}

std::optional<std::string> BootcProgressWriter::send(const BootcEvent &event,
                                                     const std::function<bool()> &stopping) {
    std::lock_guard lock(mutex_);
    if (failed_)
        return std::nullopt;
    for (std::string line : stream_.accept(event, BootcEventStream::Clock::now())) {
        line += '\n';
        std::string why;
        if (!write_all(line, stopping, why)) {
            failed_ = true;
            fd_.reset(); // the reader sees the end of the events now
            return fmt::format("bootc progress events: {}; no more are written", why);
        }
    }
    return std::nullopt;
}

bool BootcProgressWriter::write_all(std::string_view text, const std::function<bool()> &stopping,
                                    std::string &why) {
    SigpipeHeld held;
    while (!text.empty()) {
        pollfd ready{fd_.get(), POLLOUT, 0};
        const int polled = ::poll(&ready, 1, poll_interval_ms);
        if (polled == 0 || (polled < 0 && errno == EINTR)) {
            if (stopping && stopping()) {
                why = "the pull was cancelled while the reader was not reading";
                return false;
            }
            continue;
        }
        // Writable, or an error or hang-up on it: write(2) says which.
        const ssize_t n = ::write(fd_.get(), text.data(), std::min(text.size(), chunk));
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            if (errno == EPIPE)
                held.raised();
            why = fmt::format("writing to the progress fd failed: {}", std::strerror(errno));
            return false;
        }
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

} // namespace podpull::io
