// SPDX-License-Identifier: MIT OR Apache-2.0
// A JSON string escaper (RFC 8259): enough to write podpull's events by hand.
#pragma once

#include <string>
#include <string_view>

namespace podpull_cli {

// `s` as a JSON string literal, quotes included. Control characters become \uXXXX (or the
// short escapes), '"' and '\\' are escaped; bytes that are not valid UTF-8 become U+FFFD so
// the output is always valid UTF-8 JSON.
std::string json_string(std::string_view s);

} // namespace podpull_cli
