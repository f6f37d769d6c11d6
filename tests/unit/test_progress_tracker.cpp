// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/progress_tracker.hpp"

#include "podpull_test/core.hpp"

#include <catch2/catch_test_macros.hpp>

#include <optional>
#include <string>

using podpull::BlobEvent;
using podpull::BlobPhase;
using podpull::BlobProgress;
using podpull::BlobState;
using podpull::ProgressTracker;

namespace {

BlobEvent event(std::string id, BlobPhase phase, std::optional<std::uint64_t> current = {},
                std::optional<std::int64_t> total = {}) {
    return BlobEvent{std::move(id), phase, current, total};
}

// "id STATE current/total pull pull_current/pull_total seen/done", or "-" for nullopt.
std::string describe(const std::optional<BlobProgress> &p) {
    if (!p)
        return "-";
    return p->id + " " + podpull_test::state_name(p->state) + " " + std::to_string(p->current) +
           "/" + std::to_string(p->total) + " pull " + std::to_string(p->pull_current) + "/" +
           std::to_string(p->pull_total) + " " + std::to_string(p->blobs_seen) + "/" +
           std::to_string(p->blobs_done);
}

} // namespace

TEST_CASE("a blob from start to done", "[tracker]") {
    ProgressTracker t;
    CHECK(describe(t.apply(event("a", BlobPhase::started, {}, 100))) ==
          "a STARTED 0/100 pull 0/100 1/0");
    CHECK(describe(t.apply(event("a", BlobPhase::progressing, 40, 100))) ==
          "a PULLING 40/100 pull 40/100 1/0");
    CHECK(describe(t.apply(event("a", BlobPhase::progressing, 90, 100))) ==
          "a PULLING 90/100 pull 90/100 1/0");
    CHECK(describe(t.apply(event("a", BlobPhase::finished, 100, 100))) ==
          "a DONE 100/100 pull 100/100 1/1");
    CHECK(t.pull_current() == 100);
    CHECK(t.pull_total() == 100);
}

TEST_CASE("the first event about a blob is reported as what it says", "[tracker]") {
    ProgressTracker t;
    CHECK(describe(t.apply(event("p", BlobPhase::progressing, 10, 50))) ==
          "p PULLING 10/50 pull 10/50 1/0");
    CHECK(describe(t.apply(event("d", BlobPhase::finished, 7, 7))) == "d DONE 7/7 pull 17/57 2/1");
    CHECK(describe(t.apply(event("s", BlobPhase::skipped))) == "s SKIPPED 0/-1 pull 17/57 3/2");
    CHECK(describe(t.apply(event("n", BlobPhase::started))) == "n STARTED 0/-1 pull 17/57 4/2");
}

TEST_CASE("current never decreases", "[tracker]") {
    ProgressTracker t;
    t.apply(event("a", BlobPhase::progressing, 50, 100));
    CHECK(describe(t.apply(event("a", BlobPhase::progressing, 30, 100))) == "-");
    CHECK(describe(t.apply(event("a", BlobPhase::progressing, 50, 100))) == "-");
    CHECK(describe(t.apply(event("a", BlobPhase::progressing, 60, 100))) ==
          "a PULLING 60/100 pull 60/100 1/0");
    // a start after bytes changes nothing: the blob does not go back to STARTED
    CHECK(describe(t.apply(event("a", BlobPhase::started, {}, 100))) == "-");
}

TEST_CASE("repeats that change nothing give nullopt", "[tracker]") {
    ProgressTracker t;
    CHECK(t.apply(event("a", BlobPhase::started, {}, 100)));
    CHECK_FALSE(t.apply(event("a", BlobPhase::started, {}, 100)));
    CHECK_FALSE(t.apply(event("a", BlobPhase::started)));
    CHECK(t.apply(event("a", BlobPhase::progressing, 1)));
    CHECK_FALSE(t.apply(event("a", BlobPhase::progressing, 1)));
    CHECK_FALSE(t.apply(event("a", BlobPhase::progressing)));
}

TEST_CASE("a total is learned once and counted once", "[tracker]") {
    ProgressTracker t;
    CHECK(describe(t.apply(event("a", BlobPhase::started))) == "a STARTED 0/-1 pull 0/0 1/0");
    CHECK(describe(t.apply(event("a", BlobPhase::progressing, 5, -1))) ==
          "a PULLING 5/-1 pull 5/5 1/0"); // unknown size: counted with what it transferred
    CHECK(describe(t.apply(event("a", BlobPhase::progressing, 5, 80))) ==
          "a PULLING 5/80 pull 5/80 1/0");
    // a different total later is not taken: totals stay fixed once known
    CHECK(describe(t.apply(event("a", BlobPhase::progressing, 6, 90))) ==
          "a PULLING 6/80 pull 6/80 1/0");
    CHECK(describe(t.apply(event("b", BlobPhase::started, {}, 20))) ==
          "b STARTED 0/20 pull 6/100 2/0");
}

TEST_CASE("finishing", "[tracker]") {
    SECTION("below the total: the blob stands at its total") {
        ProgressTracker t;
        t.apply(event("a", BlobPhase::progressing, 10, 100));
        CHECK(describe(t.apply(event("a", BlobPhase::finished, 90, 100))) ==
              "a DONE 100/100 pull 100/100 1/1");
    }
    SECTION("without numbers, total known from before") {
        ProgressTracker t;
        t.apply(event("a", BlobPhase::started, {}, 100));
        CHECK(describe(t.apply(event("a", BlobPhase::finished))) ==
              "a DONE 100/100 pull 100/100 1/1");
    }
    SECTION("total unknown: current stays, total stays -1") {
        ProgressTracker t;
        t.apply(event("a", BlobPhase::progressing, 30));
        CHECK(describe(t.apply(event("a", BlobPhase::finished))) == "a DONE 30/-1 pull 30/30 1/1");
        CHECK(describe(t.apply(event("b", BlobPhase::finished, 12))) ==
              "b DONE 12/-1 pull 42/42 2/2");
    }
    SECTION("past the total: the total is raised to current") {
        ProgressTracker t;
        t.apply(event("a", BlobPhase::progressing, 120, 100));
        CHECK(describe(t.apply(event("a", BlobPhase::finished))) ==
              "a DONE 120/120 pull 120/120 1/1");
    }
}

TEST_CASE("nothing more is reported about a finished blob", "[tracker]") {
    ProgressTracker t;
    t.apply(event("a", BlobPhase::finished, 10, 10));
    t.apply(event("s", BlobPhase::skipped, {}, 5));
    for (const auto phase :
         {BlobPhase::started, BlobPhase::progressing, BlobPhase::finished, BlobPhase::skipped}) {
        CHECK_FALSE(t.apply(event("a", phase, 99, 99)));
        CHECK_FALSE(t.apply(event("s", phase, 99, 99)));
    }
    CHECK(t.pull_current() == 15); // the cached blob's 5 count too
    CHECK(t.pull_total() == 15);
    CHECK(describe(t.apply(event("c", BlobPhase::started))) == "c STARTED 0/-1 pull 15/15 3/2");
}

// A changed guarantee: a skipped blob's size used to leave both totals; now the total is the
// image's (fetched and cached), so a cached blob counts in pull_total, pull_current and
// pull_cached alike, and the whole-pull bar still ends at 100 %.
TEST_CASE("a skipped blob is cached: it counts in pull_total, pull_current and pull_cached",
          "[tracker]") {
    ProgressTracker t;
    auto first = t.apply(event("s", BlobPhase::skipped, {}, 500));
    CHECK(describe(first) == "s SKIPPED 0/500 pull 500/500 1/1");
    CHECK(first->pull_cached == 500);
    CHECK(first->blobs_cached == 1);
    // a blob that was started, then found present, is cached too
    t.apply(event("a", BlobPhase::started, {}, 100));
    CHECK(t.pull_total() == 600);
    auto second = t.apply(event("a", BlobPhase::skipped));
    CHECK(describe(second) == "a SKIPPED 0/100 pull 600/600 2/2");
    CHECK(second->pull_cached == 600);
    CHECK(second->blobs_cached == 2);
    CHECK(t.totals().fetched == 0);
    CHECK(t.totals().cached == 600);
    // of unknown size: counted as a cached blob, with no bytes
    auto third = t.apply(event("u", BlobPhase::skipped));
    CHECK(describe(third) == "u SKIPPED 0/-1 pull 600/600 3/3");
    CHECK(third->blobs_cached == 3);
}

TEST_CASE("a skip after bytes finishes the blob, so pull_current never goes down", "[tracker]") {
    // podman's compat route can say "Already exists" for a layer it was downloading; the host
    // has already drawn those bytes in pull_current
    ProgressTracker t;
    t.apply(event("b", BlobPhase::progressing, 30, 60));
    CHECK(describe(t.apply(event("b", BlobPhase::skipped))) == "b DONE 60/60 pull 60/60 1/1");
    CHECK_FALSE(t.apply(event("b", BlobPhase::progressing, 10, 60)));
    // size unknown: the blob is done at the bytes it had
    t.apply(event("u", BlobPhase::progressing, 25));
    CHECK(describe(t.apply(event("u", BlobPhase::skipped))) == "u DONE 25/-1 pull 85/85 2/2");
    CHECK(t.pull_current() == 85);
}

TEST_CASE("pull_current is the sum over blobs, in any interleaving", "[tracker]") {
    ProgressTracker t;
    t.apply(event("a", BlobPhase::started, {}, 1000));
    t.apply(event("b", BlobPhase::started, {}, 2000));
    t.apply(event("a", BlobPhase::progressing, 100, 1000));
    t.apply(event("b", BlobPhase::progressing, 500, 2000));
    CHECK(describe(t.apply(event("a", BlobPhase::progressing, 400, 1000))) ==
          "a PULLING 400/1000 pull 900/3000 2/0");
    CHECK(describe(t.apply(event("b", BlobPhase::finished, 1999, 2000))) ==
          "b DONE 2000/2000 pull 2400/3000 2/1");
    CHECK(describe(t.apply(event("a", BlobPhase::finished, 1000, 1000))) ==
          "a DONE 1000/1000 pull 3000/3000 2/2");
}

// ---- with the image's manifest --------------------------------------------------

namespace {

using podpull::BlobDescriptor;

const std::string digest_a = "sha256:" + std::string(64, 'a');
const std::string digest_b = "sha256:" + std::string(32, 'b') + std::string(32, '0');
const std::string digest_c = "sha256:" + std::string(64, 'c'); // the config

ProgressTracker expecting() {
    ProgressTracker t;
    t.expect({{digest_a, 1000}, {digest_b, 2000}, {digest_c, 7}});
    return t;
}

// The invariants every report keeps.
void check_report(const BlobProgress &p, std::uint64_t &last_current, std::uint64_t &last_total) {
    CHECK(p.pull_current <= p.pull_total);
    CHECK(p.pull_current >= last_current);
    CHECK(p.pull_total >= last_total);
    CHECK(p.pull_cached <= p.pull_current);
    CHECK(p.blobs_cached <= p.blobs_done);
    CHECK(p.blobs_done <= p.blobs_seen);
    last_current = p.pull_current;
    last_total = p.pull_total;
}

} // namespace

TEST_CASE("with a manifest, the total is the image's from the first report and sizes come at "
          "STARTED",
          "[tracker][manifest]") {
    ProgressTracker t = expecting();
    CHECK(t.expects_blobs());
    CHECK(t.pull_total() == 3007);
    auto start = t.apply(event(digest_a, BlobPhase::started)); // no size on the wire
    REQUIRE(start);
    CHECK(start->total == 1000);
    CHECK(start->pull_total == 3007);
    CHECK(start->blobs_total == 3);
    CHECK(start->blobs_seen == 1);
    // a size on the wire does not override the manifest's
    auto bytes = t.apply(event(digest_a, BlobPhase::progressing, 10, 999));
    CHECK(bytes->total == 1000);
    CHECK(bytes->pull_total == 3007);
}

TEST_CASE("with a manifest, the compat routes' short ids are the manifest's digests",
          "[tracker][manifest]") {
    ProgressTracker t = expecting();
    auto p = t.apply(event(digest_b.substr(7, 12), BlobPhase::started));
    REQUIRE(p);
    CHECK(p->id == digest_b);
    CHECK(p->total == 2000);
    CHECK(t.knows(digest_b.substr(7, 12)));
    CHECK(t.knows(digest_b));
    CHECK_FALSE(t.knows(digest_a.substr(7, 12))); // expected, not yet seen
    // a short id that names no expected blob is a blob of its own
    auto other = t.apply(event("0123456789ab", BlobPhase::started, {}, 5));
    CHECK(other->id == "0123456789ab");
    CHECK(other->pull_total == 3012);
}

TEST_CASE("two expected digests sharing a short id leave it ambiguous", "[tracker][manifest]") {
    ProgressTracker t;
    const std::string x = "sha256:" + std::string(12, 'd') + std::string(52, '1');
    const std::string y = "sha256:" + std::string(12, 'd') + std::string(52, '2');
    t.expect({{x, 10}, {y, 20}});
    auto p = t.apply(event(std::string(12, 'd'), BlobPhase::started));
    CHECK(p->id == std::string(12, 'd'));
}

TEST_CASE("with a manifest, a blob finished without a byte report is credited its size",
          "[tracker][manifest]") {
    ProgressTracker t = expecting();
    t.apply(event(digest_a.substr(7, 12), BlobPhase::started));
    auto done = t.apply(event(digest_a.substr(7, 12), BlobPhase::finished));
    REQUIRE(done);
    CHECK(describe(done) == digest_a + " DONE 1000/1000 pull 1000/3007 1/1");
    CHECK(t.totals().fetched == 1000);
}

TEST_CASE("with a manifest, skipped is cached and settle accounts for every blob",
          "[tracker][manifest]") {
    std::uint64_t last_current = 0, last_total = 0;
    ProgressTracker t = expecting();
    auto skip = t.apply(event(digest_a.substr(7, 12), BlobPhase::skipped));
    check_report(*skip, last_current, last_total);
    CHECK(skip->pull_cached == 1000);
    CHECK(skip->pull_current == 1000);
    CHECK(skip->blobs_cached == 1);
    auto pulling = t.apply(event(digest_b.substr(7, 12), BlobPhase::progressing, 700, 2000));
    check_report(*pulling, last_current, last_total);
    CHECK(pulling->pull_current == 1700);
    // the pull succeeded: b was stored (DONE at its size); the config was never named, so the
    // storage had it
    const auto settled = t.settle();
    REQUIRE(settled.size() == 2);
    CHECK(settled[0].id == digest_b);
    CHECK(settled[0].state == BlobState::done);
    CHECK(settled[0].current == 2000);
    CHECK(settled[1].id == digest_c);
    CHECK(settled[1].state == BlobState::skipped);
    for (const auto &p : settled)
        check_report(p, last_current, last_total);
    CHECK(settled[1].pull_current == 3007);
    CHECK(settled[1].pull_total == 3007);
    CHECK(settled[1].blobs_done == 3);
    CHECK(settled[1].blobs_seen == 3);
    CHECK(settled[1].blobs_cached == 2);
    CHECK(t.totals().fetched == 2000);
    CHECK(t.totals().cached == 1007);
    CHECK(t.totals().blobs_total == 3);
    CHECK(t.totals().blobs_cached == 2);
    CHECK(t.settle().empty()); // once
}

TEST_CASE("expect() after events, or twice, adds nothing", "[tracker][manifest]") {
    ProgressTracker t;
    t.apply(event("x", BlobPhase::started, {}, 5));
    t.expect({{digest_a, 1000}});
    CHECK(t.pull_total() == 5);
    CHECK_FALSE(t.expects_blobs());
    ProgressTracker u;
    u.expect({{digest_a, 1000}, {digest_a, 1000}});
    u.expect({{digest_b, 2000}});
    CHECK(u.pull_total() == 1000);
    CHECK(u.totals().blobs_total == 1);
}

TEST_CASE("with a manifest, totals never shrink and pull_current never passes pull_total, "
          "whatever podman says",
          "[tracker][manifest]") {
    // Every route's event shapes, interleaved: full digests (pullProgress, text), short ids
    // (jsonmessage), sizes past the manifest's, skips after bytes, repeats, an unexpected blob.
    const std::vector<BlobEvent> events = {
        event(digest_a, BlobPhase::started, {}, -1),
        event(digest_b.substr(7, 12), BlobPhase::started),
        event(digest_a, BlobPhase::progressing, 400, 1000),
        event(digest_b.substr(7, 12), BlobPhase::progressing, 2500, 2000), // past the size
        event(digest_a, BlobPhase::progressing, 300, 1000),                // goes back: ignored
        event("feedfacecafe", BlobPhase::progressing, 50),                 // unexpected, no size
        event(digest_a, BlobPhase::skipped),                               // skip after bytes
        event(digest_b.substr(7, 12), BlobPhase::finished),
        event("feedfacecafe", BlobPhase::finished, 60, 60),
        event(digest_c, BlobPhase::finished),
    };
    std::uint64_t last_current = 0, last_total = 0;
    ProgressTracker t = expecting();
    for (const auto &e : events) {
        if (auto p = t.apply(e))
            check_report(*p, last_current, last_total);
    }
    for (const auto &p : t.settle())
        check_report(p, last_current, last_total);
    CHECK(t.pull_current() == t.pull_total());
    CHECK(t.totals().cached == 0);
}
