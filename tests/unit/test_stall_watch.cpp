// SPDX-License-Identifier: MIT OR Apache-2.0
// StallWatch: when podman's silence is a stall, on a clock the test moves by hand.
#include "core/stall_watch.hpp"

#include <catch2/catch_test_macros.hpp>

#include <chrono>

using podpull::StallWatch;
using namespace std::chrono_literals;

namespace {

const StallWatch::Clock::time_point t0{}; // any origin will do

} // namespace

TEST_CASE("stall watch: a limit of 0 watches nothing", "[stall_watch]") {
    StallWatch watch(0ms);
    CHECK_FALSE(watch.heard(t0));
    const auto verdict = watch.check(t0 + 1h);
    CHECK_FALSE(verdict.stalled);
    CHECK_FALSE(verdict.next);
}

TEST_CASE("stall watch: silence for the limit is a stall, reported once", "[stall_watch]") {
    StallWatch watch(100ms);
    const auto first = watch.heard(t0);
    REQUIRE(first);
    CHECK(*first == t0 + 100ms);
    const auto verdict = watch.check(t0 + 100ms);
    CHECK(verdict.stalled);
    CHECK_FALSE(watch.check(t0 + 200ms).stalled);
    CHECK_FALSE(watch.heard(t0 + 300ms)); // stopped for good
}

TEST_CASE("stall watch: data restarts the silence without a new timer", "[stall_watch]") {
    StallWatch watch(100ms);
    REQUIRE(watch.heard(t0));
    CHECK_FALSE(watch.heard(t0 + 60ms)); // a check is pending already: no second timer
    const auto verdict = watch.check(t0 + 100ms);
    CHECK_FALSE(verdict.stalled);
    REQUIRE(verdict.next);
    CHECK(*verdict.next == t0 + 160ms); // the limit from the last word
    CHECK(watch.check(t0 + 160ms).stalled);
}

TEST_CASE("stall watch: time spent waiting for the host does not count", "[stall_watch]") {
    // The reader hears podman, hands the event over and waits 500 ms for a slow host, then
    // reports again when it is back: the silence starts only then.
    StallWatch watch(100ms);
    REQUIRE(watch.heard(t0));
    CHECK_FALSE(watch.heard(t0 + 500ms));
    const auto verdict = watch.check(t0 + 100ms); // the timer fired while the host was slow
    CHECK_FALSE(verdict.stalled);
    REQUIRE(verdict.next);
    CHECK(*verdict.next == t0 + 600ms);
}

TEST_CASE("stall watch: stop() ends the watch", "[stall_watch]") {
    StallWatch watch(100ms);
    REQUIRE(watch.heard(t0));
    watch.stop();
    const auto verdict = watch.check(t0 + 1s);
    CHECK_FALSE(verdict.stalled);
    CHECK_FALSE(verdict.next);
    CHECK_FALSE(watch.heard(t0 + 2s));
}

TEST_CASE("stall watch: podman reading or writing while silent is busy, not stalled",
          "[stall_watch]") {
    // A 64 MB layer being committed: no word on the API for 350 ms, but podman's (and its
    // storage-applyLayer child's) read and write counts grow.
    StallWatch watch(100ms);
    REQUIRE(watch.heard(t0));
    watch.note_work(1000);
    auto verdict = watch.check(t0 + 100ms, 1000 + StallWatch::busy_bytes);
    CHECK_FALSE(verdict.stalled);
    REQUIRE(verdict.next);
    CHECK(*verdict.next == t0 + 200ms);
    verdict = watch.check(t0 + 200ms, 900000);
    CHECK_FALSE(verdict.stalled);
    REQUIRE(verdict.next);
    CHECK(*verdict.next == t0 + 300ms);
    // The commit is done and podman waits on a registry that never answers: only its
    // runtime's wake-ups move the counts, a few bytes.
    verdict = watch.check(t0 + 300ms, 900000 + 12);
    CHECK(verdict.stalled);
}

TEST_CASE("stall watch: an unchanged or unknown work count changes nothing", "[stall_watch]") {
    SECTION("unchanged") {
        StallWatch watch(100ms);
        REQUIRE(watch.heard(t0));
        watch.note_work(42);
        CHECK(watch.check(t0 + 100ms, 42).stalled);
    }
    SECTION("unknown: the process is gone, or attached to a service that is not ours") {
        StallWatch watch(100ms);
        REQUIRE(watch.heard(t0));
        watch.note_work(std::nullopt);
        CHECK(watch.check(t0 + 100ms, std::nullopt).stalled);
    }
    SECTION("no baseline yet: the first count only sets one") {
        StallWatch watch(100ms);
        REQUIRE(watch.heard(t0));
        CHECK(watch.check(t0 + 100ms, 7).stalled);
    }
}

TEST_CASE("stall watch: a rest drops the pending check, and the next word arms a new one",
          "[stall_watch]") {
    // A pull that waits for another pull of its client (BlobClaimsGate) has asked podman
    // nothing: the shell drops its timer, and the silence counts from when it goes on.
    StallWatch watch(100ms);
    REQUIRE(watch.heard(t0));
    watch.rest();
    const auto again = watch.heard(t0 + 10s);
    REQUIRE(again);
    CHECK(*again == t0 + 10s + 100ms);
    CHECK_FALSE(watch.check(t0 + 10s + 50ms).stalled);
}
