// SPDX-License-Identifier: MIT OR Apache-2.0
// Small utilities every test helper uses: strings, files, time.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace podpull_test {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

bool is_hex64(const std::string &s);
bool contains(const std::string &haystack, const std::string &needle);
bool contains_nocase(const std::string &haystack, const std::string &needle);
// The lines of `text` that are not empty, without their newlines.
std::vector<std::string> lines_of(const std::string &text);
// `text` split at blanks.
std::vector<std::string> words(const std::string &text);
// The items with `separator` between them.
std::string join(const std::vector<std::string> &items, const std::string &separator);
// Whether `text` is one line a host can log as it is: valid UTF-8 (no overlong form, no
// surrogate), without an ASCII control byte (NUL, LF, CR, ESC, ...), DEL or a C1 control.
bool is_clean_line(const std::string &text);
// `text` for a failure message: bytes outside printable ASCII as \xNN, at most `max` bytes.
std::string printable(const std::string &text, std::size_t max = 120);
// %XX sequences decoded; anything else kept.
std::string percent_decode(const std::string &text);
// Every byte but RFC 3986's unreserved ones as %XX.
std::string percent_encode(const std::string &text);

std::string read_file(const fs::path &path);
void write_file(const fs::path &path, const std::string &text, unsigned mode = 0644);
std::vector<std::string> dir_entries(const fs::path &dir); // names, sorted

double seconds_since(Clock::time_point start);

// Waits until `pred` holds or `timeout` passes; returns whether it held.
template <typename Pred> bool wait_for(Pred pred, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!pred()) {
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

} // namespace podpull_test
