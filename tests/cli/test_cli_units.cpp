// SPDX-License-Identifier: MIT OR Apache-2.0
// Unit tests of the podpull command's pieces that need no podman: the JSON escaper, the
// TTY line fitting, the exit codes, the option parser, the plain renderer's throttle,
// --progress-fd's bootc events, rate limit and writer, and an update of several images: its
// sums, outcome and each output mode's lines.
#include "blob_table.hpp"
#include "cli.hpp"
#include "exit_codes.hpp"
#include "json.hpp"
#include "json_renderer.hpp"
#include "json_update_renderer.hpp"
#include "plain_renderer.hpp"
#include "plain_update_renderer.hpp"
#include "quiet_update_renderer.hpp"
#include "tty_renderer.hpp"
#include "tty_update_renderer.hpp"
#include "update.hpp"
#include "update_table.hpp"

#include <catch2/catch_test_macros.hpp>

#include <csignal>
#include <cstddef>
#include <cstdio>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

using namespace podpull_cli;

TEST_CASE("json_string escapes quotes, backslashes and control characters") {
    CHECK(json_string("") == R"("")");
    CHECK(json_string("plain") == R"("plain")");
    CHECK(json_string("a\"b\\c") == R"("a\"b\\c")");
    CHECK(json_string("l1\nl2\r\t\b\f") == R"("l1\nl2\r\t\b\f")");
    CHECK(json_string(std::string("nul\0x", 5)) == R"("nul\u0000x")");
    CHECK(json_string("\x1b[2K\x7f") == R"("\u001b[2K\u007f")");
    CHECK(json_string("/ stays") == R"("/ stays")");
}

TEST_CASE("json_string keeps valid UTF-8 and replaces invalid bytes with U+FFFD") {
    CHECK(json_string("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xA6") ==
          "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xA6\"");
    CHECK(json_string("a\xFF"
                      "b") == "\"a\xEF\xBF\xBD"
                              "b\"");
    CHECK(json_string("\xC3") == "\"\xEF\xBF\xBD\"");                 // truncated sequence
    CHECK(json_string("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\""); // overlong
    CHECK(json_string("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""); // surrogate
}

TEST_CASE("fit_to_width cuts at code points, bar has the asked width") {
    CHECK(fit_to_width("abcdef", 3) == "abc");
    CHECK(fit_to_width("abc", 10) == "abc");
    CHECK(fit_to_width("\xC3\xA9\xC3\xA9\xC3\xA9", 2) == "\xC3\xA9\xC3\xA9");
    CHECK(visible_width("\xC3\xA9x") == 2);
    CHECK(bar(0, 100, 12) == "[----------]");
    CHECK(bar(50, 100, 12) == "[#####-----]");
    CHECK(bar(200, 100, 12) == "[##########]");
    CHECK(bar(5, 0, 4) == "[--]");
}

TEST_CASE("exit codes: 0, 10 + code, 128 + signal for a cancel by signal") {
    CHECK(exit_status(PODPULL_OK, 0) == 0);
    CHECK(exit_status(PODPULL_ERR_AUTH, 0) == 17);
    CHECK(exit_status(PODPULL_ERR_INTERNAL, 0) == 21);
    CHECK(exit_status(PODPULL_ERR_REJECTED, 0) == 22);
    CHECK(exit_status(PODPULL_ERR_CANCELLED, 0) == 19);
    CHECK(exit_status(PODPULL_ERR_CANCELLED, 2) == 130);
    CHECK(exit_status(PODPULL_ERR_PULL, 2) == 16); // a failure is a failure, signal or not
}

namespace {
ParseOutcome parse(std::vector<const char *> args) {
    args.insert(args.begin(), "podpull");
    std::FILE *sink = std::tmpfile();
    ParseOutcome o = parse_command_line(static_cast<int>(args.size()), args.data(), sink, sink);
    std::fclose(sink);
    return o;
}
} // namespace

TEST_CASE("the parser maps options to the ABI's values") {
    ParseOutcome o = parse({"pull",
                            "--tls-verify=false",
                            "--platform",
                            "linux/arm64/v8",
                            "--policy",
                            "Missing",
                            "--route",
                            "DOCKER_COMPAT",
                            "--retry",
                            "3",
                            "--stall-timeout",
                            "5000",
                            "--env",
                            "A=1",
                            "--env",
                            "B=x=y",
                            "-q",
                            "-v",
                            "--root",
                            "/r",
                            "--signature-policy",
                            "/etc/p.json",
                            "img:tag"});
    REQUIRE(o.options.has_value());
    const Options &op = *o.options;
    CHECK(op.image == "img:tag");
    CHECK_FALSE(op.tls_verify);
    CHECK(op.os == "linux");
    CHECK(op.arch == "arm64");
    CHECK(op.variant == "v8");
    CHECK(op.policy == PODPULL_POLICY_MISSING);
    CHECK(op.route == PODPULL_ROUTE_DOCKER_COMPAT);
    CHECK(op.retries == 3);
    CHECK(op.stall_timeout_ms == 5000);
    CHECK(op.env == std::vector<std::string>{"A=1", "B=x=y"});
    CHECK(op.quiet);
    CHECK(op.verbose);
    CHECK(op.root == "/r");
    CHECK(op.signature_policy == "/etc/p.json");

    ParseOutcome d = parse({"pull", "x"});
    REQUIRE(d.options.has_value());
    CHECK(d.options->tls_verify);
    CHECK(d.options->route == PODPULL_ROUTE_AUTO);
    CHECK(d.options->policy == PODPULL_POLICY_ALWAYS);
    CHECK(d.options->os.empty());
    CHECK(d.options->stall_timeout_ms == PODPULL_DEFAULT_STALL_TIMEOUT_MS);
    ParseOutcome never = parse({"pull", "--stall-timeout", "0", "x"});
    REQUIRE(never.options.has_value());
    CHECK(never.options->stall_timeout_ms == 0);
}

TEST_CASE("bad command lines are usage errors (2); --help and --version exit 0") {
    for (const auto &args :
         std::vector<std::vector<const char *>>{{},
                                                {"pull"},
                                                {"pull", "--platform", "linux", "x"},
                                                {"pull", "--platform", "linux//v7", "x"},
                                                {"pull", "--route", "nope", "x"},
                                                {"pull", "--env", "=v", "x"},
                                                {"pull", "--retry", "many", "x"}}) {
        ParseOutcome o = parse(args);
        CHECK_FALSE(o.options.has_value());
        CHECK(o.exit_code == exit_usage);
    }
    CHECK(parse({"--version"}).exit_code == 0);
    CHECK(parse({"pull", "--help"}).exit_code == 0);
    CHECK_FALSE(parse({"pull", "--help"}).options.has_value());
}

namespace {
std::string read_all(std::FILE *f) {
    std::fflush(f);
    std::rewind(f);
    std::string s;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
        s.append(buf, n);
    }
    return s;
}
podpull_blob_progress progress(const char *id, podpull_blob_state st, uint64_t cur) {
    podpull_blob_progress p{};
    p.struct_size = sizeof p;
    p.id = id;
    p.state = st;
    p.current = cur;
    p.total = 1000;
    p.pull_current = cur;
    p.pull_total = 1000;
    p.blobs_seen = 1;
    return p;
}
size_t count_lines(const std::string &s) {
    size_t n = 0;
    for (char c : s) {
        n += c == '\n' ? 1 : 0;
    }
    return n;
}
} // namespace

TEST_CASE("the plain renderer prints every state change but one progress line per blob per "
          "second") {
    std::FILE *out = std::tmpfile();
    std::FILE *err = std::tmpfile();
    {
        PlainRenderer r(out, err);
        const Clock::time_point t0{};
        using std::chrono::milliseconds;
        r.blob(progress("sha256:aaaaaaaaaaaaaaaa", PODPULL_BLOB_STARTED, 0), t0); // new: line
        r.blob(progress("sha256:aaaaaaaaaaaaaaaa", PODPULL_BLOB_PULLING, 10),
               t0 + milliseconds(10)); // state change: line
        for (int i = 1; i < 10; ++i) { // 0.9 s of updates: none printed
            r.blob(progress("sha256:aaaaaaaaaaaaaaaa", PODPULL_BLOB_PULLING,
                            static_cast<uint64_t>(10 + i)),
                   t0 + milliseconds(10 + 100 * i));
        }
        r.blob(progress("sha256:aaaaaaaaaaaaaaaa", PODPULL_BLOB_PULLING, 500),
               t0 + milliseconds(1020)); // a second later: line
        r.blob(progress("sha256:aaaaaaaaaaaaaaaa", PODPULL_BLOB_DONE, 1000),
               t0 + milliseconds(1030)); // state change: line
    }
    const std::string s = read_all(out);
    INFO(s);
    CHECK(count_lines(s) == 4);
    CHECK(s.find("blob aaaaaaaaaaaa done") != std::string::npos);
    CHECK(s.find('\x1b') == std::string::npos);
    CHECK(read_all(err).empty());
    std::fclose(out);
    std::fclose(err);
}

TEST_CASE("the whole-pull line counts blobs of the image and the cached ones; an old library's "
          "shorter struct leaves them out") {
    BlobTable table;
    podpull_blob_progress p = progress("sha256:aaaaaaaaaaaaaaaa", PODPULL_BLOB_SKIPPED, 0);
    p.blobs_seen = 36;
    p.blobs_done = 36;
    p.pull_cached = 500;
    p.blobs_total = 48;
    p.blobs_cached = 24;
    table.update(p, Clock::time_point{});
    CHECK(table.blobs_text() == "36/48 (24 cached)");
    CHECK(table.pull_cached() == 500);

    BlobTable old;
    p.struct_size = offsetof(podpull_blob_progress, pull_cached); // a 1.1 library's struct
    old.update(p, Clock::time_point{});
    CHECK(old.blobs_text() == "36/36");
    CHECK(old.pull_cached() == 0);
}

TEST_CASE("the summary gives the bytes fetched, and the cached blobs when there were some") {
    PullSummary s;
    s.image_id = std::string(64, 'a');
    s.route = PODPULL_ROUTE_LIBPOD_COMPAT;
    s.bytes = 66 * 1024 * 1024;
    s.seconds = 41.2;
    CHECK(summary_text(s) == "66.0 MiB in 41.2 s, route LIBPOD_COMPAT");
    s.bytes_cached = 60 * 1024 * 1024;
    s.blobs_total = 49;
    s.blobs_cached = 24;
    CHECK(summary_text(s) ==
          "66.0 MiB in 41.2 s, 24 of 49 blobs cached (60.0 MiB), route LIBPOD_COMPAT");
}

namespace {
podpull_blob_progress blob_event(const char *id, podpull_blob_state st, uint64_t cur, int64_t total,
                                 uint64_t pull_current, uint64_t pull_total) {
    podpull_blob_progress p{};
    p.struct_size = sizeof p;
    p.id = id;
    p.state = st;
    p.current = cur;
    p.total = total;
    p.pull_current = pull_current;
    p.pull_total = pull_total;
    return p;
}
std::vector<std::string> split_lines(const std::string &s) {
    std::vector<std::string> lines;
    size_t at = 0;
    while (at < s.size()) {
        const size_t nl = s.find('\n', at);
        REQUIRE(nl != std::string::npos); // every line ends in a newline
        lines.push_back(s.substr(at, nl - at));
        at = nl + 1;
    }
    return lines;
}
} // namespace

TEST_CASE("--progress-fd takes an open, writable descriptor other than 0, 1 and 2") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const std::string w = std::to_string(fds[1]);
    const std::string r = std::to_string(fds[0]);
    ParseOutcome ok = parse({"pull", "--progress-fd", w.c_str(), "img"});
    REQUIRE(ok.options.has_value());
    CHECK(ok.options->progress_fd == fds[1]);
    CHECK(parse({"pull", "img"}).options->progress_fd == -1);
    for (const char *bad : {"0", "1", "2", "x", "3x", "", "-4"}) {
        INFO(bad);
        ParseOutcome o = parse({"pull", "--progress-fd", bad, "img"});
        CHECK_FALSE(o.options.has_value());
        CHECK(o.exit_code == exit_usage);
    }
    ParseOutcome ro = parse({"pull", "--progress-fd", r.c_str(), "img"}); // read end
    CHECK_FALSE(ro.options.has_value());
    ::close(fds[0]);
    ::close(fds[1]);
    ParseOutcome closed = parse({"pull", "--progress-fd", w.c_str(), "img"});
    CHECK_FALSE(closed.options.has_value());
    CHECK(closed.exit_code == exit_usage);
}

TEST_CASE("--json with one image is as it was: no image index") {
    std::FILE *out = std::tmpfile();
    std::FILE *err = std::tmpfile();
    {
        JsonRenderer r(out, err, true);
        r.start("reg/a:1", Clock::time_point{});
        r.status("x", Clock::time_point{});
    }
    CHECK(read_all(out) == std::string(R"({"event":"start","version":")") + podpull_version() +
                               R"(","image":"reg/a:1"})"
                               "\n"
                               R"({"event":"status","line":"x"})"
                               "\n");
    std::fclose(out);
    std::fclose(err);
}

TEST_CASE("an update's exit status: 0, else the first failed image's, and a signal wins") {
    CHECK(update_exit_status({PODPULL_OK, PODPULL_OK}, 0) == 0);
    CHECK(update_exit_status({PODPULL_OK, PODPULL_ERR_NOT_FOUND, PODPULL_ERR_AUTH}, 0) == 18);
    CHECK(update_exit_status({PODPULL_ERR_AUTH, PODPULL_OK, PODPULL_ERR_NOT_FOUND}, 0) == 17);
    CHECK(update_exit_status({PODPULL_OK, PODPULL_ERR_CANCELLED}, 0) == 19);
    // Ctrl-C cancelled some: 130, even when an image before them had failed on its own.
    CHECK(update_exit_status({PODPULL_ERR_PULL, PODPULL_ERR_CANCELLED}, SIGINT) == 130);
    CHECK(update_exit_status({PODPULL_OK, PODPULL_ERR_CANCELLED}, SIGTERM) == 143);
    // A signal that came when every pull had ended cancelled nothing.
    CHECK(update_exit_status({PODPULL_OK, PODPULL_ERR_PULL}, SIGINT) == 16);
    CHECK(update_exit_status({PODPULL_OK, PODPULL_OK}, SIGINT) == 0);
}

namespace {
// A whole-pull event of a pull as the library sends it (ABI 1.2, with a manifest).
podpull_blob_progress pull_event(uint64_t pull_current, uint64_t pull_total, uint64_t pull_cached,
                                 uint32_t blobs_done, uint32_t blobs_total, uint32_t blobs_cached) {
    podpull_blob_progress p = blob_event("sha256:aaaaaaaaaaaaaaaaaa", PODPULL_BLOB_PULLING, 0, 10,
                                         pull_current, pull_total);
    p.pull_cached = pull_cached;
    p.blobs_seen = blobs_done + 1;
    p.blobs_done = blobs_done;
    p.blobs_total = blobs_total;
    p.blobs_cached = blobs_cached;
    return p;
}
PullSummary summary(const std::string &id, uint64_t bytes, uint64_t cached, uint32_t blobs,
                    uint32_t blobs_cached) {
    PullSummary s;
    s.image_id = id;
    s.route = PODPULL_ROUTE_DOCKER_COMPAT;
    s.bytes = bytes;
    s.bytes_cached = cached;
    s.blobs_total = blobs;
    s.blobs_cached = blobs_cached;
    s.seconds = 2.5;
    return s;
}
} // namespace

TEST_CASE("an update's totals: each image's latest whole-pull figures, summed over the images") {
    UpdateTable t({"reg/a:1", "reg/b:1", "reg/c:1"});
    CHECK(t.bytes() == 0);
    CHECK(t.bytes_total() == 0);
    CHECK_FALSE(t.totals_known()); // nothing is known of any image yet
    CHECK(t.row(0).state == ImageState::waiting);

    t.started(0);
    t.started(1);
    CHECK(t.row(0).state == ImageState::pulling);
    CHECK(t.row(2).state == ImageState::waiting);
    // Each event carries its pull's totals: the latest replaces, never adds to, the last.
    t.blob(0, pull_event(100, 1000, 0, 0, 3, 0));
    t.blob(0, pull_event(300, 1000, 0, 1, 3, 0));
    t.blob(1, pull_event(600, 2000, 500, 2, 4, 1));
    CHECK(t.row(0).bytes == 300);
    CHECK(t.bytes() == 900);
    CHECK(t.bytes_total() == 3000);
    CHECK(t.bytes_cached() == 500);
    CHECK(t.bytes_fetched() == 400);
    CHECK(t.blobs_done() == 3);
    CHECK(t.blobs_total() == 7);
    CHECK(t.blobs_cached() == 1);
    CHECK_FALSE(t.totals_known()); // image c has not begun: its size is not known

    // The result's figures are the pull's last word.
    t.result(0, summary(std::string(64, 'a'), 1000, 0, 3, 0));
    CHECK(t.row(0).state == ImageState::done);
    CHECK(t.row(0).bytes == 1000);
    CHECK(t.row(0).blobs_done == 3);
    // A failed pull keeps what it has and its total shrinks to that: nothing more comes.
    t.started(2);
    t.blob(2, pull_event(50, 4000, 0, 0, 2, 0));
    CHECK(t.bytes_total() == 7000);
    CHECK(t.totals_known());
    t.failed(2, PODPULL_ERR_NOT_FOUND, "manifest unknown", false);
    CHECK(t.row(2).state == ImageState::failed);
    CHECK(t.row(2).bytes_total == 4000); // its own line still says what it had to fetch
    CHECK(t.bytes_total() == 3050);
    CHECK(t.bytes() == 1650);
    CHECK(t.blobs_total() == 7);
    CHECK_FALSE(t.finished());
    t.result(1, summary(std::string(64, 'b'), 1500, 500, 4, 1));
    CHECK(t.finished());
    CHECK(t.pulled() == 2);
    CHECK(t.failed() == 1);
    CHECK(t.bytes() == 3050);
    CHECK(t.bytes() == t.bytes_total());
    CHECK(t.pulled_bytes() == 2500);
    CHECK(t.pulled_bytes_cached() == 500);
    CHECK(t.codes() == std::vector<podpull_code>{PODPULL_OK, PODPULL_OK, PODPULL_ERR_NOT_FOUND});
    // A late event changes nothing of an outcome.
    t.blob(2, pull_event(4000, 4000, 0, 2, 2, 0));
    CHECK(t.row(2).state == ImageState::failed);
    CHECK(t.row(2).bytes == 50);
}

TEST_CASE("an update's totals without a manifest: sizes as far as seen, not known to be final") {
    UpdateTable t({"oci-archive:/a.tar", "reg/b:1"});
    podpull_blob_progress p = pull_event(100, 400, 0, 1, 0, 0);
    p.struct_size = offsetof(podpull_blob_progress, pull_cached); // a 1.1 library's struct
    p.blobs_seen = 2;
    t.blob(0, p);
    t.blob(1, pull_event(0, 1000, 0, 0, 2, 0));
    CHECK(t.bytes_total() == 1400);
    CHECK(t.row(0).blobs_total == 2); // the blobs seen
    CHECK_FALSE(t.row(0).total_known);
    CHECK(t.row(1).total_known);
    CHECK_FALSE(t.totals_known());
    p.pull_current = 700;
    p.pull_total = 900; // grows as blobs appear
    t.blob(0, p);
    CHECK(t.bytes_total() == 1900);
}

TEST_CASE("an update's outcome lines and final JSON event") {
    UpdateTable t({"reg/podpull/test:v1", "reg/podpull/nope:v1", "reg/podpull/big:v1"});
    t.result(0, summary("0123456789abcdef" + std::string(48, '0'), 8 * 1024 * 1024, 0, 4, 0));
    t.failed(1, PODPULL_ERR_NOT_FOUND, "manifest unknown", false);
    t.failed(2, PODPULL_ERR_CANCELLED, "cancelled", true);
    const std::vector<std::string> lines = outcome_lines(t, 3.25);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] ==
          "pulled 0123456789ab\u2026 reg/podpull/test:v1 (8.0 MiB in 2.5 s, route DOCKER_COMPAT)");
    CHECK(lines[1] == "failed reg/podpull/nope:v1: manifest unknown");
    CHECK(lines[2] == "failed reg/podpull/big:v1: interrupted");
    CHECK(lines[3] == "pulled 1 of 3 images (8.0 MiB in 3.2 s)");
    CHECK(format_update_event(t, 3.25) ==
          R"({"event":"update","images":3,"pulled":1,"failed":2,"bytes":8388608,)"
          R"("bytesCached":0,"seconds":3.250000})");
}

TEST_CASE("--quiet, several images: the IDs in the order given, a failed image none") {
    std::FILE *out = std::tmpfile();
    std::FILE *err = std::tmpfile();
    UpdateTable t({"a", "b", "c"});
    QuietUpdateRenderer r(out, err);
    const Clock::time_point t0{};
    // c ends first, then b fails: nothing on stdout until a is done.
    t.result(2, summary("cccc", 1, 0, 1, 0));
    r.result(t, 2, t.row(2).summary, t0);
    t.failed(1, PODPULL_ERR_NOT_FOUND, "no such image", false);
    r.error(t, 1, PODPULL_ERR_NOT_FOUND, "no such image", false, false, t0);
    CHECK(read_all(out).empty());
    CHECK(read_all(err) == "podpull: b: PODPULL_ERR_NOT_FOUND: no such image\n");
    t.result(0, summary("aaaa", 1, 0, 1, 0));
    r.result(t, 0, t.row(0).summary, t0);
    CHECK(read_all(out) == "aaaa\ncccc\n");
    r.end(t, 1.0, t0);
    CHECK(read_all(out) == "aaaa\ncccc\n");
    std::fclose(out);
    std::fclose(err);
}

TEST_CASE("plain, several images: each line prefixed by its image, the outcome at the end") {
    std::FILE *out = std::tmpfile();
    std::FILE *err = std::tmpfile();
    const std::vector<std::string> images{"reg/a:1", "reg/b:1"};
    UpdateTable t(images);
    {
        PlainUpdateRenderer r(out, err, images);
        const Clock::time_point t0{};
        t.started(0);
        r.start(t, 0, t0);
        t.started(1);
        r.start(t, 1, t0);
        r.route(t, 1, PODPULL_ROUTE_DOCKER_COMPAT, "why", t0);
        r.status(t, 0, "waiting for reg/b:1", t0);
        r.blob(t, 0, progress("sha256:aaaaaaaaaaaaaaaa", PODPULL_BLOB_SKIPPED, 0), t0);
        t.result(0, summary(std::string(64, 'a'), 0, 1000, 1, 1));
        r.result(t, 0, t.row(0).summary, t0);
        t.failed(1, PODPULL_ERR_AUTH, "denied", false);
        r.error(t, 1, PODPULL_ERR_AUTH, "denied", false, false, t0);
        r.end(t, 4.0, t0);
    }
    const std::vector<std::string> lines = split_lines(read_all(out));
    REQUIRE(lines.size() == 9);
    CHECK(lines[0] == "[reg/a:1] pulling reg/a:1");
    CHECK(lines[1] == "[reg/b:1] pulling reg/b:1");
    CHECK(lines[2] == "[reg/b:1] route DOCKER_COMPAT: why");
    CHECK(lines[3] == "[reg/a:1] status waiting for reg/b:1");
    CHECK(lines[4] == "[reg/a:1] blob aaaaaaaaaaaa already exists");
    CHECK(lines[5].starts_with("[reg/a:1] pulled " + std::string(64, 'a') + " (0 B in 2.5 s, "));
    CHECK(lines[6].starts_with("pulled aaaaaaaaaaaa\u2026 reg/a:1 (0 B in 2.5 s, 1 of 1 blobs"));
    CHECK(lines[7] == "failed reg/b:1: denied");
    CHECK(lines[8] == "pulled 1 of 2 images (0 B in 4.0 s)");
    CHECK(read_all(err) == "[reg/b:1] podpull: PODPULL_ERR_AUTH: denied\n");
    std::fclose(out);
    std::fclose(err);
}

TEST_CASE("--json, several images: each event names its image and position, then the update") {
    std::FILE *out = std::tmpfile();
    std::FILE *err = std::tmpfile();
    const std::vector<std::string> images{"reg/a:1", "reg/\"b\":1"};
    UpdateTable t(images);
    {
        JsonUpdateRenderer r(out, err, false, images);
        const Clock::time_point t0{};
        t.started(0);
        r.start(t, 0, t0);
        t.started(1);
        r.start(t, 1, t0);
        r.status(t, 1, "Copying blob", t0);
        t.failed(1, PODPULL_ERR_NOT_FOUND, "no", false);
        r.error(t, 1, PODPULL_ERR_NOT_FOUND, "no", false, false, t0);
        t.result(0, summary(std::string(64, 'a'), 10, 0, 1, 0));
        r.result(t, 0, t.row(0).summary, t0);
        r.end(t, 1.0, t0);
    }
    const std::vector<std::string> lines = split_lines(read_all(out));
    REQUIRE(lines.size() == 6);
    CHECK(lines[0] == std::string(R"({"event":"start","version":")") + podpull_version() +
                          R"(","image":"reg/a:1","index":0})");
    CHECK(lines[2] ==
          R"({"event":"status","line":"Copying blob","image":"reg/\"b\":1","index":1})");
    CHECK(lines[3].starts_with(R"({"event":"error","code":"PODPULL_ERR_NOT_FOUND",)"));
    CHECK(lines[3].ends_with(R"(,"image":"reg/\"b\":1","index":1})"));
    CHECK(lines[4].starts_with(R"({"event":"result","imageId":")" + std::string(64, 'a')));
    CHECK(lines[4].ends_with(R"(,"image":"reg/a:1","index":0})"));
    CHECK(
        lines[5].starts_with(R"({"event":"update","images":2,"pulled":1,"failed":1,"bytes":10,)"));
    // Human text on stderr: the error as it happens, naming its image, then the outcome.
    const std::vector<std::string> human = split_lines(read_all(err));
    REQUIRE(human.size() == 4);
    CHECK(human[0] == "podpull: reg/\"b\":1: PODPULL_ERR_NOT_FOUND: no");
    CHECK(human[3] == "pulled 1 of 2 images (10 B in 1.0 s)");
    std::fclose(out);
    std::fclose(err);
}

TEST_CASE("the terminal's update block: a line per image, the whole update's, the status") {
    UpdateTable t({"127.0.0.1:5000/podpull/test:v1", "127.0.0.1:5000/podpull/derived:v1",
                   "127.0.0.1:5000/podpull/big:v1"});
    CHECK(short_name("127.0.0.1:5000/podpull/test:v1") == "test:v1");
    CHECK(short_name("oci-archive:/tmp/x.tar") == "x.tar");
    CHECK(short_name("plain") == "plain");

    std::vector<std::string> lines = update_block(t, 0, 1.5, "", 40);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].starts_with("test:v1    [----------------------]"));
    CHECK(lines[0].find("waiting") != std::string::npos);
    CHECK(lines[3] == "update elapsed 1.5 s  images 0/3 done");

    t.started(0);
    t.blob(0, pull_event(512 * 1024, 1024 * 1024, 0, 1, 2, 0));
    t.started(1);
    t.blob(1, pull_event(1024 * 1024, 3 * 1024 * 1024, 1024 * 1024, 1, 4, 1));
    lines = update_block(t, 1024 * 1024, 2.0, "derived:v1: waiting for test:v1", 40);
    REQUIRE(lines.size() == 5);
    CHECK(lines[0] ==
          "test:v1    [###########-----------]  512.0 KiB / 1.0 MiB    pulling  blobs 1/2");
    CHECK(lines[1].find("pulling  blobs 1/4 (1 cached)") != std::string::npos);
    // Sizes known so far (big:v1 has not begun): no ETA yet.
    CHECK(lines[3] == "update  37% 1.5 MiB / 4.0 MiB  1.0 MiB/s  ETA ?  blobs 2/6 (1 cached)  "
                      "images 0/3 done");
    CHECK(lines[4] == "status derived:v1: waiting for test:v1");
    t.started(2);
    t.blob(2, pull_event(0, 4 * 1024 * 1024, 0, 0, 2, 0));
    t.result(0, summary(std::string(64, 'a'), 1024 * 1024, 0, 2, 0));
    lines = update_block(t, 1024 * 1024, 3.0, "", 40);
    CHECK(lines[3] == "update  25% 2.0 MiB / 8.0 MiB  1.0 MiB/s  ETA 6.0 s  blobs 3/8 (1 cached)  "
                      "images 1/3 done");

    // A terminal too short for every image: the finished ones give way first.
    lines = update_block(t, 0, 3.0, "", 6);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].starts_with("derived:v1 "));
    CHECK(lines[1].starts_with("big:v1 "));
    CHECK(lines[2] == "... 1 more images");
}

TEST_CASE("the update block's status line lasts while the pull that said it is at that step") {
    UpdateStatus status;
    CHECK(status.text().empty());
    status.said(1, "derived:v1: waiting for 1 other pull of this client to end");
    status.moved_on(0); // another pull's blob: still waiting
    CHECK(status.text() == "derived:v1: waiting for 1 other pull of this client to end");
    status.moved_on(1); // its first blob: it waits no more
    CHECK(status.text().empty());
    status.said(0, "test:v1: Writing manifest to image destination");
    status.said(2, "big:v1: Trying to pull big:v1...");
    status.moved_on(0); // replaced already: the newer status stays
    CHECK(status.text() == "big:v1: Trying to pull big:v1...");
    status.moved_on(2); // that pull ended
    CHECK(status.text().empty());
}

namespace {
// Records what it is told, for the tests of Update.
class RecordingRenderer : public UpdateRenderer {
  public:
    explicit RecordingRenderer(std::vector<std::string> &log) : log_(log) {}
    void start(const UpdateTable &, size_t i, Clock::time_point) override { note("start", i); }
    void route(const UpdateTable &, size_t i, podpull_route, const char *,
               Clock::time_point) override {
        note("route", i);
    }
    void status(const UpdateTable &, size_t i, const char *, Clock::time_point) override {
        note("status", i);
    }
    void blob(const UpdateTable &t, size_t i, const podpull_blob_progress &,
              Clock::time_point) override {
        note("blob " + std::to_string(t.row(i).bytes), i); // the table took the event first
    }
    void result(const UpdateTable &, size_t i, const PullSummary &, Clock::time_point) override {
        note("result", i);
    }
    void error(const UpdateTable &, size_t i, podpull_code, const std::string &, bool, bool,
               Clock::time_point) override {
        note("error", i);
    }
    void end(const UpdateTable &t, double, Clock::time_point) override {
        log_.push_back("end " + std::to_string(t.pulled()));
    }

  private:
    void note(const std::string &what, size_t i) { log_.push_back(what + " " + std::to_string(i)); }
    std::vector<std::string> &log_;
};
} // namespace

TEST_CASE("an update hands every event to the table, then to each renderer; lost output ends "
          "the pulls") {
    std::vector<std::string> log;
    bool output_ok = true;
    int lost = 0;
    Update u(
        {"a", "b"}, [&] { return output_ok; }, [&] { ++lost; });
    u.add(std::make_unique<RecordingRenderer>(log));
    u.start(0);
    u.blob(0, pull_event(42, 100, 0, 0, 1, 0));
    u.result(0, summary("a", 100, 0, 1, 0));
    CHECK(lost == 0);
    output_ok = false;
    u.start(1);
    CHECK(lost == 1);
    // Cancelled because nobody reads: recorded, not shown.
    u.error(1, PODPULL_ERR_CANCELLED, "cancelled", false, false);
    u.end(1.0);
    CHECK(log == std::vector<std::string>{"start 0", "blob 42 0", "result 0", "start 1"});
    CHECK(u.codes() == std::vector<podpull_code>{PODPULL_OK, PODPULL_ERR_CANCELLED});
}

TEST_CASE("several images: kept in the order given, the first is `image`, --jobs defaults to 3") {
    ParseOutcome o = parse({"pull", "reg/a:1", "--jobs", "2", "reg/b:1", "-q", "reg/c:1"});
    REQUIRE(o.options.has_value());
    CHECK(o.options->images == std::vector<std::string>{"reg/a:1", "reg/b:1", "reg/c:1"});
    CHECK(o.options->image == "reg/a:1");
    CHECK(o.options->jobs == 2);
    CHECK(o.options->quiet);

    ParseOutcome one = parse({"pull", "x"});
    REQUIRE(one.options.has_value());
    CHECK(one.options->images == std::vector<std::string>{"x"});
    CHECK(one.options->image == "x");
    CHECK(one.options->jobs == 3);
    ParseOutcome serial = parse({"pull", "--jobs", "1", "x", "y"});
    REQUIRE(serial.options.has_value());
    CHECK(serial.options->jobs == 1);
    // An --env takes one value: the images after it stay images.
    ParseOutcome env = parse({"pull", "--env", "A=1", "x", "y", "--env", "B=2", "z"});
    REQUIRE(env.options.has_value());
    CHECK(env.options->env == std::vector<std::string>{"A=1", "B=2"});
    CHECK(env.options->images == std::vector<std::string>{"x", "y", "z"});
}

TEST_CASE("--jobs takes a whole number of at least 1; anything else is a usage error") {
    for (const char *bad : {"0", "-1", "x", "1.5", ""}) {
        INFO(bad);
        ParseOutcome o = parse({"pull", "--jobs", bad, "x", "y"});
        CHECK_FALSE(o.options.has_value());
        CHECK(o.exit_code == exit_usage);
    }
    std::FILE *out = std::tmpfile();
    std::FILE *err = std::tmpfile();
    std::vector<const char *> args{"podpull", "pull", "--jobs", "0", "x", "y"};
    CHECK(parse_command_line(static_cast<int>(args.size()), args.data(), out, err).exit_code ==
          exit_usage);
    CHECK(read_all(err).find("Usage: podpull pull [OPTIONS] IMAGE [IMAGE...]") !=
          std::string::npos);
    CHECK(read_all(out).empty());
    std::fclose(out);
    std::fclose(err);
}

TEST_CASE("pull --help describes several images and --jobs") {
    std::FILE *out = std::tmpfile();
    std::vector<const char *> args{"podpull", "pull", "--help"};
    CHECK(parse_command_line(static_cast<int>(args.size()), args.data(), out, out).exit_code == 0);
    const std::string help = read_all(out);
    CHECK(help.find("--jobs") != std::string::npos);
    CHECK(help.find("IMAGE") != std::string::npos);
    CHECK(help.find("first image (in the order given) that failed") != std::string::npos);
    std::fclose(out);
}
