// SPDX-License-Identifier: MIT OR Apache-2.0
#include "diagnostic_text.hpp"

#include "utf8.hpp"

#include <algorithm>

namespace podpull {
namespace {

constexpr char esc = 0x1b;
constexpr char bel = 0x07;
constexpr std::string_view ellipsis = "…";

bool in_range(char ch, unsigned char low, unsigned char high) {
    const auto byte = static_cast<unsigned char>(ch);
    return byte >= low && byte <= high;
}

// The offset just past the escape sequence that starts at `at` (an ESC), as ECMA-48 frames
// them: CSI "ESC [ params intermediates final" (colours, cursor moves); the strings OSC, DCS,
// SOS, PM and APC, ended by BEL or "ESC \" (window titles, hyperlinks); "ESC intermediates
// final" (character sets) and "ESC final" (save cursor, reset). A sequence cut short ends
// where the bytes stop fitting it; an unterminated string runs to the end of `text`.
std::size_t skip_escape(std::string_view text, std::size_t at) {
    std::size_t i = at + 1;
    if (i >= text.size())
        return i;
    const char kind = text[i++];
    if (kind == '[') {
        while (i < text.size() && in_range(text[i], 0x20, 0x3f))
            ++i;
        if (i < text.size() && in_range(text[i], 0x40, 0x7e))
            ++i;
        return i;
    }
    if (kind == ']' || kind == 'P' || kind == 'X' || kind == '^' || kind == '_') {
        for (; i < text.size(); ++i) {
            if (text[i] == bel)
                return i + 1;
            if (text[i] == esc && i + 1 < text.size() && text[i + 1] == '\\')
                return i + 2;
        }
        return i;
    }
    if (in_range(kind, 0x20, 0x2f)) {
        while (i < text.size() && in_range(text[i], 0x20, 0x2f))
            ++i;
        if (i < text.size() && in_range(text[i], 0x30, 0x7e))
            ++i;
        return i;
    }
    if (in_range(kind, 0x30, 0x7e))
        return i;
    return i - 1; // a lone ESC: the byte after it is text
}

// Whether the valid sequence of `length` bytes at `at` is a blank: an ASCII control, space or
// DEL, or a C1 control (U+0080-U+009F, which some terminals also obey).
bool is_blank(std::string_view text, std::size_t at, std::size_t length) {
    const auto lead = static_cast<unsigned char>(text[at]);
    if (length == 1)
        return lead <= 0x20 || lead == 0x7f;
    return length == 2 && lead == 0xc2 && in_range(text[at + 1], 0x80, 0x9f);
}

// What a terminal shows last of a line that "\r" rewrote: its last part that is not blank.
std::string last_shown(std::string_view line, std::size_t max_bytes) {
    std::size_t end = line.size();
    while (true) {
        const std::size_t cr = end == 0 ? std::string_view::npos : line.rfind('\r', end - 1);
        const std::size_t start = cr == std::string_view::npos ? 0 : cr + 1;
        std::string shown = clean_line(line.substr(start, end - start), max_bytes);
        if (!shown.empty() || cr == std::string_view::npos)
            return shown;
        end = cr;
    }
}

} // namespace

std::string clean_line(std::string_view text, std::size_t max_bytes) {
    max_bytes = std::max(max_bytes, ellipsis.size() + 1);
    std::string line;
    bool blank_pending = false;
    bool cut = false;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == esc) {
            i = skip_escape(text, i);
            continue;
        }
        const std::size_t length = utf8_sequence_length(text, i);
        if (length != 0 && is_blank(text, i, length)) {
            blank_pending = true;
            i += length;
            continue;
        }
        if (blank_pending && !line.empty())
            line.push_back(' ');
        blank_pending = false;
        if (length == 0) {
            line.push_back('?');
            i += 1;
        } else {
            line.append(text.substr(i, length));
            i += length;
        }
        if (line.size() > max_bytes) {
            cut = true;
            break;
        }
    }
    if (!cut)
        return line;
    // Every character went in whole, so a character boundary is any byte that does not
    // continue a sequence.
    std::size_t keep = max_bytes - ellipsis.size();
    while (keep > 0 && (static_cast<unsigned char>(line[keep]) & 0xc0) == 0x80)
        --keep;
    line.resize(keep);
    while (!line.empty() && line.back() == ' ')
        line.pop_back();
    line.append(ellipsis);
    return line;
}

std::string stderr_summary(std::string_view stderr_text, std::size_t max_bytes) {
    // podman's main prints "Error: <cause>" last before it exits with a failure; logrus lines
    // (warnings, debug output of the API server) may still follow it from other goroutines.
    constexpr std::string_view podman_error = "Error:";
    std::string last_line;
    std::size_t end = stderr_text.size();
    while (true) {
        const std::size_t newline =
            end == 0 ? std::string_view::npos : stderr_text.rfind('\n', end - 1);
        const std::size_t start = newline == std::string_view::npos ? 0 : newline + 1;
        std::string shown = last_shown(stderr_text.substr(start, end - start), max_bytes);
        if (shown.starts_with(podman_error))
            return shown;
        if (last_line.empty())
            last_line = std::move(shown);
        if (newline == std::string_view::npos)
            return last_line;
        end = newline;
    }
}

} // namespace podpull
