// SPDX-License-Identifier: MIT OR Apache-2.0
// Reading never waits on the host. A host whose first on_blob call does not return until the
// fake service has sent a whole 16 MiB pull body: bytes counted, not time. Were the socket read
// on the host's thread, nobody would read while the callback waits, the fake's send would
// block once the socket buffers (a few hundred KiB) were full, and the body could never be
// sent whole.
#include "podpull_test/client.hpp"
#include "podpull_test/fake_libpod.hpp"

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace podpull_test;

namespace {

// The blobs of pull-progress-derived-unknown-size.ndjson, the body the fake grows.
using namespace unknown_size_body;

constexpr std::uint64_t body_bytes = 16 * 1024 * 1024;
// The host's patience: far beyond the second or so the fake takes to send 16 MiB to a reader
// that keeps up, even under sanitizers on a loaded machine, and below ctest's 60 s.
constexpr auto give_up_after = std::chrono::seconds(40);

// What the fake's --sent-file says: bytes sent so far, the whole body, its lines.
struct Sent {
    std::uint64_t sent = 0, total = 0, lines = 0;
};
Sent read_sent(const fs::path &file) {
    Sent s;
    std::ifstream in(file);
    in >> s.sent >> s.total >> s.lines;
    return s;
}

} // namespace

TEST_CASE("a host that blocks in on_blob does not stop podpull reading the pull body",
          "[concurrency][slow-host]") {
    Sandbox box;
    const fs::path sent_file = box.dir() / "sent";
    FakeLibpod fake(box.dir(),
                    {"--body", fake_body("pull-progress-derived-unknown-size.ndjson").string(),
                     "--long-pull", std::to_string(body_bytes), "--sent-file", sent_file.string()});
    Client client(connect_or_fail(box, box.attach_options(fake.socket())));

    // The host's first on_blob waits for the fake to have sent everything, which it can only
    // do if podpull goes on reading while this callback has not returned.
    PullRecorder rec;
    bool first_call_done = false;
    bool whole_body_sent_while_waiting = false;
    Sent when_released;
    rec.on_blob_hook = [&](const podpull_blob_progress &) {
        if (!first_call_done) {
            first_call_done = true;
            whole_body_sent_while_waiting = wait_for(
                [&] {
                    when_released = read_sent(sent_file);
                    return when_released.total != 0 && when_released.sent == when_released.total;
                },
                give_up_after);
        }
        return 0;
    };
    const PullOutcome out = pull(client.ptr, "registry.example/podpull/test:v1", rec);
    const auto s = rec.snapshot();
    INFO(out.describe());
    REQUIRE(out.code == PODPULL_OK);
    CHECK(out.image_id == image_id);
    CHECK(out.route == PODPULL_ROUTE_LIBPOD_PROGRESS);

    // The proof: the whole body left the fake while the host's first callback was waiting.
    INFO("sent " << when_released.sent << " of " << when_released.total);
    CHECK(whole_body_sent_while_waiting);
    const auto sent = read_sent(sent_file);
    CHECK(sent.total >= body_bytes);
    CHECK(sent.lines > 70000);

    // Nothing but PULLING was merged: every STARTED, DONE, SKIPPED and status line came, in
    // the body's order.
    std::vector<std::string> fixed;
    for (const auto &event : s.timeline) {
        if (event.find(" PULLING") == std::string::npos) {
            fixed.push_back(event);
        }
    }
    CHECK(fixed == std::vector<std::string>{
                       "status Trying to pull registry.example/podpull/test:v1...",
                       "blob " + layer + " STARTED",
                       "blob " + unknown_size + " STARTED",
                       "blob " + layer + " DONE",
                       "blob " + unknown_size + " DONE",
                       "blob " + skipped + " SKIPPED",
                       "status Copying config sha256:" + image_id,
                   });

    // The ~77,000 PULLING lines the host had no time for merged: a handful of callbacks, the
    // layer's bytes rising to the body's last figure for it.
    CHECK(s.blobs.size() < 100);
    std::uint64_t layer_at = 0, last_pull_current = 0;
    int layer_pulling = 0;
    for (const auto &b : s.blobs) {
        CHECK(b.pull_current >= last_pull_current);
        last_pull_current = b.pull_current;
        if (b.id != layer || b.state != PODPULL_BLOB_PULLING) {
            continue;
        }
        ++layer_pulling;
        CHECK(b.current > layer_at);
        layer_at = b.current;
    }
    CHECK(layer_pulling >= 1);
    CHECK(layer_at == 52428800);

    // Whole-pull totals after merging: the sized layer and the unknown-size blob's bytes; that
    // blob's size is known once it is done, and the total takes it in (pull_current never
    // passes pull_total).
    REQUIRE_FALSE(s.blobs.empty());
    const auto &last = s.blobs.back();
    CHECK(last.pull_current == 73407797u + 8192u);
    CHECK(last.pull_total == 73407797u + 8192u);
    CHECK(last.blobs_seen == 3);
    CHECK(last.blobs_done == 3);
    CHECK(out.bytes == 73407797u + 8192u);

    client.reset();
    fake.stop();
    box.check_no_leftovers();
}
