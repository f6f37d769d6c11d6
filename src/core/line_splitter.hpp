// SPDX-License-Identifier: MIT OR Apache-2.0
// NDJSON framing: bytes in, whole lines out, without ever holding more than one line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace podpull {

class LineSplitter {
  public:
    // Lines longer than `max_line_bytes` (without the newline) are a protocol error.
    explicit LineSplitter(std::size_t max_line_bytes) : max_line_(max_line_bytes) {}

    // Calls `on_line(std::string_view)` for every complete, non-empty line in `chunk` (joined
    // with what earlier chunks left over), without the trailing "\n" or "\r\n".
    // Throws Error(protocol) when a line grows past the limit.
    template <typename OnLine> void feed(std::string_view chunk, OnLine &&on_line);

    // Bytes of an unfinished line held back; nonzero at the end of a body means it was cut.
    std::size_t pending() const noexcept { return partial_.size(); }

  private:
    void check_length(std::size_t length) const;
    static std::string_view trim_cr(std::string_view line) noexcept;

    std::size_t max_line_;
    std::string partial_;
};

template <typename OnLine> void LineSplitter::feed(std::string_view chunk, OnLine &&on_line) {
    while (!chunk.empty()) {
        const auto newline = chunk.find('\n');
        if (newline == std::string_view::npos) {
            check_length(partial_.size() + chunk.size());
            partial_.append(chunk);
            return;
        }
        std::string_view line = chunk.substr(0, newline);
        chunk.remove_prefix(newline + 1);
        if (!partial_.empty()) {
            check_length(partial_.size() + line.size());
            partial_.append(line);
            const std::string joined = std::move(partial_);
            partial_.clear();
            if (auto whole = trim_cr(joined); !whole.empty())
                on_line(whole);
            continue;
        }
        check_length(line.size());
        if (line = trim_cr(line); !line.empty())
            on_line(line);
    }
}

} // namespace podpull
