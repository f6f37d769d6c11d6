// SPDX-License-Identifier: MIT OR Apache-2.0
#include "cancel_hub.hpp"

#include "core/error.hpp"

#include <boost/asio/buffer.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace podpull::io {

CancelHub::CancelHub(const boost::asio::any_io_executor &loop) : reader_(loop) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        throw Error(ErrorCode::internal,
                    std::string("cannot create the cancel pipe: ") + std::strerror(errno));
    reader_.assign(fds[0]);
    write_fd_ = fds[1];
    read_wakeups();
}

CancelHub::~CancelHub() {
    // The loop has stopped by now (the client stops it first), so no read is in flight.
    if (write_fd_ >= 0)
        ::close(write_fd_);
}

void CancelHub::cancel_all() noexcept {
    const int saved_errno = errno; // a signal handler must leave errno as it found it
    generation_.fetch_add(1, std::memory_order_acq_rel);
    const char byte = 'c';
    // A full pipe already holds a wake-up, so EAGAIN loses nothing.
    [[maybe_unused]] const auto written = ::write(write_fd_, &byte, 1);
    errno = saved_errno;
}

CancelHub::Enrolment CancelHub::enrol(std::function<void()> cancel) {
    std::lock_guard lock(mutex_);
    entries_.push_back(Entry{generation_.load(std::memory_order_acquire), std::move(cancel)});
    return Enrolment(*this, std::prev(entries_.end()));
}

CancelHub::Enrolment::~Enrolment() {
    if (hub_ == nullptr)
        return;
    std::lock_guard lock(hub_->mutex_);
    hub_->entries_.erase(entry_);
}

void CancelHub::read_wakeups() {
    reader_.async_read_some(boost::asio::buffer(scratch_),
                            [this](const boost::system::error_code &ec, std::size_t) {
                                if (ec)
                                    return; // the loop is shutting down
                                wake();
                                read_wakeups();
                            });
}

void CancelHub::wake() {
    const auto generation = generation_.load(std::memory_order_acquire);
    std::lock_guard lock(mutex_);
    for (auto &entry : entries_)
        if (entry.generation < generation)
            entry.cancel();
}

} // namespace podpull::io
