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
          "a PULLING 5/-1 pull 5/0 1/0");
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
        CHECK(describe(t.apply(event("a", BlobPhase::finished))) == "a DONE 30/-1 pull 30/0 1/1");
        CHECK(describe(t.apply(event("b", BlobPhase::finished, 12))) ==
              "b DONE 12/-1 pull 42/0 2/2");
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
    CHECK(t.pull_current() == 10);
    CHECK(t.pull_total() == 10);
    CHECK(describe(t.apply(event("c", BlobPhase::started))) == "c STARTED 0/-1 pull 10/10 3/2");
}

TEST_CASE("a skipped blob transfers nothing and its size is not to transfer", "[tracker]") {
    ProgressTracker t;
    CHECK(describe(t.apply(event("s", BlobPhase::skipped, {}, 500))) ==
          "s SKIPPED 0/500 pull 0/0 1/1");
    // a blob that was started, then found present: its size leaves pull_total again
    t.apply(event("a", BlobPhase::started, {}, 100));
    CHECK(t.pull_total() == 100);
    CHECK(describe(t.apply(event("a", BlobPhase::skipped))) == "a SKIPPED 0/100 pull 0/0 2/2");
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
    CHECK(describe(t.apply(event("u", BlobPhase::skipped))) == "u DONE 25/-1 pull 85/60 2/2");
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
