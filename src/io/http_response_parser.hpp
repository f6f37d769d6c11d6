// SPDX-License-Identifier: MIT OR Apache-2.0
// How podpull reads an HTTP response from podman: the Beast parser's limits and what a read
// error means. HttpConnection and the HTTP fuzz target (tests/fuzz/fuzz_http_response.cpp) both
// use these, so what is fuzzed is exactly what reads podman's answers.
#pragma once

#include "core/error.hpp"

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/system/error_code.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace podpull::io {

// The body arrives a piece at a time in a buffer the reader lends the parser.
using ResponseParser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;

// Status line and headers are small; anything larger is not podman.
inline constexpr std::uint32_t response_header_limit = 64 * 1024;

// Enough of an error body (non-2xx) for podman's JSON message; the rest is dropped.
inline constexpr std::size_t error_body_limit = 64 * 1024;

// A fresh parser for the next response, with podpull's limits.
inline ResponseParser &start_response_parser(std::optional<ResponseParser> &parser) {
    parser.emplace();
    parser->header_limit(response_header_limit);
    parser->body_limit(boost::none); // a pull streams for as long as it takes
    return *parser;
}

// Throws the Error for a failed read or write: PROTOCOL for HTTP that Beast could not parse,
// IO for a connection that broke or ended early (a body cut mid-chunk is partial_message).
[[noreturn]] inline void throw_http_transport_error(const boost::system::error_code &ec,
                                                    std::string_view during) {
    namespace http = boost::beast::http;
    if (ec.category() == make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message &&
        ec != http::error::need_more)
        throw Error(ErrorCode::protocol,
                    fmt::format("malformed HTTP from podman while {}: {}", during, ec.message()));
    throw Error(ErrorCode::io,
                fmt::format("lost the connection to podman while {}: {}", during, ec.message()));
}

} // namespace podpull::io
