// Helpers shared by the unit tests: catching a podpull::Error to look at it, and readable
// names for core enums in Catch2's failure messages.
#pragma once

#include "core/error.hpp"
#include "core/progress_tracker.hpp"
#include "core/route.hpp"

#include <catch2/catch_tostring.hpp>

#include <optional>
#include <string>
#include <utility>

namespace test {

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

} // namespace test

template <> struct Catch::StringMaker<podpull::ErrorCode> {
    static std::string convert(podpull::ErrorCode code) { return test::code_name(code); }
};
template <> struct Catch::StringMaker<podpull::Route> {
    static std::string convert(podpull::Route route) {
        return std::string(podpull::route_name(route));
    }
};
template <> struct Catch::StringMaker<podpull::BlobState> {
    static std::string convert(podpull::BlobState state) { return test::state_name(state); }
};
