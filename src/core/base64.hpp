// SPDX-License-Identifier: MIT OR Apache-2.0
// Base64 (RFC 4648), both alphabets, always with '=' padding. containers-auth.json(5) stores
// "user:password" in the standard alphabet; podman reads X-Registry-Auth in the URL-safe one
// (Go's base64.URLEncoding, which pads).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace podpull {

enum class Base64Alphabet {
    standard, // RFC 4648 section 4: A-Z a-z 0-9 + /
    url_safe, // RFC 4648 section 5: A-Z a-z 0-9 - _
};

std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet);

// The decoded bytes, or nullopt when `text` is not base64 in that alphabet: a length that is
// not a multiple of 4, a byte outside the alphabet, '=' anywhere but in the last two places.
// Like Go's base64.StdEncoding (which containers/image uses for auth.json), the unused low
// bits of the last symbol are not checked.
std::optional<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet);

} // namespace podpull
