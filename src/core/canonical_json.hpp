// SPDX-License-Identifier: MIT OR Apache-2.0
// JSON as bootc writes its progress events (its ProgressWriter serializes with the canon-json
// crate: RFC 8785, the JSON Canonicalization Scheme): one line, no whitespace, the members
// of every object in sorted order, strings with only the escapes JSON requires. A reader that
// compares lines, or hashes them, sees the same bytes from podpull as from bootc.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace podpull {

// `value` in canonical form. Object keys sort by their UTF-8 bytes, which is RFC 8785's UTF-16
// order for every key below U+E000 (all of bootc's are ASCII). Numbers must be integers: the
// events carry counts only. Strings must be valid UTF-8; they are written as is, but for '"',
// '\\' and the control characters (\b \f \n \r \t, else \u00xx). Throws Error(internal) for a
// floating-point number or invalid UTF-8: a bug in what builds the value.
std::string canonical_json(const boost::json::value &value);

} // namespace podpull
