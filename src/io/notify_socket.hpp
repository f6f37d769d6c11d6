// SPDX-License-Identifier: MIT OR Apache-2.0
// The sd_notify(3) protocol from the receiving end: a datagram socket whose path goes to the
// service as NOTIFY_SOCKET. podman sends "READY=1" (with MAINPID) once its API socket is
// listening, so readiness is an event, not a poll.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/datagram_protocol.hpp>

#include <string>

namespace podpull::io {

class NotifySocket {
  public:
    // Binds the socket at `path`. A failure (a full file system cannot take the socket's
    // inode) is left in `ec`, for the caller to say which directory failed; check it first.
    NotifySocket(const boost::asio::any_io_executor &executor, const std::string &path,
                 boost::system::error_code &ec);

    const std::string &path() const noexcept { return path_; }

    // Completes when a datagram carrying READY=1 arrives; other messages are skipped.
    boost::asio::awaitable<void> wait_ready();

    void close() noexcept;

  private:
    std::string path_;
    boost::asio::local::datagram_protocol::socket socket_;
};

} // namespace podpull::io
