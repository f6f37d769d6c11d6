// SPDX-License-Identifier: MIT OR Apache-2.0
// Whole bodies of the shapes docs/podman.md describes, through the same chain an API pull uses:
// LineSplitter -> decode_libpod_line or decode_jsonmessage_line -> ProgressTracker. Each body is
// fed in chunks of several sizes (1 byte, 7 bytes, the whole body, ...) and must give the same
// events.
#include "core/jsonmessage_decoder.hpp"
#include "core/libpod_text_decoder.hpp"
#include "core/line_splitter.hpp"
#include "core/progress_tracker.hpp"

#include "podpull_test/core.hpp"
#include "recorded_bodies.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_vector.hpp>

#include <algorithm>
#include <limits>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

using Catch::Matchers::Equals;
using Trace = std::vector<std::string>;

namespace {

constexpr std::size_t whole = std::numeric_limits<std::size_t>::max();

using Decoder = void (*)(std::string_view, std::vector<podpull::PullEvent> &);

// What a host would be told, one string per callback.
Trace run(std::string_view body, std::size_t chunk, Decoder decode = &podpull::decode_libpod_line) {
    podpull::LineSplitter splitter(1024 * 1024);
    podpull::ProgressTracker tracker;
    Trace trace;
    std::vector<podpull::PullEvent> events;
    const auto on_event = [&](const auto &e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, podpull::StatusEvent>) {
            trace.push_back("status: " + e.text);
        } else if constexpr (std::is_same_v<T, podpull::BlobEvent>) {
            if (const auto p = tracker.apply(e))
                trace.push_back(
                    "blob: " + p->id + " " + podpull_test::state_name(p->state) + " " +
                    std::to_string(p->current) + "/" + std::to_string(p->total) + " pull " +
                    std::to_string(p->pull_current) + "/" + std::to_string(p->pull_total) + " " +
                    std::to_string(p->blobs_seen) + "/" + std::to_string(p->blobs_done));
        } else if constexpr (std::is_same_v<T, podpull::CompletedEvent>) {
            trace.push_back("completed: " + e.image_id);
        } else {
            trace.push_back(std::string("failed: ") + podpull_test::code_name(e.code) + ": " +
                            e.message);
        }
    };
    while (!body.empty()) {
        const std::size_t size = std::min(chunk, body.size());
        splitter.feed(body.substr(0, size), [&](std::string_view line) {
            events.clear();
            decode(line, events);
            for (const auto &event : events)
                std::visit(on_event, event);
        });
        body.remove_prefix(size);
    }
    CHECK(splitter.pending() == 0);
    return trace;
}

std::string with_crlf(std::string_view body) {
    std::string out;
    for (const char ch : body) {
        if (ch == '\n')
            out.push_back('\r');
        out.push_back(ch);
    }
    return out;
}

} // namespace

TEST_CASE("recorded: a successful pull on 4.3.1, text only", "[recorded]") {
    const std::size_t chunk = GENERATE(1, 2, 7, 64, whole);
    CAPTURE(chunk);
    const Trace expected{
        "status: Trying to pull localhost:5000/test/big:v1...",
        "status: Getting image source signatures",
        "status: Copying blob "
        "sha256:855e90a27705301e2b384e28c8494150d83723f88e2eeb27e9ffbf48000e5ce2",
        "status: Copying config "
        "sha256:b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c",
        "status: Writing manifest to image destination",
        "status: Storing signatures",
        "completed: b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c",
    };
    CHECK_THAT(run(recorded::libpod_text_4_3_1, chunk), Equals(expected));
    CHECK_THAT(run(with_crlf(recorded::libpod_text_4_3_1), chunk), Equals(expected));
}

TEST_CASE("recorded: failures on 4.3.1", "[recorded]") {
    const std::size_t chunk = GENERATE(1, 7, whole);
    CAPTURE(chunk);
    CHECK_THAT(run(recorded::libpod_text_missing_image_4_3_1, chunk),
               Equals(Trace{"status: Trying to pull …",
                            "failed: not_found: initializing source "
                            "docker://localhost:5000/nope/none:v1: reading manifest v1 in "
                            "localhost:5000/nope/none: manifest unknown: manifest unknown"}));
    CHECK_THAT(run(recorded::libpod_text_bad_name_4_3_1, chunk),
               Equals(Trace{"failed: pull: repository name must be lowercase"}));
    CHECK_THAT(run(recorded::libpod_text_missing_credentials_4_3_1, chunk),
               Equals(Trace{"failed: auth: … unauthorized: authentication required"}));
}

TEST_CASE("recorded: a pull with pullProgress on 6.0", "[recorded]") {
    const std::size_t chunk = GENERATE(1, 2, 7, 64, whole);
    CAPTURE(chunk);
    const Trace expected{
        "blob: sha256:855e… STARTED 0/73407797 pull 0/73407797 1/0",
        "blob: sha256:855e… PULLING 19003392/73407797 pull 19003392/73407797 1/0",
        "blob: sha256:855e… DONE 73407797/73407797 pull 73407797/73407797 1/1",
        "blob: sha256:… SKIPPED 0/-1 pull 73407797/73407797 2/2",
        "status: Copying config sha256:…",
        "completed: …",
    };
    CHECK_THAT(run(recorded::pull_progress_6_0, chunk), Equals(expected));
    CHECK_THAT(run(with_crlf(recorded::pull_progress_6_0), chunk), Equals(expected));
}

TEST_CASE("recorded: a failure on 6.0", "[recorded]") {
    const std::size_t chunk = GENERATE(1, 7, whole);
    CAPTURE(chunk);
    CHECK_THAT(run(recorded::pull_progress_error_6_0, chunk), Equals(Trace{"failed: pull: …"}));
}

TEST_CASE("recorded: the libpod decoder reads nothing into a Docker jsonmessage body",
          "[recorded]") {
    // Its lines carry a short "id" and a "status" that is not "success": no completion, no
    // blobs (that format needs its own decoder). Its error line is still a failure.
    CHECK(run(recorded::docker_compat_4_3_1, 7).empty());
    CHECK_THAT(run(recorded::docker_compat_error, 1), Equals(Trace{"failed: pull: …"}));
}

TEST_CASE("recorded: the Docker jsonmessage body of 4.3.1, per-layer bytes", "[recorded]") {
    const std::size_t chunk = GENERATE(1, 2, 7, 64, whole);
    CAPTURE(chunk);
    const Trace expected{
        "blob: 855e90a27705 STARTED 0/-1 pull 0/0 1/0",
        "blob: 855e90a27705 PULLING 19003392/73407797 pull 19003392/73407797 1/0",
        "blob: 855e90a27705 DONE 73407797/73407797 pull 73407797/73407797 1/1",
        "blob: b3f190ca3fbc STARTED 0/-1 pull 73407797/73407797 2/1",
        "blob: b3f190ca3fbc DONE 0/-1 pull 73407797/73407797 2/2",
    };
    CHECK_THAT(run(recorded::docker_compat_4_3_1, chunk, &podpull::decode_jsonmessage_line),
               Equals(expected));
    CHECK_THAT(
        run(with_crlf(recorded::docker_compat_4_3_1), chunk, &podpull::decode_jsonmessage_line),
        Equals(expected));
}

TEST_CASE("recorded: the Docker jsonmessage error line", "[recorded]") {
    const std::size_t chunk = GENERATE(1, 7, whole);
    CAPTURE(chunk);
    CHECK_THAT(run(recorded::docker_compat_error, chunk, &podpull::decode_jsonmessage_line),
               Equals(Trace{"failed: pull: …"}));
}

TEST_CASE("recorded: the jsonmessage decoder reads no blobs into a libpod body", "[recorded]") {
    // The 4.3.1 text body has neither "status" nor "id"; its final report is not a
    // jsonmessage line. Its stream text still reads as status lines.
    const Trace trace = run(recorded::libpod_text_4_3_1, 7, &podpull::decode_jsonmessage_line);
    CHECK(trace.size() == 6);
    CHECK(std::all_of(trace.begin(), trace.end(),
                      [](const std::string &line) { return line.starts_with("status: "); }));
}

TEST_CASE("recorded: a body cut in the middle of a line leaves bytes pending", "[recorded]") {
    const std::string_view body = recorded::libpod_text_4_3_1;
    const std::string_view cut = body.substr(0, body.size() - 10);
    podpull::LineSplitter splitter(1024 * 1024);
    std::size_t lines = 0;
    splitter.feed(cut, [&](std::string_view line) {
        std::vector<podpull::PullEvent> events;
        podpull::decode_libpod_line(line, events);
        ++lines;
    });
    CHECK(lines == 6);
    CHECK(splitter.pending() == cut.size() - (cut.rfind('\n') + 1));
    CHECK(splitter.pending() > 0);
}
