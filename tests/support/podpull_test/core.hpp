// SPDX-License-Identifier: MIT OR Apache-2.0
// Helpers of the unit tests, which test podpull's core (src/core, the podpull_core target)
// directly: catching a podpull::Error to look at it, decoding one line, readable names for
// core enums in Catch2's failure messages. Header-only: the other helpers of tests/support
// reach the library only through podpull.h.
#pragma once

#include "core/error.hpp"
#include "core/podman_version.hpp"
#include "core/progress_tracker.hpp"
#include "core/pull_events.hpp"
#include "core/route.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/catch_tostring.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace podpull_test {

// The podpull::Error that `action` throws, or nullopt when it returns normally. Any other
// exception escapes and fails the test.
template <typename Action> std::optional<podpull::Error> error_from(Action &&action) {
    try {
        std::forward<Action>(action)();
    } catch (const podpull::Error &error) {
        return error;
    }
    return std::nullopt;
}

// A line decoder of src/core: decode_libpod_line, decode_jsonmessage_line.
using LineDecoder = void (*)(std::string_view, std::vector<podpull::PullEvent> &);

// The events `decoder` makes of `line`.
inline std::vector<podpull::PullEvent> decode_with(LineDecoder decoder, std::string_view line) {
    std::vector<podpull::PullEvent> events;
    decoder(line, events);
    return events;
}

// The message of the protocol Error that decoding `line` throws; fails the test when there is
// none, or when the malformed line added an event.
inline std::string protocol_error_of(LineDecoder decoder, std::string_view line) {
    std::vector<podpull::PullEvent> events{podpull::StatusEvent{"before"}};
    const auto error = error_from([&] { decoder(line, events); });
    REQUIRE(error);
    CHECK(error->code() == podpull::ErrorCode::protocol);
    CHECK(events.size() == 1); // a malformed line adds nothing
    return error->what();
}

// A podman version from its text ("4.3.1"); the test fails on one that does not parse.
inline podpull::PodmanVersion podman_version(const char *text) {
    const auto version = podpull::parse_podman_version(text);
    REQUIRE(version);
    return *version;
}

inline const char *code_name(podpull::ErrorCode code) {
    using podpull::ErrorCode;
    switch (code) {
    case ErrorCode::ok:
        return "ok";
    case ErrorCode::invalid_argument:
        return "invalid_argument";
    case ErrorCode::podman_not_found:
        return "podman_not_found";
    case ErrorCode::service:
        return "service";
    case ErrorCode::io:
        return "io";
    case ErrorCode::protocol:
        return "protocol";
    case ErrorCode::pull:
        return "pull";
    case ErrorCode::auth:
        return "auth";
    case ErrorCode::not_found:
        return "not_found";
    case ErrorCode::cancelled:
        return "cancelled";
    case ErrorCode::timeout:
        return "timeout";
    case ErrorCode::internal:
        return "internal";
    case ErrorCode::rejected:
        return "rejected";
    }
    return "?";
}

inline const char *state_name(podpull::BlobState state) {
    switch (state) {
    case podpull::BlobState::started:
        return "STARTED";
    case podpull::BlobState::pulling:
        return "PULLING";
    case podpull::BlobState::done:
        return "DONE";
    case podpull::BlobState::skipped:
        return "SKIPPED";
    }
    return "?";
}

} // namespace podpull_test

template <> struct Catch::StringMaker<podpull::ErrorCode> {
    static std::string convert(podpull::ErrorCode code) { return podpull_test::code_name(code); }
};
template <> struct Catch::StringMaker<podpull::Route> {
    static std::string convert(podpull::Route route) {
        return std::string(podpull::route_name(route));
    }
};
template <> struct Catch::StringMaker<podpull::BlobState> {
    static std::string convert(podpull::BlobState state) { return podpull_test::state_name(state); }
};
