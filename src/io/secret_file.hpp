// Reading the host's credentials file, and handing credentials to a child without a path on
// disk or a word on argv: an anonymous memory file the child reads as /proc/self/fd/N.
#pragma once

#include "unique_fd.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace podpull::io {

// The contents of `path`, or of `fd` (read from its start) when `fd` >= 0, up to `limit`
// bytes plus one (so the caller can tell "too big"). Throws Error(invalid_argument) naming
// the path or fd, never the contents.
std::string read_secret(const std::string &path, int fd, std::size_t limit);

// An fd (close-on-exec, owned by the object) of a sealed memfd holding `contents`.
class SecretMemfd {
  public:
    explicit SecretMemfd(std::string_view contents);
    int fd() const noexcept { return fd_.get(); }

  private:
    UniqueFd fd_;
};

} // namespace podpull::io
