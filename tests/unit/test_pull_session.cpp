// SPDX-License-Identifier: MIT OR Apache-2.0
// PullSession: body bytes of each route's wire format in, observer calls and an outcome out.
#include "core/pull_session.hpp"

#include "podpull_test/core.hpp"
#include "recorded_bodies.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <catch2/matchers/catch_matchers_vector.hpp>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::Equals;
using podpull::ErrorCode;
using podpull::PullOutcome;
using podpull::PullSession;
using podpull::Route;
using Trace = std::vector<std::string>;

namespace {

constexpr std::size_t whole = std::numeric_limits<std::size_t>::max();

const std::string image_id = "b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c";

// Records what a host would be told, one string per callback; cancels at the blob callback
// numbered `cancel_at` (1-based), if set.
class Recorder : public podpull::PullObserver {
  public:
    Trace trace;
    std::size_t cancel_at = 0;

    void route_chosen(const podpull::RouteDecision &) override {}
    void status(std::string_view line) override { trace.push_back("status: " + std::string(line)); }
    bool blob(const podpull::BlobProgress &p) override {
        trace.push_back("blob: " + p.id + " " + podpull_test::state_name(p.state) + " " +
                        std::to_string(p.current) + "/" + std::to_string(p.total) + " pull " +
                        std::to_string(p.pull_current) + "/" + std::to_string(p.pull_total) + " " +
                        std::to_string(p.blobs_seen) + "/" + std::to_string(p.blobs_done));
        return ++blobs_ != cancel_at;
    }

  private:
    std::size_t blobs_ = 0;
};

void feed(PullSession &session, std::string_view body, std::size_t chunk) {
    while (!body.empty()) {
        const std::size_t size = std::min(chunk, body.size());
        session.feed(body.substr(0, size));
        body.remove_prefix(size);
    }
}

struct Run {
    Trace trace;
    PullOutcome outcome;
};

// Feeds the whole body and finishes; any Error escapes.
Run run(Route route, std::string_view body, std::size_t chunk = whole) {
    Recorder recorder;
    PullSession session(route, recorder);
    feed(session, body, chunk);
    const PullOutcome outcome = session.finish();
    return {recorder.trace, outcome};
}

// The Error that feeding or finishing `body` throws, with what was reported before it.
struct Failure {
    podpull::Error error;
    Trace trace;
};
Failure failure(Route route, std::string_view body, std::size_t chunk = whole,
                std::size_t cancel_at = 0) {
    Recorder recorder;
    recorder.cancel_at = cancel_at;
    const auto error = podpull_test::error_from([&] {
        PullSession session(route, recorder);
        feed(session, body, chunk);
        session.finish();
    });
    REQUIRE(error);
    return {*error, recorder.trace};
}

// A compatMode / /images/create success as utils.CompatPull writes it (upstream source):
// the facts body, then the final line, which repeats the config blob's id (the image ID is
// the config's digest).
const std::string compat_success =
    std::string(recorded::docker_compat_4_3_1) +
    R"({"status":"Download complete","progressDetail":{},"id":"b3f190ca3fbc"})"
    "\n";

const Trace compat_trace{
    "blob: 855e90a27705 STARTED 0/-1 pull 0/0 1/0",
    "blob: 855e90a27705 PULLING 19003392/73407797 pull 19003392/73407797 1/0",
    "blob: 855e90a27705 DONE 73407797/73407797 pull 73407797/73407797 1/1",
    "blob: b3f190ca3fbc STARTED 0/-1 pull 73407797/73407797 2/1",
    "blob: b3f190ca3fbc DONE 0/-1 pull 73407797/73407797 2/2",
};

} // namespace

TEST_CASE("session: only API routes have a wire format", "[session]") {
    const Route route = GENERATE(Route::automatic, Route::subprocess, static_cast<Route>(42));
    CAPTURE(route);
    Recorder recorder;
    const auto error = podpull_test::error_from([&] { PullSession session(route, recorder); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::internal);
}

TEST_CASE("session: DOCKER_COMPAT on the body docs/podman.md describes", "[session]") {
    // The recorded body ends with the config blob's "Download complete", whose id is the
    // image ID's first 12 hex digits: as a body it is complete.
    const std::size_t chunk = GENERATE(1, 3, 64, whole);
    CAPTURE(chunk);
    const Run result = run(Route::docker_compat, recorded::docker_compat_4_3_1, chunk);
    CHECK_THAT(result.trace, Equals(compat_trace));
    CHECK(result.outcome.image_id.empty());
    CHECK(result.outcome.image_id_prefix == "b3f190ca3fbc");
    CHECK(result.outcome.totals.fetched == 73407797);
}

TEST_CASE("session: the final Download complete adds nothing to the blobs", "[session]") {
    const Route route = GENERATE(Route::docker_compat, Route::libpod_compat);
    const std::size_t chunk = GENERATE(1, 7, whole);
    CAPTURE(route, chunk);
    const Run result = run(route, compat_success, chunk);
    CHECK_THAT(result.trace, Equals(compat_trace));
    CHECK(result.outcome.image_id.empty());
    CHECK(result.outcome.image_id_prefix == "b3f190ca3fbc");
    CHECK(result.outcome.totals.fetched == 73407797);
}

TEST_CASE("session: an image already there gives its final line and no phantom blob", "[session]") {
    // policy missing on compatMode: no progress at all, just the final report
    const Run result =
        run(Route::libpod_compat,
            R"({"status":"Download complete","progressDetail":{},"id":"b3f190ca3fbc"})"
            "\n");
    CHECK(result.trace.empty());
    CHECK(result.outcome.image_id_prefix == "b3f190ca3fbc");
    CHECK(result.outcome.totals.fetched == 0);

    // every layer there already: SKIPPED blobs, then the final report
    const Run skipped = run(Route::docker_compat,
                            R"({"status":"Already exists","progressDetail":{},"id":"855e90a27705"}
{"status":"Already exists","progressDetail":{},"id":"0123456789ab"}
{"status":"Download complete","progressDetail":{},"id":"b3f190ca3fbc"}
)");
    CHECK_THAT(skipped.trace, Equals(Trace{"blob: 855e90a27705 SKIPPED 0/-1 pull 0/0 1/1",
                                           "blob: 0123456789ab SKIPPED 0/-1 pull 0/0 2/2"}));
    CHECK(skipped.outcome.image_id_prefix == "b3f190ca3fbc");
}

TEST_CASE("session: a blob finished without a start is reported once a line follows", "[session]") {
    const std::size_t chunk = GENERATE(1, whole);
    CAPTURE(chunk);
    const Run result = run(Route::docker_compat,
                           R"({"status":"Download complete","progressDetail":{},"id":"aaaaaaaaaaaa"}
{"status":"Pulling fs layer","progressDetail":{},"id":"bbbbbbbbbbbb"}
{"status":"Download complete","progressDetail":{},"id":"cccccccccccc"}
{"status":"Download complete","progressDetail":{},"id":"bbbbbbbbbbbb"}
{"status":"Download complete","progressDetail":{},"id":"b3f190ca3fbc"}
)",
                           chunk);
    // in the order podman sent them; the last line is the image, not a blob
    CHECK_THAT(result.trace, Equals(Trace{"blob: aaaaaaaaaaaa DONE 0/-1 pull 0/0 1/1",
                                          "blob: bbbbbbbbbbbb STARTED 0/-1 pull 0/0 2/1",
                                          "blob: cccccccccccc DONE 0/-1 pull 0/0 3/2",
                                          "blob: bbbbbbbbbbbb DONE 0/-1 pull 0/0 3/3"}));
    CHECK(result.outcome.image_id_prefix == "b3f190ca3fbc");
}

TEST_CASE("session: jsonmessage sequences through the tracker", "[session]") {
    SECTION("Downloading before Pulling fs layer") {
        const Run result = run(
            Route::docker_compat,
            R"({"status":"Downloading","progressDetail":{"current":10,"total":100},"id":"aaaaaaaaaaaa"}
{"status":"Pulling fs layer","progressDetail":{},"id":"aaaaaaaaaaaa"}
{"status":"Downloading","progressDetail":{"current":60,"total":100},"id":"aaaaaaaaaaaa"}
{"status":"Download complete","progressDetail":{},"id":"aaaaaaaaaaaa"}
{"status":"Download complete","progressDetail":{},"id":"aaaaaaaaaaaa"}
{"status":"Download complete","progressDetail":{},"id":"0123456789ab"}
)");
        CHECK_THAT(result.trace, Equals(Trace{"blob: aaaaaaaaaaaa PULLING 10/100 pull 10/100 1/0",
                                              "blob: aaaaaaaaaaaa PULLING 60/100 pull 60/100 1/0",
                                              "blob: aaaaaaaaaaaa DONE 100/100 pull 100/100 1/1"}));
        CHECK(result.outcome.totals.fetched == 100);
        CHECK(result.outcome.image_id_prefix == "0123456789ab");
    }
    SECTION("bytes never go back, a total is kept, a late Waiting changes nothing") {
        const Run result = run(Route::libpod_compat,
                               R"({"status":"Waiting","progressDetail":{},"id":"aaaaaaaaaaaa"}
{"status":"Downloading","progressDetail":{"total":100},"id":"aaaaaaaaaaaa"}
{"status":"Downloading","progressDetail":{"current":50,"total":100},"id":"aaaaaaaaaaaa"}
{"status":"Downloading","progressDetail":{"current":40,"total":100},"id":"aaaaaaaaaaaa"}
{"status":"Waiting","progressDetail":{},"id":"aaaaaaaaaaaa"}
{"status":"Verifying Checksum","progressDetail":{},"id":"aaaaaaaaaaaa"}
{"status":"Extracting","progressDetail":{"current":99,"total":300},"id":"aaaaaaaaaaaa"}
{"status":"Download complete","progressDetail":{},"id":"aaaaaaaaaaaa"}
{"status":"Pull complete","progressDetail":{},"id":"aaaaaaaaaaaa"}
{"status":"Download complete","progressDetail":{},"id":"0123456789ab"}
)");
        CHECK_THAT(result.trace, Equals(Trace{"blob: aaaaaaaaaaaa STARTED 0/-1 pull 0/0 1/0",
                                              "blob: aaaaaaaaaaaa STARTED 0/100 pull 0/100 1/0",
                                              "blob: aaaaaaaaaaaa PULLING 50/100 pull 50/100 1/0",
                                              "blob: aaaaaaaaaaaa DONE 100/100 pull 100/100 1/1"}));
    }
    SECTION("sizes unknown (-1), and a layer that turns out to exist") {
        const Run result =
            run(Route::docker_compat,
                R"({"status":"Pulling fs layer","progressDetail":{},"id":"aaaaaaaaaaaa"}
{"status":"Downloading","progressDetail":{"current":7,"total":-1},"id":"aaaaaaaaaaaa"}
{"status":"Pulling fs layer","progressDetail":{},"id":"bbbbbbbbbbbb"}
{"status":"Downloading","progressDetail":{"total":30},"id":"bbbbbbbbbbbb"}
{"status":"Already exists","progressDetail":{},"id":"bbbbbbbbbbbb"}
{"status":"Already exists","progressDetail":{},"id":"bbbbbbbbbbbb"}
{"status":"Download complete","progressDetail":{},"id":"aaaaaaaaaaaa"}
{"status":"Download complete","progressDetail":{},"id":"0123456789ab"}
)");
        // The manifest step changed the whole-pull figures here: a blob of unknown size counts with
        // what it transferred, and the cached blob keeps its size in both (it used to leave
        // pull_total, which then shrank from 37 to 7).
        CHECK_THAT(result.trace, Equals(Trace{"blob: aaaaaaaaaaaa STARTED 0/-1 pull 0/0 1/0",
                                              "blob: aaaaaaaaaaaa PULLING 7/-1 pull 7/7 1/0",
                                              "blob: bbbbbbbbbbbb STARTED 0/-1 pull 7/7 2/0",
                                              "blob: bbbbbbbbbbbb STARTED 0/30 pull 7/37 2/0",
                                              "blob: bbbbbbbbbbbb SKIPPED 0/30 pull 37/37 2/1",
                                              "blob: aaaaaaaaaaaa DONE 7/-1 pull 37/37 2/2"}));
        CHECK(result.outcome.totals.cached == 30);
        CHECK(result.outcome.totals.blobs_cached == 1);
        CHECK(result.outcome.totals.fetched == 7);
    }
}

TEST_CASE("session: status lines reach the observer", "[session]") {
    const Run result = run(Route::docker_compat, R"({"status":"Pulling from test/big","id":"v1"}
{"status":"Digest: sha256:aa"}
{"status":"Download complete","progressDetail":{},"id":"0123456789ab"}
)");
    CHECK_THAT(result.trace,
               Equals(Trace{"status: Pulling from test/big", "status: Digest: sha256:aa"}));
}

TEST_CASE("session: a jsonmessage body must end with the final Download complete", "[session]") {
    const Route route = GENERATE(Route::docker_compat, Route::libpod_compat);
    CAPTURE(route);
    const auto [body, message] = GENERATE(table<std::string, std::string>({
        {"", "ended without podman's final \"Download complete\""},
        {R"({"status":"Pulling fs layer","progressDetail":{},"id":"855e90a27705"}
)",
         "ended without podman's final \"Download complete\""},
        // a body cut after a progress line
        {std::string(recorded::docker_compat_4_3_1)
             .substr(0, recorded::docker_compat_4_3_1.find("{\"status\":\"Download complete")),
         "ended without podman's final \"Download complete\""},
        // a status line after it: that Download complete was not the last line
        {R"({"status":"Download complete","progressDetail":{},"id":"0123456789ab"}
{"status":"Status: Downloaded newer image"}
)",
         "ended without podman's final \"Download complete\""},
        {R"({"status":"Download complete","progressDetail":{},"id":"0123456789ab"}
{"id":"0123456789ab"}
)",
         "ended without podman's final \"Download complete\""},
        // in the middle of a line
        {std::string(compat_success).substr(0, compat_success.size() - 5),
         "ended in the middle of a line"},
    }));
    CAPTURE(body);
    const auto [error, trace] = failure(route, body);
    CHECK(error.code() == ErrorCode::io);
    CHECK_THAT(error.what(), ContainsSubstring(message));
    if (message.find("Download complete") != std::string::npos)
        CHECK_THAT(error.what(), ContainsSubstring(std::string(podpull::route_name(route))));
}

TEST_CASE("session: the final short id must be 12 hex digits", "[session]") {
    const std::string id =
        GENERATE("b3f190ca3fb", "b3f190ca3fbc0", "B3F190CA3FBC", "b3f190ca3fbg", "sha256:b3f19");
    CAPTURE(id);
    const auto [error, trace] =
        failure(Route::docker_compat, R"({"status":"Download complete","id":")" + id + "\"}\n");
    CHECK(error.code() == ErrorCode::protocol);
    CHECK_THAT(error.what(), ContainsSubstring("not the first 12 hex digits of an image ID"));
}

TEST_CASE("session: failures on the jsonmessage routes", "[session]") {
    const Route route = GENERATE(Route::docker_compat, Route::libpod_compat);
    const std::size_t chunk = GENERATE(1, whole);
    CAPTURE(route, chunk);
    SECTION("as docs/podman.md describes it") {
        const auto [error, trace] = failure(route, recorded::docker_compat_error, chunk);
        CHECK(error.code() == ErrorCode::pull);
        CHECK(std::string(error.what()) == "…");
    }
    SECTION("after progress, with the registry's words") {
        const auto [error, trace] =
            failure(route,
                    R"({"status":"Pulling fs layer","progressDetail":{},"id":"855e90a27705"}
{"progressDetail":{},"errorDetail":{"message":"reading blob sha256:855e: unauthorized: authentication required"}}
{"status":"Download complete","progressDetail":{},"id":"0123456789ab"}
)",
                    chunk);
        CHECK(error.code() == ErrorCode::auth);
        CHECK(std::string(error.what()) ==
              "reading blob sha256:855e: unauthorized: authentication required");
        CHECK_THAT(trace, Equals(Trace{"blob: 855e90a27705 STARTED 0/-1 pull 0/0 1/0"}));
    }
    SECTION("a malformed line") {
        const auto [error, trace] = failure(route, "{\"status\":\"Downloading\"}\n", chunk);
        CHECK(error.code() == ErrorCode::protocol);
    }
}

TEST_CASE("session: an error line that says the registry connection broke names it", "[session]") {
    // Seen on 4.3.1 (libpod text route) with the registry SIGKILLed while the blob was copied.
    const std::string podman_says = "writing blob: storing blob to file \\\"/tmp/c/storage1/1\\\": "
                                    "happened during read: unexpected EOF";
    const auto [error, trace] =
        failure(Route::libpod_text, R"({"stream":"Copying blob sha256:646d\n"})"
                                    "\n"
                                    R"({"error":")" +
                                        podman_says + "\"}\n");
    CHECK(error.code() == ErrorCode::pull);
    CHECK(std::string(error.what()) ==
          "writing blob: storing blob to file \"/tmp/c/storage1/1\": happened during read: "
          "unexpected EOF (the connection to the registry broke)");
}

TEST_CASE("session: the host cancels from on_blob", "[session]") {
    const Route route = GENERATE(Route::docker_compat, Route::libpod_compat);
    CAPTURE(route);
    const auto [error, trace] = failure(route, compat_success, whole, 2);
    CHECK(error.code() == ErrorCode::cancelled);
    CHECK(trace.size() == 2);
}

TEST_CASE("session: complete() on the jsonmessage routes", "[session]") {
    Recorder recorder;
    PullSession session(Route::docker_compat, recorder);
    CHECK_FALSE(session.complete());
    session.feed(R"({"status":"Pulling fs layer","progressDetail":{},"id":"855e90a27705"})"
                 "\n");
    CHECK_FALSE(session.complete());
    session.feed(R"({"status":"Download complete","progressDetail":{},"id":"855e90a27705"})");
    CHECK_FALSE(session.complete()); // the line is not over yet
    session.feed("\n");
    CHECK(session.complete());
    session.feed(R"({"status":"Downloading","progressDetail":{"current":1},"id":"b3f190ca3fbc"})"
                 "\n");
    CHECK_FALSE(session.complete());
    session.feed(R"({"status":"Download complete","progressDetail":{},"id":"b3f190ca3fbc"})"
                 "\n");
    CHECK(session.complete());
    CHECK(session.finish().image_id_prefix == "b3f190ca3fbc");
}

TEST_CASE("session: the libpod routes keep their final report", "[session]") {
    const std::size_t chunk = GENERATE(1, whole);
    CAPTURE(chunk);
    const Run text = run(Route::libpod_text, recorded::libpod_text_4_3_1, chunk);
    CHECK(text.outcome.image_id == image_id);
    CHECK(text.outcome.image_id_prefix.empty());
    // 6 status lines; since the manifest step also the blob events they mean (CopyTextReader): the
    // layer STARTED, then DONE at "Copying config", which STARTED, then DONE at "Writing
    // manifest"
    CHECK(text.trace.size() == 10);

    const Run progress = run(Route::libpod_progress, recorded::pull_progress_6_0, chunk);
    CHECK(progress.outcome.image_id == "…");
    CHECK(progress.outcome.totals.fetched == 73407797);

    Recorder recorder;
    PullSession session(Route::libpod_text, recorder);
    session.feed(recorded::libpod_text_4_3_1.substr(0, 40));
    CHECK_FALSE(session.complete());
    session.feed(recorded::libpod_text_4_3_1.substr(40));
    CHECK(session.complete());
}

TEST_CASE("session: a libpod body without its final report, or cut, is an I/O error", "[session]") {
    const Route route = GENERATE(Route::libpod_text, Route::libpod_progress);
    CAPTURE(route);
    // A jsonmessage body on a libpod route never completes.
    const auto unfinished = failure(route, compat_success);
    CHECK(unfinished.error.code() == ErrorCode::io);
    CHECK_THAT(unfinished.error.what(), ContainsSubstring("without podman's final report"));
    const std::string_view body = recorded::libpod_text_4_3_1;
    const auto cut = failure(route, body.substr(0, body.size() - 3));
    CHECK(cut.error.code() == ErrorCode::io);
    CHECK_THAT(cut.error.what(), ContainsSubstring("in the middle of a line"));
}

// ---- with the image's manifest --------------------------------------------------

namespace {

const std::string layer_digest =
    "sha256:855e90a27705301e2b384e28c8494150d83723f88e2eeb27e9ffbf48000e5ce2";
const std::string config_digest = "sha256:" + image_id;
const std::vector<podpull::BlobDescriptor> big_image_blobs{{layer_digest, 73407797},
                                                           {config_digest, 1470}};

Run run_expecting(Route route, std::string_view body, std::size_t chunk = whole) {
    Recorder recorder;
    PullSession session(route, recorder);
    session.expect(big_image_blobs);
    feed(session, body, chunk);
    const PullOutcome outcome = session.finish();
    return {recorder.trace, outcome};
}

} // namespace

TEST_CASE("session with a manifest: the jsonmessage routes' short ids become digests, the total "
          "is the image's from the first report, the config is credited its size",
          "[session][manifest]") {
    const Route route = GENERATE(Route::docker_compat, Route::libpod_compat);
    const std::size_t chunk = GENERATE(1, whole);
    CAPTURE(route, chunk);
    const Run result = run_expecting(route, compat_success, chunk);
    CHECK_THAT(
        result.trace,
        Equals(Trace{
            "blob: " + layer_digest + " STARTED 0/73407797 pull 0/73409267 1/0",
            "blob: " + layer_digest + " PULLING 19003392/73407797 pull 19003392/73409267 1/0",
            "blob: " + layer_digest + " DONE 73407797/73407797 pull 73407797/73409267 1/1",
            "blob: " + config_digest + " STARTED 0/1470 pull 73407797/73409267 2/1",
            "blob: " + config_digest + " DONE 1470/1470 pull 73409267/73409267 2/2",
        }));
    CHECK(result.outcome.image_id_prefix == "b3f190ca3fbc");
    CHECK(result.outcome.totals.fetched == 73409267);
    CHECK(result.outcome.totals.blobs_total == 2);
}

TEST_CASE("session with a manifest: an image the storage had is all cached, the config settled "
          "as such",
          "[session][manifest]") {
    const Run result =
        run_expecting(Route::docker_compat,
                      R"({"status":"Already exists","progressDetail":{},"id":"855e90a27705"}
{"status":"Download complete","progressDetail":{},"id":"b3f190ca3fbc"}
)");
    CHECK_THAT(
        result.trace,
        Equals(Trace{"blob: " + layer_digest + " SKIPPED 0/73407797 pull 73407797/73409267 1/1",
                     "blob: " + config_digest + " SKIPPED 0/1470 pull 73409267/73409267 2/2"}));
    CHECK(result.outcome.totals.fetched == 0);
    CHECK(result.outcome.totals.cached == 73409267);
    CHECK(result.outcome.totals.blobs_cached == 2);
}

TEST_CASE("session with a manifest: the text route reads blobs from the status lines",
          "[session][manifest]") {
    const Run result = run_expecting(Route::libpod_text, recorded::libpod_text_4_3_1);
    CHECK_THAT(result.trace,
               Equals(Trace{
                   "status: Trying to pull localhost:5000/test/big:v1...",
                   "status: Getting image source signatures",
                   "status: Copying blob " + layer_digest,
                   "blob: " + layer_digest + " STARTED 0/73407797 pull 0/73409267 1/0",
                   "status: Copying config " + config_digest,
                   "blob: " + layer_digest + " DONE 73407797/73407797 pull 73407797/73409267 1/1",
                   "blob: " + config_digest + " STARTED 0/1470 pull 73407797/73409267 2/1",
                   "status: Writing manifest to image destination",
                   "blob: " + config_digest + " DONE 1470/1470 pull 73409267/73409267 2/2",
                   "status: Storing signatures",
               }));
    CHECK(result.outcome.totals.fetched == 73409267);
}

TEST_CASE("session: the attempts of a retried pull share one tracker, so nothing the host was "
          "told goes back",
          "[session][retry]") {
    // Attempt 1 stores layer a (8 bytes), gets 6 of b's 20, then the registry answers 503.
    // Attempt 2 (podpull's own retry, podman 4.x) finds a stored and fetches b from the start.
    const std::string attempt1 =
        R"body({"status":"Pulling fs layer","progressDetail":{},"id":"aaaaaaaaaaaa"}
{"status":"Downloading","progressDetail":{"current":8,"total":8},"id":"aaaaaaaaaaaa"}
{"status":"Download complete","progressDetail":{},"id":"aaaaaaaaaaaa"}
{"status":"Pulling fs layer","progressDetail":{},"id":"bbbbbbbbbbbb"}
{"status":"Downloading","progressDetail":{"current":6,"total":20},"id":"bbbbbbbbbbbb"}
{"progressDetail":{},"errorDetail":{"message":"x"},"error":"reading blob sha256:b: Error fetching blob: invalid status code from registry 503 (Service Unavailable)"}
)body";
    const std::string attempt2 =
        R"body({"status":"Already exists","progressDetail":{},"id":"aaaaaaaaaaaa"}
{"status":"Pulling fs layer","progressDetail":{},"id":"bbbbbbbbbbbb"}
{"status":"Downloading","progressDetail":{"current":2,"total":20},"id":"bbbbbbbbbbbb"}
{"status":"Downloading","progressDetail":{"current":12,"total":20},"id":"bbbbbbbbbbbb"}
{"status":"Download complete","progressDetail":{},"id":"bbbbbbbbbbbb"}
{"status":"Pulling fs layer","progressDetail":{},"id":"cccccccccccc"}
{"status":"Download complete","progressDetail":{},"id":"cccccccccccc"}
)body";
    podpull::ProgressTracker tracker;
    Recorder recorder;
    const auto error = podpull_test::error_from([&] {
        PullSession first(Route::docker_compat, recorder, tracker);
        feed(first, attempt1, whole);
    });
    REQUIRE(error);
    CHECK(error->code() == podpull::ErrorCode::pull);
    PullSession second(Route::docker_compat, recorder, tracker);
    feed(second, attempt2, whole);
    const PullOutcome outcome = second.finish();
    CHECK_THAT(recorder.trace,
               Equals(Trace{
                   "blob: aaaaaaaaaaaa STARTED 0/-1 pull 0/0 1/0",
                   "blob: aaaaaaaaaaaa PULLING 8/8 pull 8/8 1/0",
                   "blob: aaaaaaaaaaaa DONE 8/8 pull 8/8 1/1",
                   "blob: bbbbbbbbbbbb STARTED 0/-1 pull 8/8 2/1",
                   "blob: bbbbbbbbbbbb PULLING 6/20 pull 14/28 2/1",
                   // attempt 2: a's "Already exists" and b's restart below 6 say nothing new
                   "blob: bbbbbbbbbbbb PULLING 12/20 pull 20/28 2/1",
                   "blob: bbbbbbbbbbbb DONE 20/20 pull 28/28 2/2",
                   "blob: cccccccccccc STARTED 0/-1 pull 28/28 3/2",
                   "blob: cccccccccccc DONE 0/-1 pull 28/28 3/3",
               }));
    // a was fetched by the first attempt: fetched, not cached.
    CHECK(outcome.totals.fetched == 28);
    CHECK(outcome.totals.cached == 0);
    CHECK(outcome.totals.blobs_cached == 0);
}
