// SPDX-License-Identifier: MIT OR Apache-2.0
#include "line_splitter.hpp"

#include "error.hpp"

#include <fmt/format.h>

namespace podpull {

void LineSplitter::check_length(std::size_t length) const {
    // The limit counts every byte before the "\n", a trailing "\r" included: the check runs
    // before the line is complete, when it cannot yet know whether that "\r" ends it.
    if (length > max_line_)
        throw Error(ErrorCode::protocol,
                    fmt::format("NDJSON line longer than {} bytes", max_line_));
}

std::string_view LineSplitter::trim_cr(std::string_view line) noexcept {
    if (line.ends_with('\r'))
        line.remove_suffix(1);
    return line;
}

} // namespace podpull
