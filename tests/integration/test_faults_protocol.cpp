// SPDX-License-Identifier: MIT OR Apache-2.0
// Faults of the HTTP answer and of the NDJSON body: a chunked body cut mid-chunk or mid-line, a
// garbage line, a line that is not UTF-8, a 100 MB line, and HTTP error answers with podman's
// JSON, no body or an HTML one. They come from the fake service (tests/fake/fake-libpod.py),
// which injects each fault into a body recorded from podman 6.1.1; docs/reliability.md lists
// every case with its code and bound.

#include "podpull_test/client.hpp"
#include "podpull_test/fake_libpod.hpp"
#include "podpull_test/fixture.hpp"

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace podpull_test;
using namespace std::chrono_literals;

// ---- broken streams: cut chunked bodies, garbage, huge lines --------------------------------

namespace {

// One pull from a fake service started with `fake_args`; `stall_timeout_ms` turns a hang
// into TIMEOUT (which every case below rejects).
struct FakePull {
    PullOutcome out;
    PullRecorder::Snapshot seen;
    double seconds = 0;
};
FakePull pull_from_fake(Sandbox &box, const std::vector<std::string> &fake_args) {
    FakeLibpod fake(box.dir(), fake_args);
    Client client(connect_or_fail(box, box.attach_options(fake.socket())));
    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    opts.stall_timeout_ms = 20000;
    const auto start = Clock::now();
    FakePull result;
    result.out = pull(client.ptr, "registry.example/podpull/test:v1", rec, &opts);
    result.seconds = seconds_since(start);
    result.seen = rec.snapshot();
    client.reset();
    fake.stop();
    return result;
}

// Resident set size of this process and its peak since reset_peak_rss(), in KiB.
long status_kib(const char *field) {
    const std::string status = read_file("/proc/self/status");
    const auto at = status.find(std::string(field) + ":");
    REQUIRE(at != std::string::npos);
    return std::atol(status.c_str() + at + std::strlen(field) + 1);
}
void reset_peak_rss() {
    // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
    FILE *f = std::fopen("/proc/self/clear_refs", "w");
    REQUIRE(f != nullptr);
    REQUIRE(std::fputs("5", f) >= 0);
    REQUIRE(std::fclose(f) == 0);
}

} // namespace

TEST_CASE("a chunked pull body cut mid-chunk, after a chunk that ends mid-line, or ending "
          "cleanly mid-line fails with IO",
          "[faults][stream][no-podman]") {
    (void)test_env();
    Sandbox box;
    struct Case {
        const char *cut;
        const char *says;
    };
    for (const Case &c : {Case{"mid-chunk", "lost the connection to podman"},
                          Case{"mid-line", "lost the connection to podman"},
                          Case{"end-mid-line", "ended in the middle of a line"}}) {
        const FakePull p = pull_from_fake(box, {"--cut", c.cut, "--fault-after", "4"});
        INFO("--cut " << c.cut << ": " << p.out.describe());
        std::printf("cut %s: %s in %.3f s: %s\n", c.cut, p.out.code_str.c_str(), p.seconds,
                    p.out.message.c_str());
        CHECK(p.out.code == PODPULL_ERR_IO);
        CHECK(p.out.error_code == PODPULL_ERR_IO);
        CHECK(contains(p.out.message, c.says));
        CHECK_FALSE(contains(p.out.message, "\n"));
        CHECK(p.seconds < 5.0);
        // The four whole lines before the cut were reported (three status lines and a blob's
        // start): the stream was read as it came.
        CHECK(p.seen.status.size() == 3);
        CHECK(p.seen.blob_calls == 1);
        CHECK(p.seen.after_return == 0);
    }
    box.check_no_leftovers();
}

TEST_CASE("a garbage line and an invalid UTF-8 line in the pull body fail with PROTOCOL",
          "[faults][stream][no-podman]") {
    (void)test_env();
    Sandbox box;
    for (const char *body : {"pull-progress-6.1.1-derived-garbage.ndjson",
                             "pull-progress-6.1.1-derived-invalid-utf8.ndjson"}) {
        const FakePull p = pull_from_fake(box, {"--body", fake_body(body).string()});
        INFO(body << ": " << p.out.describe());
        std::printf("%s: %s in %.3f s: %s\n", body, p.out.code_str.c_str(), p.seconds,
                    p.out.message.c_str());
        CHECK(p.out.code == PODPULL_ERR_PROTOCOL);
        CHECK(p.out.error_code == PODPULL_ERR_PROTOCOL);
        CHECK_FALSE(p.out.message.empty());
        CHECK_FALSE(contains(p.out.message, "\n"));
        // The message quotes nothing raw: every byte of it is printable ASCII or UTF-8 text
        // podpull wrote itself, never the 0xff of the line.
        CHECK(p.out.message.find('\xff') == std::string::npos);
        CHECK(p.seconds < 5.0);
        // The good lines before it were reported: three status lines and a blob's start.
        CHECK(p.seen.status.size() >= 3);
        CHECK(p.seen.blob_calls >= 1);
    }
    box.check_no_leftovers();
}

TEST_CASE("a 100 MB pull-body line without a newline fails with PROTOCOL once it passes the "
          "1 MiB line limit: podpull stops reading, memory stays bounded",
          "[faults][stream][no-podman]") {
    (void)test_env();
    Sandbox box;
    constexpr long line_bytes = 100L * 1000 * 1000;
    const fs::path sent_file = box.dir() / "huge-line.sent";
    const long rss_before = status_kib("VmRSS");
    reset_peak_rss();
    const FakePull p = pull_from_fake(
        box, {"--huge-line", std::to_string(line_bytes), "--sent-file", sent_file.string()});
    const long peak = status_kib("VmHWM");
    INFO(p.out.describe());
    // The fake writes the count once its handler ends; it is stopped (and so done) by now.
    REQUIRE(fs::exists(sent_file));
    const long sent = std::atol(read_file(sent_file).c_str());
    std::printf("100 MB line: %s in %.3f s after %ld bytes of it were sent; RSS %ld KiB, peak "
                "%ld KiB (+%ld KiB): %s\n",
                p.out.code_str.c_str(), p.seconds, sent, rss_before, peak, peak - rss_before,
                p.out.message.c_str());
    CHECK(p.out.code == PODPULL_ERR_PROTOCOL);
    CHECK(contains(p.out.message, "longer than 1048576 bytes"));
    CHECK(p.seconds < 10.0);
    // Past the limit (podpull read it), and nowhere near the whole line: podpull closed the
    // connection instead of draining it. The slack is the socket buffers and one read.
    CHECK(sent > 1024L * 1024);
    CHECK(sent < 8L * 1024 * 1024);
    // Memory: the line buffer never holds more than the limit plus one read.
    CHECK(peak - rss_before < 32L * 1024);
    box.check_no_leftovers();
}

// ---- HTTP error answers ---------------------------------------------------------------------

TEST_CASE("HTTP 400, 401, 404 and 500 answers with podman's JSON, an empty or an HTML body map "
          "to their code with a one-line message naming the status",
          "[faults][http][no-podman]") {
    (void)test_env();
    Sandbox box;
    const std::string bodies = PODPULL_FAKE_BODIES;
    const fs::path empty = box.dir() / "empty-body";
    write_file(empty, "");
    struct Case {
        int status;
        std::string body;
        const char *content_type; // nullptr: the fake's application/json
        podpull_code code;
        const char *says;
    };
    const std::vector<Case> cases = {
        {400, bodies + "/error-400-4.3.1.json", nullptr, PODPULL_ERR_INVALID_ARGUMENT,
         "only docker transport is supported"},
        {401, bodies + "/error-401-6.1.1.json", nullptr, PODPULL_ERR_AUTH,
         "authentication required"},
        {404, bodies + "/error-404-6.1.1.json", nullptr, PODPULL_ERR_NOT_FOUND, "manifest unknown"},
        {401, bodies + "/error-401-compat-5.8.6.json", nullptr, PODPULL_ERR_AUTH,
         "authentication required"},
        {404, bodies + "/error-404-compat-5.8.6.json", nullptr, PODPULL_ERR_NOT_FOUND,
         "manifest unknown"},
        {500, bodies + "/error-500-4.3.1.json", nullptr, PODPULL_ERR_PULL,
         "reference parameter cannot be empty"},
        {400, empty.string(), nullptr, PODPULL_ERR_INVALID_ARGUMENT, "no body"},
        {401, empty.string(), nullptr, PODPULL_ERR_AUTH, "no body"},
        {404, empty.string(), nullptr, PODPULL_ERR_NOT_FOUND, "no body"},
        {500, empty.string(), nullptr, PODPULL_ERR_PULL, "no body"},
        {400, bodies + "/error-502.html", "text/html", PODPULL_ERR_INVALID_ARGUMENT,
         "502 Bad Gateway"},
        {401, bodies + "/error-502.html", "text/html", PODPULL_ERR_AUTH, "502 Bad Gateway"},
        {404, bodies + "/error-502.html", "text/html", PODPULL_ERR_NOT_FOUND, "502 Bad Gateway"},
        {500, bodies + "/error-502.html", "text/html", PODPULL_ERR_PULL, "502 Bad Gateway"},
    };
    for (const Case &c : cases) {
        std::vector<std::string> args = {"--status", std::to_string(c.status), "--body", c.body};
        if (c.content_type != nullptr) {
            args.insert(args.end(), {"--content-type", c.content_type});
        }
        const FakePull p = pull_from_fake(box, args);
        INFO("HTTP " << c.status << " " << fs::path(c.body).filename() << ": " << p.out.describe());
        std::printf("HTTP %d %s: %s in %.3f s: %s\n", c.status, fs::path(c.body).filename().c_str(),
                    p.out.code_str.c_str(), p.seconds, p.out.message.c_str());
        CHECK(p.out.code == c.code);
        CHECK(p.out.error_code == c.code);
        CHECK(contains(p.out.message, "HTTP " + std::to_string(c.status)));
        CHECK(contains(p.out.message, c.says));
        CHECK(p.out.message.find_first_of("\r\n") == std::string::npos);
        CHECK(p.out.message.size() < 400);
        CHECK(p.seconds < 5.0);
        CHECK(p.seen.blob_calls == 0);
    }
    box.check_no_leftovers();
}
