// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/progress_queue.hpp"

#include "podpull_test/core.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

using podpull::BlobEvent;
using podpull::BlobPhase;
using podpull::BlobProgress;
using podpull::BlobState;
using podpull::ErrorCode;
using podpull::ProgressEvent;
using podpull::ProgressQueue;
using podpull::ProgressTracker;
using podpull::StatusEvent;

namespace {

// A report as the tracker would make it; the whole-pull figures are whatever the test says.
BlobProgress report(std::string id, BlobState state, std::uint64_t current, std::int64_t total,
                    std::uint64_t pull_current = 0, std::uint64_t pull_total = 0,
                    std::uint32_t seen = 1, std::uint32_t done = 0) {
    BlobProgress p;
    p.id = std::move(id);
    p.state = state;
    p.current = current;
    p.total = total;
    p.pull_current = pull_current;
    p.pull_total = pull_total;
    p.blobs_seen = seen;
    p.blobs_done = done;
    return p;
}

ProgressEvent status(std::string text) {
    return StatusEvent{std::move(text)};
}

// "status TEXT", or "id STATE current/total pull pull_current/pull_total seen/done".
std::string describe(const ProgressEvent &event) {
    if (const auto *s = std::get_if<StatusEvent>(&event))
        return "status " + s->text;
    const auto &p = std::get<BlobProgress>(event);
    return p.id + " " + podpull_test::state_name(p.state) + " " + std::to_string(p.current) + "/" +
           std::to_string(p.total) + " pull " + std::to_string(p.pull_current) + "/" +
           std::to_string(p.pull_total) + " " + std::to_string(p.blobs_seen) + "/" +
           std::to_string(p.blobs_done);
}

std::vector<std::string> drain(ProgressQueue &queue) {
    std::vector<std::string> out;
    while (auto event = queue.pop())
        out.push_back(describe(*event));
    return out;
}

ProgressQueue::Bound entries(std::size_t n) {
    return ProgressQueue::Bound{n, 1024 * 1024};
}

} // namespace

TEST_CASE("events that nothing merges come out in the order they went in", "[queue]") {
    ProgressQueue q(entries(16));
    q.push(status("Trying to pull"));
    q.push(report("a", BlobState::started, 0, 100, 0, 100, 1, 0));
    q.push(report("b", BlobState::skipped, 0, -1, 0, 100, 2, 1));
    q.push(status("Copying config"));
    q.push(report("a", BlobState::done, 100, 100, 100, 100, 2, 2));
    CHECK(q.size() == 5);
    CHECK(drain(q) ==
          std::vector<std::string>{"status Trying to pull", "a STARTED 0/100 pull 0/100 1/0",
                                   "b SKIPPED 0/-1 pull 0/100 2/1", "status Copying config",
                                   "a DONE 100/100 pull 100/100 2/2"});
    CHECK(q.merged() == 0);
    CHECK(q.empty());
    CHECK_FALSE(q.pop());
}

TEST_CASE("a PULLING merges into its blob's waiting PULLING, which keeps its place", "[queue]") {
    ProgressQueue q(entries(16));
    q.push(report("a", BlobState::pulling, 10, 100, 10, 100));
    q.push(status("between"));
    q.push(report("a", BlobState::pulling, 40, 100, 40, 100));
    q.push(report("a", BlobState::pulling, 90, 100, 90, 100));
    CHECK(q.size() == 2);
    CHECK(q.merged() == 2);
    CHECK(drain(q) ==
          std::vector<std::string>{"a PULLING 90/100 pull 90/100 1/0", "status between"});
}

TEST_CASE("a merge raises the whole-pull figures of the merged report and every later one",
          "[queue]") {
    ProgressQueue q(entries(16));
    // The tracker's reports for: a at 10 (of 100), b starts (of 50), b at 5, then a at 60.
    q.push(report("a", BlobState::pulling, 10, 100, 10, 100, 1, 0));
    q.push(report("b", BlobState::started, 0, 50, 10, 150, 2, 0));
    q.push(report("b", BlobState::pulling, 5, 50, 15, 150, 2, 0));
    q.push(report("a", BlobState::pulling, 60, 100, 65, 150, 2, 0));
    // a's report tells 60 in its place; the reports after it include a's 50 more bytes, so
    // the last one carries the tracker's latest figures.
    CHECK(drain(q) == std::vector<std::string>{"a PULLING 60/100 pull 60/100 1/0",
                                               "b STARTED 0/50 pull 60/150 2/0",
                                               "b PULLING 5/50 pull 65/150 2/0"});
}

TEST_CASE("a merge that learns the blob's total raises pull_total", "[queue]") {
    ProgressQueue q(entries(16));
    // a blob of unknown size counts in pull_total with what it transferred
    q.push(report("a", BlobState::pulling, 10, -1, 10, 10, 1, 0));
    q.push(status("x"));
    q.push(report("b", BlobState::started, 0, 30, 10, 40, 2, 0));
    q.push(report("a", BlobState::pulling, 20, 80, 20, 110, 2, 0));
    CHECK(drain(q) == std::vector<std::string>{"a PULLING 20/80 pull 20/80 1/0", "status x",
                                               "b STARTED 0/30 pull 20/110 2/0"});
}

TEST_CASE("only PULLING merges, and only with a PULLING of the same blob", "[queue]") {
    ProgressQueue q(entries(16));
    SECTION("STARTED, DONE and SKIPPED never merge") {
        q.push(report("a", BlobState::started, 0, 100));
        q.push(report("a", BlobState::started, 0, 100));
        q.push(report("b", BlobState::done, 5, 5));
        q.push(report("b", BlobState::done, 5, 5));
        q.push(report("c", BlobState::skipped, 0, -1));
        q.push(report("c", BlobState::skipped, 0, -1));
        CHECK(q.size() == 6);
        CHECK(q.merged() == 0);
    }
    SECTION("a PULLING never merges into a STARTED of its blob") {
        q.push(report("a", BlobState::started, 0, 100, 0, 100));
        q.push(report("a", BlobState::pulling, 10, 100, 10, 100));
        CHECK(q.size() == 2);
        q.push(report("a", BlobState::pulling, 20, 100, 20, 100)); // into the PULLING
        CHECK(drain(q) == std::vector<std::string>{"a STARTED 0/100 pull 0/100 1/0",
                                                   "a PULLING 20/100 pull 20/100 1/0"});
    }
    SECTION("never across a later report about the same blob") {
        q.push(report("a", BlobState::pulling, 10, 100));
        q.push(report("a", BlobState::done, 100, 100));
        q.push(report("a", BlobState::pulling, 100, 100));
        CHECK(q.size() == 3);
        CHECK(q.merged() == 0);
    }
    SECTION("never across blobs") {
        q.push(report("a", BlobState::pulling, 10, 100));
        q.push(report("b", BlobState::pulling, 20, 100));
        q.push(report("ab", BlobState::pulling, 30, 100));
        CHECK(q.size() == 3);
        q.push(report("b", BlobState::pulling, 25, 100));
        CHECK(drain(q) == std::vector<std::string>{"a PULLING 10/100 pull 0/0 1/0",
                                                   "b PULLING 25/100 pull 5/0 1/0",
                                                   "ab PULLING 30/100 pull 5/0 1/0"});
    }
    SECTION("never into a report the host already took") {
        q.push(report("a", BlobState::pulling, 10, 100));
        CHECK(q.pop());
        q.push(report("a", BlobState::pulling, 20, 100));
        CHECK(q.size() == 1);
        CHECK(q.merged() == 0);
    }
}

TEST_CASE("the bound: full means backpressure, except for a PULLING that merges", "[queue]") {
    ProgressQueue q(entries(2));
    q.push(report("a", BlobState::pulling, 1, 100));
    q.push(status("one"));
    CHECK(q.size() == 2);
    CHECK_FALSE(q.accepts(status("two")));
    CHECK_FALSE(q.accepts(report("a", BlobState::done, 100, 100)));
    CHECK_FALSE(q.accepts(report("b", BlobState::pulling, 1, 100))); // nothing of b waits
    const auto refused = podpull_test::error_from([&] { q.push(status("two")); });
    REQUIRE(refused);
    CHECK(refused->code() == ErrorCode::internal);
    CHECK(q.size() == 2);

    // A merge takes no room, however full the queue is.
    CHECK(q.accepts(report("a", BlobState::pulling, 50, 100)));
    for (std::uint64_t i = 2; i <= 1000; ++i)
        q.push(report("a", BlobState::pulling, i, 1000));
    CHECK(q.size() == 2);
    CHECK(q.merged() == 999);

    CHECK(q.pop());
    CHECK(q.accepts(status("two")));
}

TEST_CASE("the bound on text: long status lines wait, one alone always fits", "[queue]") {
    ProgressQueue q(ProgressQueue::Bound{64, 10});
    const std::string long_line(100, 'x');
    CHECK(q.accepts(status(long_line))); // an empty queue takes anything
    q.push(status(long_line));
    CHECK(q.bytes() == 100);
    CHECK_FALSE(q.accepts(status("a")));
    CHECK(q.pop());
    CHECK(q.bytes() == 0);
    q.push(status("12345"));
    q.push(report("abcd", BlobState::started, 0, 1)); // 5 + 4 bytes
    CHECK(q.bytes() == 9);
    CHECK(q.accepts(status("y")));
    CHECK_FALSE(q.accepts(status("yz")));
    CHECK(q.accepts(report("abcd", BlobState::pulling, 0, 1)) == false); // STARTED waits last
}

TEST_CASE("a queue with room for nothing is refused", "[queue]") {
    const auto refused = podpull_test::error_from([] {
        ProgressQueue q(ProgressQueue::Bound{0, 10});
    });
    REQUIRE(refused);
    CHECK(refused->code() == ErrorCode::internal);
}

// The whole contract at once, on tracker output from random streams and a host that takes
// events at random moments: nothing but PULLING is ever dropped, everything keeps its order,
// every report's whole-pull figures equal the sum of what the host has been told, and the last
// report carries the tracker's final figures.
TEST_CASE("random streams through the tracker and a slow host", "[queue]") {
    std::uint64_t merges = 0;
    for (unsigned seed = 1; seed <= 200; ++seed) {
        CAPTURE(seed);
        std::mt19937 random(seed);
        const auto roll = [&](unsigned n) {
            return std::uniform_int_distribution<unsigned>(0, n - 1)(random);
        };
        ProgressTracker tracker;
        ProgressQueue q(entries(1 + roll(8)));

        struct Pushed {
            std::string what; // describe() of what went in
            bool pulling;
        };
        std::vector<Pushed> pushed;
        std::vector<ProgressEvent> delivered;
        std::size_t max_size = 0;

        // The host's view: per blob, the latest report it got.
        std::map<std::string, BlobProgress> host;
        const auto take = [&] {
            auto event = q.pop();
            REQUIRE(event);
            delivered.push_back(*event);
        };

        const unsigned blobs = 1 + roll(5);
        std::vector<std::uint64_t> sizes;
        for (unsigned b = 0; b < blobs; ++b)
            sizes.push_back(1 + roll(1000));
        std::vector<std::uint64_t> at(blobs, 0);
        for (unsigned step = 0; step < 300; ++step) {
            const unsigned b = roll(blobs);
            const std::string id = "blob" + std::to_string(b);
            const auto total = roll(3) == 0 ? std::optional<std::int64_t>(-1)
                                            : std::optional<std::int64_t>(sizes[b]);
            BlobEvent event{id, BlobPhase::progressing, {}, total};
            switch (roll(10)) {
            case 0:
                event.phase = BlobPhase::started;
                break;
            case 1:
                event.phase = BlobPhase::finished;
                break;
            case 2:
                // podman skips a blob it already has before any byte of it; the tracker would
                // take back the bytes of a blob skipped later, and pull_current with them.
                if (!tracker.knows(id)) {
                    event.phase = BlobPhase::skipped;
                    break;
                }
                [[fallthrough]];
            default:
                at[b] = std::min(sizes[b], at[b] + roll(100));
                event.current = at[b];
            }
            ProgressEvent next;
            if (roll(8) == 0) {
                next = status("line " + std::to_string(step));
            } else {
                auto progress = tracker.apply(event);
                if (!progress)
                    continue;
                next = *progress;
            }
            // A slow host: it takes an event only now and then, and always when the queue is
            // full, as the reader's backpressure would make it.
            while (!q.accepts(next) || roll(3) == 0) {
                if (q.empty())
                    break;
                take();
            }
            REQUIRE(q.accepts(next));
            const auto *blob = std::get_if<BlobProgress>(&next);
            pushed.push_back(
                {describe(next), blob != nullptr && blob->state == BlobState::pulling});
            q.push(next);
            max_size = std::max(max_size, q.size());
        }
        while (!q.empty())
            take();

        merges += q.merged();
        CHECK(max_size <= q.bound().entries);
        CHECK(delivered.size() + q.merged() == pushed.size());

        // Order, and nothing but PULLING dropped: every non-PULLING event that went in comes
        // out, in order, at its place among the others.
        std::vector<std::string> in_fixed, out_fixed;
        for (const auto &p : pushed)
            if (!p.pulling)
                in_fixed.push_back(p.what.substr(0, p.what.find(" pull ")));
        for (const auto &e : delivered) {
            const auto *blob = std::get_if<BlobProgress>(&e);
            if (blob == nullptr || blob->state != BlobState::pulling) {
                const auto what = describe(e);
                out_fixed.push_back(what.substr(0, what.find(" pull ")));
            }
        }
        CHECK(in_fixed == out_fixed);

        // Every report is consistent with what the host has been told so far.
        std::uint64_t last_pull_current = 0;
        for (const auto &e : delivered) {
            const auto *blob = std::get_if<BlobProgress>(&e);
            if (blob == nullptr)
                continue;
            if (const auto known = host.find(blob->id); known != host.end())
                CHECK(blob->current >= known->second.current);
            host[blob->id] = *blob;
            std::uint64_t sum_current = 0, sum_total = 0;
            std::uint32_t done = 0;
            for (const auto &[id, p] : host) {
                // the tracker's rules: a cached blob counts its size in both sums;
                // a blob of unknown size counts with what it transferred
                const std::uint64_t size = p.total < 0 ? 0 : static_cast<std::uint64_t>(p.total);
                if (p.state == BlobState::skipped) {
                    ++done;
                    sum_current += size;
                    sum_total += size;
                    continue;
                }
                if (p.state == BlobState::done)
                    ++done;
                sum_current += p.current;
                sum_total += std::max(size, p.current);
            }
            CHECK(blob->pull_current == sum_current);
            CHECK(blob->pull_total == sum_total);
            CHECK(blob->blobs_seen == host.size());
            CHECK(blob->blobs_done == done);
            CHECK(blob->pull_current >= last_pull_current);
            last_pull_current = blob->pull_current;
        }

        // The last report carries the tracker's final figures.
        for (auto it = delivered.rbegin(); it != delivered.rend(); ++it) {
            if (const auto *blob = std::get_if<BlobProgress>(&*it)) {
                CHECK(blob->pull_current == tracker.pull_current());
                CHECK(blob->pull_total == tracker.pull_total());
                break;
            }
        }
    }
    CHECK(merges > 1000); // the streams did exercise merging
}
