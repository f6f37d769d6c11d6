// SPDX-License-Identifier: MIT OR Apache-2.0
#include "http_connection.hpp"

#include "core/error.hpp"
#include "http_response_parser.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

namespace podpull::io {
namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

} // namespace

HttpConnection::HttpConnection(const asio::any_io_executor &executor) : socket_(executor) {}

asio::awaitable<void> HttpConnection::connect(const std::string &socket_path) {
    auto [ec] = co_await socket_.async_connect(asio::local::stream_protocol::endpoint(socket_path),
                                               use_tuple);
    if (ec)
        throw Error(ErrorCode::io,
                    fmt::format("cannot connect to podman at {}: {}", socket_path, ec.message()));
}

asio::awaitable<void> HttpConnection::send(http::verb method, const std::string &target,
                                           const HttpHeaders &headers) {
    http::request<http::empty_body> request(method, target, 11);
    request.set(http::field::host, "d"); // any value will do on a Unix socket
    request.set(http::field::user_agent, "podpull/" PODPULL_VERSION_STRING);
    for (const auto &[name, value] : headers)
        request.set(name, value);
    request.prepare_payload();
    auto [ec, written] = co_await http::async_write(socket_, request, use_tuple);
    if (ec)
        throw_http_transport_error(ec, "sending the request");
}

asio::awaitable<unsigned> HttpConnection::read_header() {
    start_response_parser(parser_);
    auto [ec, read] = co_await http::async_read_header(socket_, buffer_, *parser_, use_tuple);
    if (ec)
        throw_http_transport_error(ec, "reading the response header");
    co_return parser_->get().result_int();
}

std::optional<std::string_view> HttpConnection::header(std::string_view name) const {
    const auto &fields = parser_->get();
    const auto it = fields.find(boost::beast::string_view(name.data(), name.size()));
    if (it == fields.end())
        return std::nullopt;
    return std::string_view(it->value().data(), it->value().size());
}

asio::awaitable<std::string_view> HttpConnection::read_body_some() {
    while (!parser_->is_done()) {
        auto &body = parser_->get().body();
        body.data = chunk_.data();
        body.size = chunk_.size();
        auto [ec, read] = co_await http::async_read_some(socket_, buffer_, *parser_, use_tuple);
        if (ec == http::error::need_buffer)
            ec = {};
        if (ec)
            throw_http_transport_error(ec, "reading the response body");
        const std::size_t filled = chunk_.size() - parser_->get().body().size;
        if (filled != 0)
            co_return std::string_view(chunk_.data(), filled);
    }
    co_return std::string_view();
}

asio::awaitable<std::string> HttpConnection::read_body(std::size_t limit) {
    std::string body;
    while (true) {
        const auto piece = co_await read_body_some();
        if (piece.empty())
            co_return body;
        body.append(piece.substr(0, limit - body.size()));
        if (body.size() == limit)
            co_return body;
    }
}

void HttpConnection::close() noexcept {
    boost::system::error_code ignored;
    socket_.close(ignored);
}

} // namespace podpull::io
