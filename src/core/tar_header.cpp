// SPDX-License-Identifier: MIT OR Apache-2.0
#include "tar_header.hpp"

#include "error.hpp"

#include <algorithm>

namespace podpull {
namespace {

[[noreturn]] void bad(std::string_view problem) {
    throw Error(ErrorCode::protocol, std::string("not a tar archive: ") + std::string(problem));
}

std::string_view field(std::string_view block, std::size_t offset, std::size_t length) {
    std::string_view text = block.substr(offset, length);
    return text.substr(0, std::min(text.find('\0'), text.size()));
}

// An octal field (spaces and NULs around it allowed), or GNU's base-256 form for sizes past
// 8 GiB: the first byte's top bit set, the rest big-endian.
std::uint64_t number(std::string_view block, std::size_t offset, std::size_t length) {
    const std::string_view raw = block.substr(offset, length);
    if (!raw.empty() && (static_cast<unsigned char>(raw[0]) & 0x80) != 0) {
        std::uint64_t value = static_cast<unsigned char>(raw[0]) & 0x7f;
        for (std::size_t i = 1; i < raw.size(); ++i) {
            if (value > (UINT64_MAX >> 8))
                bad("a size too large");
            value = (value << 8) | static_cast<unsigned char>(raw[i]);
        }
        return value;
    }
    std::uint64_t value = 0;
    bool digits = false;
    for (const char c : raw) {
        if (c == ' ' || c == '\0') {
            if (digits)
                break;
            continue;
        }
        if (c < '0' || c > '7')
            bad("a numeric field that is not octal");
        if (value > (UINT64_MAX >> 3))
            bad("a size too large");
        value = value * 8 + static_cast<std::uint64_t>(c - '0');
        digits = true;
    }
    return value;
}

} // namespace

std::optional<TarHeader> parse_tar_header(std::string_view block) {
    if (block.size() != tar_block)
        bad("a short header");
    if (std::all_of(block.begin(), block.end(), [](char c) { return c == '\0'; }))
        return std::nullopt;
    // The checksum: the sum of the header's bytes with the checksum field read as spaces.
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < tar_block; ++i)
        sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(block[i]);
    if (number(block, 148, 8) != sum)
        bad("a header checksum that does not match");

    TarHeader header;
    header.type = block[156] == '\0' ? '0' : block[156];
    header.size = number(block, 124, 12);
    std::string name(field(block, 0, 100));
    if (block.substr(257, 5) == "ustar") {
        const std::string_view prefix = field(block, 345, 155);
        if (!prefix.empty())
            name = std::string(prefix) + "/" + name;
    }
    while (name.starts_with("./"))
        name.erase(0, 2);
    header.name = std::move(name);
    return header;
}

} // namespace podpull
