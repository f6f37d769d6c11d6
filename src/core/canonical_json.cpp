// SPDX-License-Identifier: MIT OR Apache-2.0
#include "canonical_json.hpp"

#include "error.hpp"
#include "utf8.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <string_view>
#include <vector>

namespace podpull {
namespace {

namespace json = boost::json;

void write_string(std::string &out, std::string_view text) {
    if (first_invalid_utf8(text))
        throw Error(ErrorCode::internal, "canonical_json: a string is not valid UTF-8");
    constexpr std::string_view hex = "0123456789abcdef";
    out += '"';
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (byte < 0x20) {
                out += "\\u00";
                out += hex[byte >> 4];
                out += hex[byte & 0xf];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

void write_value(std::string &out, const json::value &value) {
    switch (value.kind()) {
    case json::kind::null:
        out += "null";
        return;
    case json::kind::bool_:
        out += value.get_bool() ? "true" : "false";
        return;
    case json::kind::int64:
        out += std::to_string(value.get_int64());
        return;
    case json::kind::uint64:
        out += std::to_string(value.get_uint64());
        return;
    case json::kind::double_:
        throw Error(ErrorCode::internal, "canonical_json: a floating-point number");
    case json::kind::string:
        write_string(out, value.get_string());
        return;
    case json::kind::array: {
        out += '[';
        bool first = true;
        for (const auto &element : value.get_array()) {
            if (!first)
                out += ',';
            first = false;
            write_value(out, element);
        }
        out += ']';
        return;
    }
    case json::kind::object: {
        std::vector<const json::key_value_pair *> members;
        for (const auto &member : value.get_object())
            members.push_back(&member);
        std::sort(members.begin(), members.end(), [](const auto *a, const auto *b) {
            return std::string_view(a->key()) < std::string_view(b->key());
        });
        out += '{';
        bool first = true;
        for (const auto *member : members) {
            if (!first)
                out += ',';
            first = false;
            write_string(out, member->key());
            out += ':';
            write_value(out, member->value());
        }
        out += '}';
        return;
    }
    }
}

} // namespace

std::string canonical_json(const json::value &value) {
    std::string out;
    write_value(out, value);
    return out;
}

} // namespace podpull
