// SPDX-License-Identifier: MIT OR Apache-2.0
// What every fuzz target asserts: only podpull::Error leaves the code under test, with a code
// that function documents, and an invariant that fails stops the run with a message (abort,
// which libFuzzer and the replay runner both report as a crash with the input kept).
#pragma once

#include "core/error.hpp"
#include "core/utf8.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string_view>

namespace podpull::fuzz {

[[noreturn]] inline void fail(std::string_view what) {
    std::fprintf(stderr, "fuzz invariant broken: %.*s\n", static_cast<int>(what.size()),
                 what.data());
    std::abort();
}

inline void check(bool holds, std::string_view what) {
    if (!holds)
        fail(what);
}

// An Error's code is one the function under test may throw, and its message is one line of
// text (messages quote hostile input through quote_for_message).
inline void check_error(const Error &error, std::initializer_list<ErrorCode> allowed) {
    bool known = false;
    for (const ErrorCode code : allowed)
        known = known || error.code() == code;
    if (!known) {
        std::fprintf(stderr, "unexpected error code %d: %s\n", static_cast<int>(error.code()),
                     error.what());
        fail("an Error with a code the function does not document");
    }
    const std::string_view message = error.what();
    check(!message.empty(), "an Error without a message");
    for (const char ch : message)
        check(ch != '\n' && ch != '\r' && ch != '\0', "an Error message that is not one line");
    check(!first_invalid_utf8(message), "an Error message that is not UTF-8");
}

inline bool printable_ascii(std::string_view text) {
    for (const char ch : text) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte < 0x20 || byte >= 0x7f)
            return false;
    }
    return true;
}

} // namespace podpull::fuzz

// libFuzzer's entry point, also called by replay_main.cpp on every corpus file.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);
