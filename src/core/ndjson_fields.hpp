// SPDX-License-Identifier: MIT OR Apache-2.0
// Typed reads of the fields of one NDJSON line from podman, shared by the decoders of every
// wire format. A JSON null counts as an absent field (Go's encoder writes null for a nil
// pointer or slice); a field of the wrong type makes the whole line malformed.
#pragma once

#include "json_view.hpp"
#include "pull_events.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace podpull::ndjson {

namespace json = boost::json;

// Throws Error(protocol) naming the problem and quoting at most ~200 bytes of the line.
[[noreturn]] void malformed(std::string_view line, std::string_view problem);

// The line as a JSON object: strict JSON, valid UTF-8, bounded nesting (Boost.JSON's
// defaults). Throws Error(protocol) otherwise.
json::value parse_object(std::string_view line);

// The field, or nullptr when it is absent or null.
const json::value *field(const json::object &object, std::string_view key);

// A string field; nullptr when absent. Throws when it is not a string.
const json::string *string_field(std::string_view line, const json::object &object,
                                 std::string_view key);

// An object field; nullptr when absent. Throws when it is not an object.
const json::object *object_field(std::string_view line, const json::object &object,
                                 std::string_view key);

// A byte count (an integer >= 0). Throws for anything else.
std::optional<std::uint64_t> byte_count_field(std::string_view line, const json::object &object,
                                              std::string_view key);

// A blob size: podman sends -1 when it does not know it; any negative is read that way.
std::optional<std::int64_t> size_field(std::string_view line, const json::object &object,
                                       std::string_view key);

using podpull::view;

// One StatusEvent per line of `text`, without "\n" or "\r\n"; empty lines are dropped.
void add_text_lines(std::string_view text, std::vector<PullEvent> &out);

} // namespace podpull::ndjson
