// Unit tests of the podpull command's pieces that need no podman: the JSON escaper, the
// TTY line fitting, the exit codes, the option parser, and the plain renderer's throttle.
#include "blob_table.hpp"
#include "cli.hpp"
#include "exit_codes.hpp"
#include "json.hpp"
#include "plain_renderer.hpp"
#include "tty_renderer.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstddef>
#include <cstdio>
#include <string>
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

    ParseOutcome d = parse({"pull", "x"});
    REQUIRE(d.options.has_value());
    CHECK(d.options->tls_verify);
    CHECK(d.options->route == PODPULL_ROUTE_AUTO);
    CHECK(d.options->policy == PODPULL_POLICY_ALWAYS);
    CHECK(d.options->os.empty());
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
