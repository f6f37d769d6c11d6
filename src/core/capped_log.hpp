// SPDX-License-Identifier: MIT OR Apache-2.0
// podman's stderr kept within a bound for as long as a client lives. A service that runs for
// days writes without end (warnings per request, debug output), yet what explains a failure is
// at the two ends: the start (its version, configuration and storage warnings) and the latest
// lines (the error it is about to exit with). So the log keeps the first `head_limit` bytes
// whole, and of the rest only the latest: between about `tail_limit` and twice that, so that
// the file is rewritten once per `tail_limit` bytes past the bound, not on every write, and
// starting on a line (or, in a line longer than a sixteenth of `tail_limit`, on a character).
// Where bytes were left out, a line says how many.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace podpull {

class CappedLog {
  public:
    // One write that brings the file up to date: `bytes` at `offset`, and when `truncate`,
    // the file ends right after them.
    struct FileWrite {
        std::uint64_t offset = 0;
        std::string bytes;
        bool truncate = false;
    };

    CappedLog(std::size_t head_limit, std::size_t tail_limit);

    // Takes the next bytes podman wrote; returns what to write to the file, which then holds
    // text(). Never more than head_limit + 2 * tail_limit + a line.
    FileWrite append(std::string_view piece);

    // What is kept: the first bytes, the note of what was left out (if any), the latest.
    std::string text() const;
    std::uint64_t left_out() const noexcept { return left_out_; }
    std::uint64_t size() const noexcept { return file_size_; }

  private:
    std::string note() const;

    std::size_t head_limit_;
    std::size_t tail_limit_;
    std::string head_;
    std::string tail_;
    std::uint64_t left_out_ = 0;
    std::uint64_t file_size_ = 0;
};

} // namespace podpull
