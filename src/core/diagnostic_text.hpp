// SPDX-License-Identifier: MIT OR Apache-2.0
// What podman wrote to stderr, made into one line a message can carry. A service that exits or
// never gets ready leaves only its stderr to explain why, and that text is a terminal's: many
// lines, colour codes, "\r" progress, bytes that are not UTF-8. A host logs podpull's message
// as one line, so it gets the line that tells, cleaned and bounded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace podpull {

// Enough for podman's longest usual "Error: ..." line (a path or two and a Go error chain),
// never a screenful.
inline constexpr std::size_t diagnostic_line_limit = 300;

// `text` as one line of printable UTF-8: terminal escape sequences (CSI, OSC, and the short
// ESC forms) removed; every other control byte, C1 control and run of blanks as one space;
// each byte that does not start a valid UTF-8 sequence as '?'; no blank at either end. At most
// `max_bytes` bytes (at least 4): a longer result is cut on a character boundary and ends in
// "…". Reads no more of `text` than it needs.
std::string clean_line(std::string_view text, std::size_t max_bytes);

// The most telling line of podman's stderr, cleaned as clean_line does: podman's last
// "Error: ..." line (what it prints before it exits with a failure), else the last line that
// is not blank. Of a line rewritten with "\r" (progress), what a terminal would show last. ""
// when every line is blank.
std::string stderr_summary(std::string_view stderr_text,
                           std::size_t max_bytes = diagnostic_line_limit);

} // namespace podpull
