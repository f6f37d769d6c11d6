// SPDX-License-Identifier: MIT OR Apache-2.0
#include "canceller.hpp"

#include "core/error.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/eventfd.h>
#include <unistd.h>

namespace podpull::io {
namespace asio = boost::asio;

namespace {

UniqueFd make_eventfd() {
    UniqueFd fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!fd)
        throw Error(ErrorCode::internal,
                    std::string("cannot create a canceller's eventfd: ") + std::strerror(errno));
    return fd;
}

} // namespace

Canceller::Canceller() : fd_(make_eventfd()) {}

void Canceller::cancel() noexcept {
    const int saved_errno = errno; // a signal handler must leave errno as it found it
    cancelled_.store(true, std::memory_order_release);
    const std::uint64_t one = 1;
    // Only an overflow of the counter fails, which would take 2^64 - 1 calls: the eventfd is
    // readable by then anyway.
    [[maybe_unused]] const auto written = ::write(fd_.get(), &one, sizeof one);
    errno = saved_errno;
}

CancelWatch::CancelWatch(const asio::any_io_executor &executor, const Canceller *canceller)
    : never_(executor, asio::steady_timer::time_point::max()) {
    if (canceller == nullptr)
        return;
    UniqueFd copy(::fcntl(canceller->fd(), F_DUPFD_CLOEXEC, 0));
    if (!copy)
        throw Error(ErrorCode::internal,
                    std::string("cannot watch the canceller: ") + std::strerror(errno));
    descriptor_.emplace(executor, copy.release());
}

void CancelWatch::on_fire(std::function<void()> fired) {
    if (!descriptor_)
        return;
    descriptor_->async_wait(asio::posix::stream_descriptor::wait_read,
                            [fired = std::move(fired)](const boost::system::error_code &ec) {
                                if (!ec)
                                    fired();
                            });
}

asio::awaitable<void> CancelWatch::wait() {
    if (descriptor_)
        co_await descriptor_->async_wait(asio::posix::stream_descriptor::wait_read,
                                         asio::use_awaitable);
    else
        co_await never_.async_wait(asio::use_awaitable);
}

void CancelWatch::stop() noexcept {
    boost::system::error_code ignored;
    if (descriptor_)
        descriptor_->cancel(ignored);
    never_.cancel();
}

} // namespace podpull::io
