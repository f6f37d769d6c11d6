// SPDX-License-Identifier: MIT OR Apache-2.0
// Opening a file that a host names, for podpull or for a podman it starts, without being
// stopped by what is not a file: a FIFO would block the open (and podman) until some writer
// came along, a directory or a device would fail later with a less clear message.
#pragma once

#include "unique_fd.hpp"

#include <string>
#include <string_view>

namespace podpull::io {

// `path` opened for reading (close-on-exec). Throws Error(invalid_argument) naming `what`
// when it cannot be opened, or is not a regular file: "<what> is not a regular file<hint>".
UniqueFd open_regular_file(const std::string &path, std::string_view what,
                           std::string_view hint = {});

} // namespace podpull::io
