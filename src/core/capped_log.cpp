// SPDX-License-Identifier: MIT OR Apache-2.0
#include "capped_log.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace podpull {

namespace {

// Where the kept part of `tail` starts when at least `cut` bytes go: at the start of a line if
// one begins within `window` bytes after the cut, else at the start of a character. The
// summary of a failure (diagnostic_text) reads whole lines, and a character cut in two would
// read as a byte that is not UTF-8.
std::size_t start_of_kept(std::string_view tail, std::size_t cut, std::size_t window) {
    const std::size_t newline = tail.substr(cut, window).find('\n');
    if (newline != std::string_view::npos)
        return cut + newline + 1;
    while (cut < tail.size() && (static_cast<unsigned char>(tail[cut]) & 0xc0) == 0x80)
        ++cut;
    return cut;
}

} // namespace

CappedLog::CappedLog(std::size_t head_limit, std::size_t tail_limit)
    : head_limit_(head_limit), tail_limit_(std::max<std::size_t>(tail_limit, 1)) {}

std::string CappedLog::note() const {
    // On a line of its own, whatever the cut fell on, and not like anything podman writes.
    return fmt::format("\n[podpull: {} bytes of podman's stderr left out here]\n", left_out_);
}

CappedLog::FileWrite CappedLog::append(std::string_view piece) {
    const std::size_t head_in_file = head_.size(); // the head fills first, so all of it
    const std::size_t to_head = std::min(piece.size(), head_limit_ - head_.size());
    head_.append(piece.substr(0, to_head));
    tail_.append(piece.substr(to_head));
    if (tail_.size() <= 2 * tail_limit_) {
        FileWrite write{file_size_, std::string(piece), false};
        file_size_ += piece.size();
        return write;
    }
    // Past the bound: keep the latest tail_limit bytes, after the head (the part of it that
    // came in this piece too) and the note.
    const std::size_t drop = start_of_kept(tail_, tail_.size() - tail_limit_, tail_limit_ / 16);
    tail_.erase(0, drop);
    left_out_ += drop;
    FileWrite write{head_in_file, head_.substr(head_in_file) + note() + tail_, true};
    file_size_ = write.offset + write.bytes.size();
    return write;
}

std::string CappedLog::text() const {
    return left_out_ == 0 ? head_ + tail_ : head_ + note() + tail_;
}

} // namespace podpull
