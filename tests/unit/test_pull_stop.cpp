// SPDX-License-Identifier: MIT OR Apache-2.0
// PullStop: which reason a stopped pull ends with, and how podman is stopped. No socket and
// no process: the actions are what the shell would carry out.
#include "core/pull_stop.hpp"

#include "podpull_test/core.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <string>

using Catch::Matchers::ContainsSubstring;
using podpull::Error;
using podpull::ErrorCode;
using podpull::PullSource;
using podpull::PullStop;
using podpull::StopAction;
using namespace std::chrono_literals;

namespace {

const Error cancel(ErrorCode::cancelled, "the pull was cancelled");

// The Error an outcome holds, or nullopt for success.
std::optional<Error> error_of(std::exception_ptr outcome) {
    return podpull_test::error_from([&] {
        if (outcome)
            std::rethrow_exception(outcome);
    });
}

std::exception_ptr read_failure() {
    return std::make_exception_ptr(Error(ErrorCode::io, "lost the connection to podman"));
}

} // namespace

TEST_CASE("stop: an API pull closes its connection, once", "[pull_stop]") {
    PullStop stop(PullSource::connection);
    CHECK_FALSE(stop.stopped());
    CHECK(stop.stop(cancel) == StopAction::close_connection);
    CHECK(stop.stopped());
    CHECK(stop.stop(stop.stall_reason(100ms)) == StopAction::none);
}

TEST_CASE("stop: the first reason wins over later ones and over the read it aborted",
          "[pull_stop]") {
    SECTION("cancel, then stall") {
        PullStop stop(PullSource::connection);
        stop.stop(cancel);
        stop.stop(stop.stall_reason(100ms));
        const auto error = error_of(stop.outcome(read_failure()));
        REQUIRE(error);
        CHECK(error->code() == ErrorCode::cancelled);
    }
    SECTION("stall, then cancel") {
        PullStop stop(PullSource::connection);
        stop.stop(stop.stall_reason(250ms));
        stop.stop(cancel);
        const auto error = error_of(stop.outcome(read_failure()));
        REQUIRE(error);
        CHECK(error->code() == ErrorCode::timeout);
        CHECK_THAT(error->what(), ContainsSubstring("stalled after 250 ms"));
    }
    SECTION("a stopped pull whose reader then succeeded still ends stopped") {
        PullStop stop(PullSource::connection);
        stop.stop(cancel);
        const auto error = error_of(stop.outcome(nullptr));
        REQUIRE(error);
        CHECK(error->code() == ErrorCode::cancelled);
    }
}

TEST_CASE("stop: without a stop, the reader's own failure or success stands", "[pull_stop]") {
    const PullStop stop(PullSource::connection);
    const auto error = error_of(stop.outcome(read_failure()));
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::io);
    CHECK_FALSE(error_of(stop.outcome(nullptr)));
}

TEST_CASE("stop: a child gets SIGTERM, then SIGKILL after the grace", "[pull_stop]") {
    PullStop stop(PullSource::child);
    CHECK(stop.may_start_child());
    stop.child_started();
    CHECK(stop.stop(cancel) == StopAction::terminate_child);
    CHECK(PullStop::kill_grace == 3s);
    CHECK(stop.grace_expired() == StopAction::kill_child);
}

TEST_CASE("stop: a child that exits within the grace is not killed", "[pull_stop]") {
    PullStop stop(PullSource::child);
    stop.child_started();
    CHECK(stop.stop(cancel) == StopAction::terminate_child);
    stop.child_exited();
    CHECK(stop.grace_expired() == StopAction::none);
}

TEST_CASE("stop: before the child starts, it never starts", "[pull_stop]") {
    PullStop stop(PullSource::child);
    CHECK(stop.stop(cancel) == StopAction::none); // nothing runs yet
    CHECK_FALSE(stop.may_start_child());
    const auto error = error_of(stop.outcome(nullptr));
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::cancelled);
}

TEST_CASE("stop: after the child exited, nothing is signalled", "[pull_stop]") {
    PullStop stop(PullSource::child);
    stop.child_started();
    stop.child_exited();
    CHECK(stop.stop(cancel) == StopAction::none);
    CHECK(stop.stopped());
}

TEST_CASE("stop: a refused line stops a child like a cancel, and its error wins", "[pull_stop]") {
    PullStop stop(PullSource::child);
    stop.child_started();
    CHECK(stop.stop(Error(ErrorCode::protocol, "a line too long")) == StopAction::terminate_child);
    stop.stop(cancel);
    stop.child_exited();
    // The child's exit status after SIGTERM is only a consequence.
    const auto error = error_of(stop.outcome(
        std::make_exception_ptr(Error(ErrorCode::pull, "podman pull exited with status 143"))));
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::protocol);
}

TEST_CASE("stop: stall messages name the source", "[pull_stop]") {
    const PullStop api(PullSource::connection);
    const PullStop child(PullSource::child);
    CHECK(std::string(api.stall_reason(1500ms).what()) ==
          "the pull stalled after 1500 ms without a word from podman");
    CHECK(std::string(child.stall_reason(1500ms).what()) ==
          "podman pull printed nothing for 1500 ms");
    CHECK(api.stall_reason(1ms).code() == ErrorCode::timeout);
    CHECK(child.stall_reason(1ms).code() == ErrorCode::timeout);
}
