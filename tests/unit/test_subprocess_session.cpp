// SPDX-License-Identifier: MIT OR Apache-2.0
// SubprocessSession: what `podman pull` prints in, status lines and an image ID (or the error
// it means) out. No process runs: the outputs are the ones docs/podman.md records.
#include "core/subprocess_session.hpp"

#include "podpull_test/core.hpp"
#include "recorded_outputs.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <catch2/matchers/catch_matchers_vector.hpp>

#include <string>
#include <vector>

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::Equals;
using podpull::ChildExit;
using podpull::ErrorCode;
using podpull::SubprocessSession;

namespace {

const std::string image_id = "b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c";
constexpr ChildExit exited_0{false, 0};
constexpr ChildExit exited_125{false, 125};

class Lines : public podpull::PullObserver {
  public:
    std::vector<std::string> lines;
    bool cancelled = false;

    void route_chosen(const podpull::RouteDecision &) override {}
    void status(std::string_view line) override {
        if (cancelled)
            throw podpull::Error(ErrorCode::cancelled, "the pull was cancelled");
        lines.emplace_back(line);
    }
    bool blob(const podpull::BlobProgress &) override { return true; }
};

// Feeds `text` in pieces of `chunk` bytes.
template <typename Feed> void in_pieces(std::string_view text, std::size_t chunk, Feed feed) {
    while (!text.empty()) {
        const auto piece = text.substr(0, chunk);
        feed(piece);
        text.remove_prefix(piece.size());
    }
}

} // namespace

TEST_CASE("subprocess session: a 4.3.1 pull, whole or a byte at a time", "[subprocess_session]") {
    const std::size_t chunk = GENERATE(std::size_t{1}, std::size_t{7}, std::size_t{4096});
    CAPTURE(chunk);
    Lines observer;
    SubprocessSession session(observer);
    in_pieces(recorded::podman_pull_stderr_4_3_1, chunk,
              [&](std::string_view piece) { session.feed_stderr(piece); });
    in_pieces(recorded::podman_pull_stdout_4_3_1, chunk,
              [&](std::string_view piece) { session.feed_stdout(piece); });
    CHECK(session.finish(exited_0).image_id == image_id);
    CHECK_THAT(observer.lines,
               Equals(std::vector<std::string>{
                   "Getting image source signatures",
                   "Copying blob "
                   "sha256:855e90a27705301e2b384e28c8494150d83723f88e2eeb27e9ffbf48000e5ce2",
                   "Copying config "
                   "sha256:b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c",
                   "Writing manifest to image destination", "Storing signatures"}));
}

TEST_CASE("subprocess session: exit 125 with an Error: line is that failure",
          "[subprocess_session]") {
    const auto [stderr_text, code] = GENERATE(table<std::string_view, ErrorCode>({
        {recorded::podman_pull_missing_layout_4_3_1, ErrorCode::pull},
        {recorded::podman_pull_manifest_unknown_4_3_1, ErrorCode::not_found},
    }));
    Lines observer;
    SubprocessSession session(observer);
    session.feed_stderr(stderr_text);
    const auto error = podpull_test::error_from([&] { session.finish(exited_125); });
    REQUIRE(error);
    CHECK(error->code() == code);
    CHECK_THAT(error->what(), ContainsSubstring("podman pull failed: initializing source"));
    CHECK_THAT(error->what(), !ContainsSubstring("Error: "));
    // The Error: line is a status line too: the host sees what podman said.
    CHECK_THAT(observer.lines.back(), ContainsSubstring("Error: initializing source"));
}

TEST_CASE("subprocess session: the last Error: line counts", "[subprocess_session]") {
    Lines observer;
    SubprocessSession session(observer);
    session.feed_stderr("Error: first\nError: unauthorized: authentication required\n");
    const auto error = podpull_test::error_from([&] { session.finish(exited_125); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::auth);
    CHECK(std::string(error->what()) ==
          "podman pull failed: unauthorized: authentication required");
}

TEST_CASE("subprocess session: a failure without an Error: line names the exit status",
          "[subprocess_session]") {
    Lines observer;
    SubprocessSession session(observer);
    session.feed_stderr("Getting image source signatures\n");
    session.feed_stdout(image_id + "\n"); // stdout does not matter once the exit says failure
    const auto error = podpull_test::error_from([&] { session.finish(ChildExit{false, 2}); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::pull);
    CHECK(std::string(error->what()) == "podman pull failed: podman pull exited with status 2");
}

TEST_CASE("subprocess session: killed by a signal", "[subprocess_session]") {
    Lines observer;
    SubprocessSession session(observer);
    session.feed_stderr(recorded::podman_pull_stderr_4_3_1);
    const auto error = podpull_test::error_from([&] { session.finish(ChildExit{true, 9}); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::pull);
    CHECK(std::string(error->what()) == "podman pull failed: podman pull was killed by signal 9");
}

TEST_CASE("subprocess session: success without an ID is a protocol error", "[subprocess_session]") {
    const std::string stdout_text =
        GENERATE(std::string(), std::string("\n"), std::string("b3f190ca3fbc\n"),
                 std::string("B3F190CA3FBC68CA819BD6BBBAAF12D794D08CBD"
                             "D94B794E691DA6F581A4F01C\n"));
    CAPTURE(stdout_text);
    Lines observer;
    SubprocessSession session(observer);
    session.feed_stdout(stdout_text);
    const auto error = podpull_test::error_from([&] { session.finish(exited_0); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::protocol);
    CHECK_THAT(error->what(), ContainsSubstring("printed no image ID"));
}

TEST_CASE("subprocess session: the ID is stdout's last line, CRLF or not", "[subprocess_session]") {
    const std::string stdout_text =
        GENERATE(as<std::string>{}, "noise\n" + image_id + "\n", image_id + "\r\n", image_id);
    Lines observer;
    SubprocessSession session(observer);
    session.feed_stdout(stdout_text);
    CHECK(session.finish(exited_0).image_id == image_id);
}

TEST_CASE("subprocess session: stdout is bounded", "[subprocess_session]") {
    Lines observer;
    SubprocessSession session(observer);
    session.feed_stdout(std::string(SubprocessSession::max_stdout, 'x'));
    session.feed_stdout(image_id + "\n"); // past the bound: dropped
    const auto error = podpull_test::error_from([&] { session.finish(exited_0); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::protocol);
}

TEST_CASE("subprocess session: a huge stderr line is a protocol error", "[subprocess_session]") {
    Lines observer;
    SubprocessSession session(observer);
    const std::string line(SubprocessSession::max_stderr_line + 1, 'x');
    const auto error = podpull_test::error_from([&] { session.feed_stderr(line); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::protocol);
    CHECK(observer.lines.empty());
}

TEST_CASE("subprocess session: a host that cancels stops the feed", "[subprocess_session]") {
    Lines observer;
    observer.cancelled = true;
    SubprocessSession session(observer);
    const auto error =
        podpull_test::error_from([&] { session.feed_stderr("Storing signatures\n"); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::cancelled);
}
