// SPDX-License-Identifier: MIT OR Apache-2.0
// podman's HTTP answer as podpull reads it: the Beast response parser configured by
// io::start_response_parser (the same function HttpConnection uses), fed as socket reads
// would feed it, then the body as src/io/api_pull.cpp handles it: a non-2xx answer through
// http_failure, a 2xx body through PullSession. The first byte picks the route and the size
// of each read; the rest is what the socket delivers, status line first. Every outcome is a
// result or a documented Error; nothing else escapes.
#include "checking_observer.hpp"
#include "core/http_failure.hpp"
#include "core/pull_session.hpp"
#include "fuzz_check.hpp"
#include "io/http_response_parser.hpp"
#include "pull_routes.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace {
using namespace podpull;
namespace http = boost::beast::http;

// A SyncReadStream over the input that hands out at most `piece` bytes a read, then EOF, as a
// Unix socket whose peer wrote the input and closed.
class InputStream {
  public:
    InputStream(std::string_view input, std::size_t piece) : input_(input), piece_(piece) {}

    template <typename Buffers> std::size_t read_some(const Buffers &buffers) {
        boost::system::error_code ec;
        const std::size_t n = read_some(buffers, ec);
        if (ec)
            throw boost::system::system_error(ec);
        return n;
    }
    template <typename Buffers>
    std::size_t read_some(const Buffers &buffers, boost::system::error_code &ec) {
        if (input_.empty()) {
            ec = boost::asio::error::eof;
            return 0;
        }
        ec = {};
        const std::size_t n = boost::asio::buffer_copy(
            buffers, boost::asio::buffer(input_.data(), std::min(piece_, input_.size())));
        input_.remove_prefix(n);
        return n;
    }

  private:
    std::string_view input_;
    std::size_t piece_;
};

// HttpConnection, synchronously: the same parser, the same body buffer scheme, the same error
// mapping (io::throw_http_transport_error).
class Response {
  public:
    explicit Response(InputStream &stream) : stream_(stream) {}

    unsigned read_header() {
        auto &parser = io::start_response_parser(parser_);
        boost::system::error_code ec;
        http::read_header(stream_, buffer_, parser, ec);
        if (ec)
            io::throw_http_transport_error(ec, "reading the response header");
        return parser.get().result_int();
    }

    std::string_view read_body_some() {
        while (!parser_->is_done()) {
            auto &body = parser_->get().body();
            body.data = chunk_.data();
            body.size = chunk_.size();
            boost::system::error_code ec;
            http::read_some(stream_, buffer_, *parser_, ec);
            if (ec == http::error::need_buffer)
                ec = {};
            if (ec)
                io::throw_http_transport_error(ec, "reading the response body");
            const std::size_t filled = chunk_.size() - parser_->get().body().size;
            if (filled != 0)
                return std::string_view(chunk_.data(), filled);
        }
        return {};
    }

    std::string read_body(std::size_t limit) {
        std::string body;
        while (true) {
            const auto piece = read_body_some();
            if (piece.empty())
                return body;
            body.append(piece.substr(0, limit - body.size()));
            if (body.size() == limit)
                return body;
        }
    }

  private:
    InputStream &stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<io::ResponseParser> parser_;
    std::array<char, 64 * 1024> chunk_{};
};

void pull(Route route, Response &response) {
    const unsigned status = response.read_header();
    if (status < 200 || status >= 300) {
        const Error failure = http_failure(status, response.read_body(io::error_body_limit));
        fuzz::check_error(failure,
                          {ErrorCode::invalid_argument, ErrorCode::auth, ErrorCode::not_found,
                           ErrorCode::rejected, ErrorCode::pull, ErrorCode::protocol});
        return;
    }
    fuzz::CheckingObserver observer;
    PullSession session(route, observer);
    while (true) {
        const auto piece = response.read_body_some();
        if (piece.empty())
            break;
        session.feed(piece);
    }
    fuzz::check_outcome(route, session.finish());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size == 0)
        return 0;
    const Route route = fuzz::api_routes[data[0] % fuzz::api_routes.size()];
    const std::size_t piece = 1 + (data[0] >> 2) * 37; // 1 to 2332 bytes per read
    InputStream stream(std::string_view(reinterpret_cast<const char *>(data + 1), size - 1), piece);
    auto response = std::make_unique<Response>(stream); // 64 KiB: not on the stack
    try {
        pull(route, *response);
    } catch (const Error &error) {
        fuzz::check_session_error(error);
    }
    return 0;
}
