// SPDX-License-Identifier: MIT OR Apache-2.0
#include "regular_file.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>

namespace podpull::io {

UniqueFd open_regular_file(const std::string &path, std::string_view what, std::string_view hint) {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    UniqueFd opened(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!opened)
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("cannot open {}: {}", what, std::strerror(errno)));
    struct stat st {};
    if (::fstat(opened.get(), &st) != 0 || !S_ISREG(st.st_mode))
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("{} is not a regular file{}", what, hint));
    return opened;
}

} // namespace podpull::io
