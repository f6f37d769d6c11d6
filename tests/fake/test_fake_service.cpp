// SPDX-License-Identifier: MIT OR Apache-2.0
// podpull against tests/fake/fake-libpod.py, through the real HTTP code (socket_path): only
// for what a real podman cannot be made to do on cue (a stream that stalls, an error line in
// the middle of a body) and for body shapes no release in the suite sends. What the releases
// do send is tested against them (tests/integration, once per release).
#include "podpull_test/client.hpp"
#include "podpull_test/fake_libpod.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

using namespace podpull_test;
using namespace std::chrono_literals;

namespace {

// The blobs of pull-progress-derived-unknown-size.ndjson.
using namespace unknown_size_body;

// A client attached to the fake, started with `args` in the sandbox.
struct FakeClient {
    FakeLibpod fake;
    Client client;
    FakeClient(Sandbox &box, const std::vector<std::string> &args)
        : fake(box.dir(), args), client(connect_or_fail(box, box.attach_options(fake.socket()))) {}
    // Frees the client and stops the fake, so the sandbox can check that nothing is left.
    void finish() {
        client.reset();
        fake.stop();
    }
};

// The events of one blob, in order.
std::vector<PullRecorder::BlobEvent> events_of(const PullRecorder::Snapshot &s,
                                               const std::string &id) {
    std::vector<PullRecorder::BlobEvent> out;
    for (const auto &b : s.blobs) {
        if (b.id == id) {
            out.push_back(b);
        }
    }
    return out;
}

// Whether one blob's reports are: STARTED at 0 of `total`; PULLING at some of the byte counts
// the body carries (`pulling`, rising), always the last of them (a host that falls behind sees
// earlier ones merged into it, so which of the others it sees depends on thread timing); DONE
// at `total`.
bool is_started_pulling_done(const std::vector<PullRecorder::BlobEvent> &events, std::int64_t total,
                             const std::vector<std::uint64_t> &pulling) {
    if (events.size() < 3 || events.size() > pulling.size() + 2) {
        return false;
    }
    const auto &first = events.front();
    const auto &last = events.back();
    if (first.state != PODPULL_BLOB_STARTED || first.current != 0 || first.total != total ||
        last.state != PODPULL_BLOB_DONE || last.current != static_cast<std::uint64_t>(total) ||
        last.total != total) {
        return false;
    }
    std::size_t next = 0; // the earliest of `pulling` the next PULLING may show
    for (std::size_t i = 1; i + 1 < events.size(); ++i) {
        if (events[i].state != PODPULL_BLOB_PULLING || events[i].total != total) {
            return false;
        }
        while (next < pulling.size() && pulling[next] != events[i].current) {
            ++next;
        }
        if (next == pulling.size()) {
            return false;
        }
        ++next;
    }
    return events[events.size() - 2].current == pulling.back();
}

} // namespace

TEST_CASE("a pullProgress body with a blob of unknown size and a final count short of its "
          "total, which no release in the suite sends: per-blob bytes and whole-pull totals") {
    Sandbox box;
    FakeClient f(box, {"--body", fake_body("pull-progress-derived-unknown-size.ndjson").string()});
    PullRecorder rec;
    const PullOutcome out = pull(f.client.ptr, "registry.example/podpull/test:v1", rec);
    const auto s = rec.snapshot();
    INFO(out.describe() << "\n" << rec.summary());
    REQUIRE(out.code == PODPULL_OK);
    CHECK(out.image_id == image_id);
    CHECK(out.route == PODPULL_ROUTE_LIBPOD_PROGRESS);

    // The route comes first and once; pullProgress was asked for.
    CHECK(s.route_first);
    CHECK(s.route_calls == 1);
    CHECK(s.route == PODPULL_ROUTE_LIBPOD_PROGRESS);
    CHECK(contains(join(f.fake.records(), "\n"), "pullProgress=true"));

    // The sized layer: STARTED with its total, PULLING rising, DONE at its total even though
    // podman's last `current` stopped short of it.
    CHECK(is_started_pulling_done(events_of(s, layer), 73407797, {19003392, 52428800}));

    // The blob of unknown size keeps total -1; the skipped one is SKIPPED.
    const auto unknown = events_of(s, unknown_size);
    CHECK_FALSE(unknown.empty());
    for (const auto &e : unknown) {
        CHECK(e.total == -1);
    }
    const auto skip = events_of(s, skipped);
    REQUIRE(skip.size() == 1);
    CHECK(skip.front().state == PODPULL_BLOB_SKIPPED);

    // Whole-pull totals: three blobs seen, all done, bytes = the layer plus the unknown one.
    const auto &last = s.blobs.back();
    CHECK(last.blobs_seen == 3);
    CHECK(last.blobs_done == 3);
    CHECK(last.pull_current == 73407797u + 8192u);
    CHECK(out.bytes == 73407797u + 8192u);
    f.finish();
    box.check_no_leftovers();
}

TEST_CASE("an error line in the middle of the body (6.1.1's, its registry cut off) ends the "
          "pull with its code and message") {
    Sandbox box;
    FakeClient f(box, {"--body", fake_body("pull-progress-6.1.1-error.ndjson").string()});
    PullRecorder rec;
    const PullOutcome out = pull(f.client.ptr, "registry.example/podpull/test:v1", rec);
    INFO(out.describe() << "\n" << rec.summary());
    CHECK(out.code == PODPULL_ERR_PULL);
    CHECK_FALSE(out.have_result);
    CHECK(contains(out.message, "unexpected EOF"));
    CHECK(contains(out.message, "the connection to the registry broke"));
    f.finish();
    box.check_no_leftovers();
}

TEST_CASE("a stream that stops sending ends in TIMEOUT after stall_timeout_ms") {
    // 6.1.1's body stops after its first four lines (three text lines and a blob's start).
    Sandbox box;
    FakeClient f(box, {"--stall-after", "4"});
    podpull_pull_options options;
    podpull_pull_options_init(&options);
    options.stall_timeout_ms = 300;
    PullRecorder rec;
    const PullOutcome out = pull(f.client.ptr, "registry.example/podpull/test:v1", rec, &options);
    const auto s = rec.snapshot();
    INFO(out.describe() << "\n" << rec.summary());
    CHECK(out.code == PODPULL_ERR_TIMEOUT);
    CHECK(contains(out.message, "300 ms"));
    // What came before the stall was delivered: the route, three status lines, one blob.
    CHECK(s.sequence == "RSSSB");
    CHECK(s.blobs.size() == 1);
    // Bounded, not timed: without the stall timeout this pull would never return.
    CHECK(out.seconds < 30.0);
    f.finish();
    box.check_no_leftovers();
}

TEST_CASE("podpull_cancel from another thread stops a pull stalled on the fake service",
          "[concurrency][cancel]") {
    // The body stops after 4 lines (the last a blob's start) and the connection stays open:
    // only the cancel ends it.
    Sandbox box;
    FakeClient f(box, {"--stall-after", "4"});
    podpull_pull_options options;
    podpull_pull_options_init(&options);
    options.stall_timeout_ms = 120000; // a backstop far beyond the bound below, never the cause

    // The pulling thread counts blob callbacks; the cancelling thread waits for the first so
    // the cancel lands in a pull that is in flight (a cancel with none in flight is dropped).
    std::atomic<int> blobs{0};
    PullRecorder rec;
    rec.on_blob_hook = [&](const podpull_blob_progress &) {
        blobs.fetch_add(1);
        return 0;
    };
    std::atomic<bool> cancelled{false};
    Clock::time_point cancel_time;
    std::thread canceller([&] {
        wait_for([&] { return blobs.load() > 0; }, 60s);
        cancel_time = Clock::now();
        podpull_cancel(f.client.ptr);
        cancelled = true;
    });
    const PullOutcome out = pull(f.client.ptr, "registry.example/podpull/test:v1", rec, &options);
    const auto returned = Clock::now();
    canceller.join();
    INFO(out.describe() << "\n" << rec.summary());
    CHECK(cancelled.load());
    CHECK(blobs.load() > 0);
    CHECK(out.code == PODPULL_ERR_CANCELLED);
    // Generous: the machine is shared; without the cancel the pull would wait 120 s.
    CHECK(returned - cancel_time < 10s);
    f.finish();
    box.check_no_leftovers();
}
