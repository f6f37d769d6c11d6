// SPDX-License-Identifier: MIT OR Apache-2.0
#include "ndjson_fields.hpp"

#include "error.hpp"

#include <fmt/format.h>

namespace podpull::ndjson {
namespace {

constexpr std::size_t quoted_line_bytes = 200;

} // namespace

void malformed(std::string_view line, std::string_view problem) {
    throw Error(ErrorCode::protocol,
                fmt::format("malformed NDJSON line from podman ({}): {}", problem,
                            quote_for_message(line, quoted_line_bytes)));
}

json::value parse_object(std::string_view line) {
    boost::system::error_code error;
    json::value parsed = json::parse(line, error);
    if (error)
        malformed(line, error.message());
    if (!parsed.is_object())
        malformed(line, "not a JSON object");
    return parsed;
}

const json::value *field(const json::object &object, std::string_view key) {
    const json::value *value = object.if_contains(key);
    return value == nullptr || value->is_null() ? nullptr : value;
}

const json::string *string_field(std::string_view line, const json::object &object,
                                 std::string_view key) {
    const json::value *value = field(object, key);
    if (value == nullptr)
        return nullptr;
    if (!value->is_string())
        malformed(line, fmt::format("\"{}\" is not a string", key));
    return &value->get_string();
}

const json::object *object_field(std::string_view line, const json::object &object,
                                 std::string_view key) {
    const json::value *value = field(object, key);
    if (value == nullptr)
        return nullptr;
    if (!value->is_object())
        malformed(line, fmt::format("\"{}\" is not an object", key));
    return &value->get_object();
}

std::optional<std::uint64_t> byte_count_field(std::string_view line, const json::object &object,
                                              std::string_view key) {
    const json::value *value = field(object, key);
    if (value == nullptr)
        return std::nullopt;
    if (value->is_uint64())
        return value->get_uint64();
    if (value->is_int64() && value->get_int64() >= 0)
        return static_cast<std::uint64_t>(value->get_int64());
    malformed(line, fmt::format("\"{}\" is not a byte count", key));
}

std::optional<std::int64_t> size_field(std::string_view line, const json::object &object,
                                       std::string_view key) {
    const json::value *value = field(object, key);
    if (value == nullptr)
        return std::nullopt;
    if (value->is_int64())
        return value->get_int64() < 0 ? -1 : value->get_int64();
    // Boost.JSON keeps integers past INT64_MAX as uint64: no blob is that large.
    malformed(line, fmt::format("\"{}\" is not a size", key));
}

void add_text_lines(std::string_view text, std::vector<PullEvent> &out) {
    while (!text.empty()) {
        const std::size_t newline = text.find('\n');
        std::string_view piece = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (piece.ends_with('\r'))
            piece.remove_suffix(1);
        if (!piece.empty())
            out.push_back(StatusEvent{std::string(piece)});
    }
}

} // namespace podpull::ndjson
