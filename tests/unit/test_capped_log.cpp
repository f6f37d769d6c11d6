// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/capped_log.hpp"

#include <catch2/catch_test_macros.hpp>

#include <string>

using podpull::CappedLog;

namespace {

// The file as the I/O shell keeps it: each write at its offset, the file cut after it when
// asked.
void apply(std::string &file, const CappedLog::FileWrite &write) {
    REQUIRE(write.offset <= file.size()); // never a hole
    const auto offset = static_cast<std::size_t>(write.offset);
    if (file.size() < offset + write.bytes.size())
        file.resize(offset + write.bytes.size());
    file.replace(offset, write.bytes.size(), write.bytes);
    if (write.truncate)
        file.resize(offset + write.bytes.size());
}

} // namespace

TEST_CASE("a capped log below its bound is a plain copy", "[capped-log]") {
    CappedLog log(16, 8);
    std::string file;
    for (const std::string_view piece : {"start\n", "more\n", "", "x"}) {
        const auto write = log.append(piece);
        CHECK_FALSE(write.truncate);
        apply(file, write);
    }
    CHECK(file == "start\nmore\nx");
    CHECK(log.text() == file);
    CHECK(log.left_out() == 0);
    CHECK(log.size() == file.size());
}

TEST_CASE("a capped log keeps the first bytes and the latest, and says what it left out",
          "[capped-log]") {
    constexpr std::size_t head = 64, tail = 32;
    CappedLog log(head, tail);
    std::string file, everything;
    std::size_t rewrites = 0;
    for (int i = 0; i < 5000; ++i) {
        const std::string piece = "line " + std::to_string(i) + (i % 7 == 0 ? "\n" : " ");
        everything += piece;
        const auto write = log.append(piece);
        rewrites += write.truncate ? 1 : 0;
        apply(file, write);
        REQUIRE(file == log.text());
        REQUIRE(log.size() == file.size());
        REQUIRE(file.size() <= head + 2 * tail + 64); // the note is one short line
    }
    CHECK(file.starts_with(everything.substr(0, head)));
    const std::string note = "\n[podpull: " + std::to_string(log.left_out()) +
                             " bytes of podman's stderr left out here]\n";
    CHECK(file.substr(head, note.size()) == note);
    const std::string kept_tail = file.substr(head + note.size());
    CHECK(kept_tail.size() + tail / 16 >= tail);
    CHECK(kept_tail.size() <= 2 * tail);
    CHECK(everything.ends_with(kept_tail));
    CHECK(head + log.left_out() + kept_tail.size() == everything.size());
    // A rewrite once per `tail` bytes past the bound at most, not one per write.
    CHECK(rewrites <= everything.size() / tail + 1);
}

TEST_CASE("a capped log takes one piece far larger than its bound", "[capped-log]") {
    CappedLog log(4, 4);
    std::string file;
    apply(file, log.append("ab"));
    apply(file, log.append(std::string(1 << 20, 'x') + "END"));
    CHECK(file == log.text());
    CHECK(file.starts_with("abxx\n[podpull: "));
    CHECK(file.ends_with("]\nxEND"));
    CHECK(log.left_out() == (1u << 20) + 3 + 2 - 4 - 4);
    apply(file, log.append("!"));
    CHECK(file == log.text());
    CHECK(file.ends_with("]\nxEND!"));
}

TEST_CASE("a capped log's latest part starts on a line, or on a character in a long line",
          "[capped-log]") {
    CappedLog lines(0, 64);
    // 150 bytes: at least 86 go, and a line starts 3 bytes after that, within 64 / 16.
    lines.append(std::string(88, 'a') + "\nline two\n" + std::string(52, 'b'));
    CHECK(lines.text().ends_with("left out here]\nline two\n" + std::string(52, 'b')));
    CappedLog characters(0, 64);
    std::string e_acute;
    for (int i = 0; i < 100; ++i)
        e_acute += "\xc3\xa9";
    characters.append("x" + e_acute); // every cut falls inside a character
    const std::string text = characters.text();
    const std::string kept = text.substr(text.find("]\n") + 2);
    CHECK(kept.starts_with("\xc3\xa9"));
    CHECK(kept.size() >= 64);
}
