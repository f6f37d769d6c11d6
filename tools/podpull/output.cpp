// SPDX-License-Identifier: MIT OR Apache-2.0
#include "output.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace podpull_cli {

namespace {

// errno of the first failed write. Pulls run on threads of their own, but write to stdout one
// at a time (update.hpp's lock), as does output_state().
int g_error = 0;

ssize_t write_stdout(void *, const char *buffer, size_t size) {
    size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(STDOUT_FILENO, buffer + done, size - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (g_error == 0) {
                g_error = n < 0 ? errno : EIO;
            }
            return done > 0 ? static_cast<ssize_t>(done) : -1;
        }
        done += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(size);
}

} // namespace

std::FILE *open_checked_stdout() {
    cookie_io_functions_t io{};
    io.write = write_stdout;
    std::FILE *stream = ::fopencookie(nullptr, "w", io);
    return stream != nullptr ? stream : stdout;
}

OutputState output_state(std::FILE *stream) {
    if (std::fflush(stream) != 0 || std::ferror(stream) != 0) {
        if (g_error == 0) {
            g_error = EIO; // stdout itself: stdio does not say what failed
        }
    }
    if (g_error == 0) {
        return OutputState::ok;
    }
    return g_error == EPIPE ? OutputState::broken_pipe : OutputState::failed;
}

const char *output_error() {
    return g_error != 0 ? std::strerror(g_error) : "";
}

bool stdout_is_terminal() {
    const char *term = std::getenv("TERM");
    const bool dumb = term != nullptr && std::strcmp(term, "dumb") == 0;
    return ::isatty(STDOUT_FILENO) == 1 && !dumb;
}

} // namespace podpull_cli
