// SPDX-License-Identifier: MIT OR Apache-2.0
// One HTTP/1.1 exchange with podman over its Unix socket, read incrementally: the body comes
// out a piece at a time as it arrives (chunked transfer included), never buffered whole.
#pragma once

#include "http_response_parser.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/verb.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace podpull::io {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpConnection {
  public:
    explicit HttpConnection(const boost::asio::any_io_executor &executor);

    // Each throws Error(io) for a transport failure and Error(protocol) for malformed HTTP.
    boost::asio::awaitable<void> connect(const std::string &socket_path);
    boost::asio::awaitable<void> send(boost::beast::http::verb method, const std::string &target,
                                      const HttpHeaders &headers);
    // Reads the status line and headers; returns the status code.
    boost::asio::awaitable<unsigned> read_header();
    // A response header's value, or nullopt.
    std::optional<std::string_view> header(std::string_view name) const;
    // The next piece of the body, as it arrived; empty at the end of the body. The view is
    // valid until the next call.
    boost::asio::awaitable<std::string_view> read_body_some();
    // The rest of the body, up to `limit` bytes (more is cut off, not an error).
    boost::asio::awaitable<std::string> read_body(std::size_t limit);

    // Aborts whatever is in flight. Safe to call more than once.
    void close() noexcept;

  private:
    boost::asio::local::stream_protocol::socket socket_;
    boost::beast::flat_buffer buffer_;
    std::optional<ResponseParser> parser_;
    std::array<char, 64 * 1024> chunk_{};
};

} // namespace podpull::io
