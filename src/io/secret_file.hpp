// SPDX-License-Identifier: MIT OR Apache-2.0
// Reading the host's credentials file, and handing credentials to a child without a path on
// disk or a word on argv: an anonymous memory file the child reads as /proc/self/fd/N.
#pragma once

#include "canceller.hpp"
#include "unique_fd.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace podpull::io {

// The contents of `path`, or of `fd` (read from its start) when `fd` >= 0, up to `limit`
// bytes plus one (so the caller can tell "too big"). `path` must be a regular file: a FIFO
// would block until some writer came along. A pipe passed as `fd` is read until its end of
// file, for at most `timeout`, and no longer than `canceller` (may be null) lets it. Throws
// Error naming the path or fd, never the contents: INVALID_ARGUMENT (cannot be opened or
// read, not a regular file), TIMEOUT, CANCELLED.
std::string read_secret(const std::string &path, int fd, std::size_t limit,
                        std::chrono::milliseconds timeout, const Canceller *canceller);

// An fd (close-on-exec, owned by the object) of a sealed memfd holding `contents`.
class SecretMemfd {
  public:
    explicit SecretMemfd(std::string_view contents);
    int fd() const noexcept { return fd_.get(); }

  private:
    UniqueFd fd_;
};

} // namespace podpull::io
