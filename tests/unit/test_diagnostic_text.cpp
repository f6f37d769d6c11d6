// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/diagnostic_text.hpp"
#include "core/utf8.hpp"

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <string>

using podpull::clean_line;
using podpull::diagnostic_line_limit;
using podpull::stderr_summary;

namespace {

// What every summary must be: one line of UTF-8 without a control byte, within the limit, and
// without a blank at either end.
void check_one_clean_line(const std::string &line, std::size_t max_bytes = diagnostic_line_limit) {
    CAPTURE(line);
    CHECK(line.size() <= max_bytes);
    CHECK_FALSE(podpull::first_invalid_utf8(line).has_value());
    for (const char ch : line) {
        const auto byte = static_cast<unsigned char>(ch);
        CHECK((byte >= 0x20 && byte != 0x7f));
    }
    CHECK(line.find("\xc2\x9b") == std::string::npos); // no C1 CSI
    if (!line.empty()) {
        CHECK(line.front() != ' ');
        CHECK(line.back() != ' ');
    }
}

} // namespace

TEST_CASE("stderr_summary picks podman's last Error: line, else the last line with text",
          "[diagnostic-text]") {
    // What podman 4.3.1 writes when its service cannot start: logrus lines, then main's error.
    const std::string failed =
        "time=\"2026-12-02T10:00:00Z\" level=warning msg=\"The cgroupv2 manager is set to "
        "systemd but there is no systemd user session available\"\n"
        "Error: mkdir /run/nope/podman: permission denied\n";
    CHECK(stderr_summary(failed) == "Error: mkdir /run/nope/podman: permission denied");
    // Lines from other goroutines after it do not hide it; of two, the last one wins.
    CHECK(stderr_summary("Error: first\nError: second\ntime=\"…\" level=info msg=\"bye\"\n\n") ==
          "Error: second");
    CHECK(stderr_summary("starting\nlistening on x\n\n   \n") == "listening on x");
    CHECK(stderr_summary("no newline at the end") == "no newline at the end");
    CHECK(stderr_summary("").empty());
    CHECK(stderr_summary("\n\n \t\r\n\x1b[0m\n").empty());
}

TEST_CASE("stderr_summary removes colour codes and other escape sequences", "[diagnostic-text]") {
    CHECK(stderr_summary("\x1b[31mError\x1b[0m: \x1b[1;4mno such file\x1b[m\n") ==
          "Error: no such file");
    // OSC (a window title, a hyperlink) ended by BEL or ESC \, a character set, a cursor save.
    CHECK(clean_line("\x1b]0;title\x07"
                     "a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ b\x1b(Bc\x1b"
                     "7d",
                     300) == "alink bcd");
    // Cut short: a CSI missing its final byte, an unterminated OSC, a lone ESC at the end.
    CHECK(clean_line("a\x1b[31", 300) == "a");
    CHECK(clean_line("a\x1b]0;never ends", 300) == "a");
    CHECK(clean_line("ab\x1b", 300) == "ab");
    // The C1 CSI (U+009B) is a blank, not an escape that eats what follows.
    CHECK(clean_line("a\xc2\x9b"
                     "31mb",
                     300) == "a 31mb");
}

TEST_CASE("stderr_summary shows what a terminal shows last of a \\r progress line",
          "[diagnostic-text]") {
    CHECK(stderr_summary("Copying blob 10%\rCopying blob 55%\rError: writing blob: EOF\r\n") ==
          "Error: writing blob: EOF");
    CHECK(stderr_summary("progress 1\rprogress 2\r\r  \r") == "progress 2");
}

TEST_CASE("stderr_summary replaces control bytes, NUL and invalid UTF-8", "[diagnostic-text]") {
    const std::string nul_inside("Error: a\0b\tc\x7f"
                                 "d",
                                 14);
    CHECK(stderr_summary(nul_inside) == "Error: a b c d");
    CHECK(stderr_summary("Error: caf\xc3\xa9 \xff\xfe ok \xc3(\n") ==
          "Error: caf\xc3\xa9 ?? ok ?(");
    // Overlong forms and surrogates are not UTF-8 either.
    CHECK(clean_line("\xc0\xaf \xed\xa0\x80", 300) == "?? ???");
    check_one_clean_line(stderr_summary(std::string("\x00\x01\x02\xff\x1b\x9b\xc2\x9b", 8)));
}

TEST_CASE("stderr_summary is bounded: a 1 MB line is cut on a character boundary with …",
          "[diagnostic-text]") {
    std::string huge = "Error: ";
    while (huge.size() < 1'000'000)
        huge += "\xc3\xa9t\xc3\xa9 "; // 2-byte characters, so a cut can fall inside one
    const auto started = std::chrono::steady_clock::now();
    const std::string summary = stderr_summary(huge + "\nlater: " + huge.substr(7) + "\n");
    const auto took = std::chrono::steady_clock::now() - started;
    check_one_clean_line(summary);
    CHECK(summary.starts_with("Error: \xc3\xa9t\xc3\xa9"));
    CHECK(summary.ends_with("…"));
    CHECK(summary.size() >= diagnostic_line_limit - 4);
    CHECK(took < std::chrono::milliseconds(500));
    for (std::size_t limit = 4; limit < 40; ++limit) {
        const std::string cut = clean_line(huge, limit);
        CAPTURE(limit, cut);
        check_one_clean_line(cut, limit);
        CHECK(cut.ends_with("…"));
    }
    CHECK(clean_line("exactly", 7) == "exactly");
    CHECK(clean_line("exactly8", 7) == "exac…"); // 4 bytes and the 3 of "…"
}

TEST_CASE("stderr_summary of 10,000 lines is the right one, and quick", "[diagnostic-text]") {
    std::string text;
    for (int i = 0; i < 10'000; ++i) {
        text +=
            "time=\"2026-12-02T10:00:00Z\" level=debug msg=\"line " + std::to_string(i) + "\"\n";
        if (i == 17)
            text += "Error: \x1b[31mthe one that matters\x1b[0m\n";
    }
    const auto started = std::chrono::steady_clock::now();
    CHECK(stderr_summary(text) == "Error: the one that matters");
    CHECK(stderr_summary(text.substr(text.find("line 18"))) ==
          "time=\"2026-12-02T10:00:00Z\" level=debug msg=\"line 9999\"");
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(500));
}

TEST_CASE("stderr_summary of hostile bytes is always one clean bounded line", "[diagnostic-text]") {
    // Every byte value, in every position a sequence could start or end.
    std::string all;
    for (int repeat = 0; repeat < 3; ++repeat)
        for (int byte = 0; byte < 256; ++byte)
            all.push_back(static_cast<char>(byte));
    for (std::size_t start = 0; start < 256; start += 7) {
        const std::string piece = all.substr(start);
        check_one_clean_line(stderr_summary(piece));
        check_one_clean_line(clean_line(piece, 50), 50);
    }
}
