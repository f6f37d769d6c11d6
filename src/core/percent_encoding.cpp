// SPDX-License-Identifier: MIT OR Apache-2.0
#include "percent_encoding.hpp"

namespace podpull {
namespace {

// RFC 3986 section 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~".
bool is_unreserved(char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

} // namespace

std::string percent_encode(std::string_view value) {
    static constexpr char hex[] = "0123456789ABCDEF"; // RFC 3986 prefers upper case
    std::string encoded;
    encoded.reserve(value.size() * 3);
    for (const char ch : value) {
        if (is_unreserved(ch)) {
            encoded.push_back(ch);
            continue;
        }
        const auto byte = static_cast<unsigned char>(ch);
        encoded.push_back('%');
        encoded.push_back(hex[byte >> 4]);
        encoded.push_back(hex[byte & 0xf]);
    }
    return encoded;
}

} // namespace podpull
