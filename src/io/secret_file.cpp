// SPDX-License-Identifier: MIT OR Apache-2.0
#include "secret_file.hpp"

#include "core/error.hpp"
#include "regular_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

namespace podpull::io {

namespace {

using Clock = std::chrono::steady_clock;

// Waits until `fd` (a pipe or socket) has data or its end of file, the deadline passes or the
// canceller fires.
void wait_readable(int fd, const std::string &what, Clock::time_point deadline,
                   std::chrono::milliseconds timeout, const Canceller *canceller) {
    while (true) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            throw Error(ErrorCode::timeout,
                        fmt::format("{} sent no end of file within {} ms; the host must close "
                                    "its end of the pipe once the credentials are written",
                                    what, timeout.count()));
        pollfd fds[2] = {{fd, POLLIN, 0}, {canceller != nullptr ? canceller->fd() : -1, POLLIN, 0}};
        const int ready = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (ready < 0 && errno != EINTR)
            throw Error(ErrorCode::invalid_argument,
                        fmt::format("cannot wait for {}: {}", what, std::strerror(errno)));
        if (fds[1].revents != 0)
            throw Error(ErrorCode::cancelled,
                        fmt::format("podpull_connect was cancelled while reading {}", what));
        if (fds[0].revents != 0)
            return;
    }
}

} // namespace

std::string read_secret(const std::string &path, int fd, std::size_t limit,
                        std::chrono::milliseconds timeout, const Canceller *canceller) {
    const std::string what = fd >= 0 ? fmt::format("auth_fd {}", fd) : "auth_file " + path;
    UniqueFd opened;
    if (fd < 0)
        opened = open_regular_file(path, what, "; hand a pipe over as auth_fd");
    const int source = fd >= 0 ? fd : opened.get();
    const auto deadline = Clock::now() + timeout;
    std::string text;
    char buffer[16 * 1024];
    off_t offset = 0;
    bool seekable = true;
    while (text.size() <= limit) {
        // pread leaves a seekable host fd where it was; a pipe is read as it comes, and only
        // for as long as the connect may take.
        ssize_t got = seekable ? ::pread(source, buffer, sizeof buffer, offset) : -1;
        if (got < 0 && seekable && errno == ESPIPE) {
            seekable = false;
            continue;
        }
        if (got < 0 && !seekable) {
            wait_readable(source, what, deadline, timeout, canceller);
            got = ::read(source, buffer, sizeof buffer);
            if (got < 0 && errno == EAGAIN)
                continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            throw Error(ErrorCode::invalid_argument,
                        fmt::format("cannot read {}: {}", what, std::strerror(errno)));
        if (got == 0)
            break;
        text.append(buffer, static_cast<std::size_t>(got));
        offset += got;
    }
    return text;
}

SecretMemfd::SecretMemfd(std::string_view contents)
    : fd_(::memfd_create("podpull-auth", MFD_CLOEXEC | MFD_ALLOW_SEALING)) {
    if (!fd_)
        throw Error(
            ErrorCode::internal,
            fmt::format("cannot create a memory file for credentials: {}", std::strerror(errno)));
    std::size_t written = 0;
    while (written < contents.size()) {
        const auto n = ::write(fd_.get(), contents.data() + written, contents.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw Error(
                ErrorCode::internal,
                fmt::format("cannot write credentials to a memory file: {}", std::strerror(errno)));
        written += static_cast<std::size_t>(n);
    }
    // Read-only from here on: the child may read it, nobody may change it.
    ::fcntl(fd_.get(), F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
}

} // namespace podpull::io
