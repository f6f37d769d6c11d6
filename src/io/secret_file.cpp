#include "secret_file.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace podpull::io {

std::string read_secret(const std::string &path, int fd, std::size_t limit) {
    const std::string what = fd >= 0 ? fmt::format("auth_fd {}", fd) : "auth_file " + path;
    int source = fd;
    UniqueFd opened;
    if (fd < 0) {
        opened.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!opened)
            throw Error(ErrorCode::invalid_argument,
                        fmt::format("cannot open {}: {}", what, std::strerror(errno)));
        source = opened.get();
    }
    std::string text;
    char buffer[16 * 1024];
    off_t offset = 0;
    bool seekable = true;
    while (text.size() <= limit) {
        // pread leaves a seekable host fd where it was; a pipe is read as it comes.
        ssize_t got = seekable ? ::pread(source, buffer, sizeof buffer, offset) : -1;
        if (got < 0 && seekable && errno == ESPIPE) {
            seekable = false;
            continue;
        }
        if (got < 0 && !seekable)
            got = ::read(source, buffer, sizeof buffer);
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
