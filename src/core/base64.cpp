// SPDX-License-Identifier: MIT OR Apache-2.0
#include "base64.hpp"

#include <array>
#include <cstdint>

namespace podpull {
namespace {

constexpr std::string_view standard_symbols =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view url_safe_symbols =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string_view symbols(Base64Alphabet alphabet) {
    return alphabet == Base64Alphabet::url_safe ? url_safe_symbols : standard_symbols;
}

// The 6-bit value of `ch`, or -1 when it is not a symbol of the alphabet.
int value_of(char ch, Base64Alphabet alphabet) {
    const std::size_t at = symbols(alphabet).find(ch);
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

} // namespace

std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet) {
    const std::string_view table = symbols(alphabet);
    std::string text;
    text.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t group =
            static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]) << 16 |
                                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                                       static_cast<unsigned char>(bytes[i + 2]));
        text.push_back(table[group >> 18 & 0x3f]);
        text.push_back(table[group >> 12 & 0x3f]);
        text.push_back(table[group >> 6 & 0x3f]);
        text.push_back(table[group & 0x3f]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        std::uint32_t group =
            static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]) << 16);
        if (rest == 2)
            group |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1]) << 8);
        text.push_back(table[group >> 18 & 0x3f]);
        text.push_back(table[group >> 12 & 0x3f]);
        text.push_back(rest == 2 ? table[group >> 6 & 0x3f] : '=');
        text.push_back('=');
    }
    return text;
}

std::optional<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet) {
    if (text.size() % 4 != 0)
        return std::nullopt;
    std::size_t padding = 0;
    if (text.ends_with("=="))
        padding = 2;
    else if (text.ends_with('='))
        padding = 1;
    std::string bytes;
    bytes.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        const std::size_t symbols_here = last ? 4 - padding : 4;
        std::uint32_t group = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            group <<= 6;
            if (k >= symbols_here)
                continue; // the padding, checked to be '=' by ends_with above
            const int value = value_of(text[i + k], alphabet);
            if (value < 0)
                return std::nullopt; // includes a '=' before the end
            group |= static_cast<std::uint32_t>(value);
        }
        bytes.push_back(static_cast<char>(group >> 16 & 0xff));
        if (symbols_here >= 3)
            bytes.push_back(static_cast<char>(group >> 8 & 0xff));
        if (symbols_here == 4)
            bytes.push_back(static_cast<char>(group & 0xff));
    }
    return bytes;
}

} // namespace podpull
