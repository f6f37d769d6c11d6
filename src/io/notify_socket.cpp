// SPDX-License-Identifier: MIT OR Apache-2.0
#include "notify_socket.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <string_view>
#include <sys/stat.h>

namespace podpull::io {

NotifySocket::NotifySocket(const boost::asio::any_io_executor &executor, const std::string &path,
                           boost::system::error_code &ec)
    : path_(path), socket_(executor) {
    // The error_code overloads: the throwing ones put Boost's source location in what().
    socket_.open(boost::asio::local::datagram_protocol(), ec);
    if (ec)
        return;
    socket_.bind(boost::asio::local::datagram_protocol::endpoint(path), ec);
    if (ec)
        return;
    // bind() made it 0777 minus the host's umask. The private directory (0700) already keeps
    // others out; the socket itself is for the service alone too, like podman.sock (0600).
    ::chmod(path.c_str(), 0600);
}

boost::asio::awaitable<void> NotifySocket::wait_ready() {
    std::array<char, 4096> datagram{};
    while (true) {
        const auto size = co_await socket_.async_receive(boost::asio::buffer(datagram),
                                                         boost::asio::use_awaitable);
        // A message is newline-separated assignments; READY=1 may be any of them.
        std::string_view rest(datagram.data(), size);
        while (!rest.empty()) {
            const auto end = rest.find('\n');
            if (rest.substr(0, end) == "READY=1")
                co_return;
            if (end == std::string_view::npos)
                break;
            rest.remove_prefix(end + 1);
        }
    }
}

void NotifySocket::close() noexcept {
    boost::system::error_code ignored;
    socket_.close(ignored);
}

} // namespace podpull::io
