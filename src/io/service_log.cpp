// SPDX-License-Identifier: MIT OR Apache-2.0
#include "service_log.hpp"

#include "core/capped_log.hpp"
#include "core/error.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <string_view>
#include <system_error>
#include <unistd.h>

namespace podpull::io {
namespace asio = boost::asio;

struct ServiceLog::State {
    State(const asio::any_io_executor &executor, int read_end, UniqueFd log_file)
        : pipe(executor, read_end), file(std::move(log_file)) {}

    // Keeps `piece` and brings service.log up to date. The file is a copy for a person: once a
    // write to it fails (no space left), it is left as it is, and the memory copy goes on.
    void keep(std::string_view piece) {
        const auto write = kept.append(piece);
        if (!file_ok)
            return;
        std::string_view rest = write.bytes;
        auto offset = static_cast<off_t>(write.offset);
        while (!rest.empty() && file_ok) {
            const ssize_t written = ::pwrite(file.get(), rest.data(), rest.size(), offset);
            if (written < 0 && errno == EINTR)
                continue;
            file_ok = written > 0;
            if (file_ok) {
                rest.remove_prefix(static_cast<std::size_t>(written));
                offset += written;
            }
        }
        if (file_ok && write.truncate)
            file_ok = ::ftruncate(file.get(), offset) == 0;
    }

    asio::posix::stream_descriptor pipe;
    CappedLog kept{head_bytes, tail_bytes};
    UniqueFd file;
    bool file_ok = true;
};

namespace {

asio::awaitable<void> read_pipe(std::shared_ptr<ServiceLog::State> state) {
    std::array<char, 16 * 1024> buffer{};
    while (true) {
        const auto [ec, size] = co_await state->pipe.async_read_some(
            asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
        if (size > 0)
            state->keep(std::string_view(buffer.data(), size));
        if (ec)
            co_return; // the end of the pipe (every writer gone), or close()
    }
}

} // namespace

ServiceLog::ServiceLog(const asio::any_io_executor &executor, UniqueFd file) {
    std::array<int, 2> ends{};
    if (::pipe2(ends.data(), O_CLOEXEC) != 0)
        throw Error(ErrorCode::internal,
                    fmt::format("cannot create a pipe for podman's stderr: {}",
                                std::error_code(errno, std::generic_category()).message()));
    UniqueFd read_end(ends[0]);
    child_end_.reset(ends[1]);
    // The read end only: podman's end stays blocking, as a stderr is. text() reads without
    // waiting.
    ::fcntl(read_end.get(), F_SETFL, ::fcntl(read_end.get(), F_GETFL) | O_NONBLOCK);
    state_ = std::make_shared<State>(executor, read_end.release(), std::move(file));
}

ServiceLog::~ServiceLog() = default;

void ServiceLog::start() {
    child_end_.reset();
    asio::co_spawn(state_->pipe.get_executor(), read_pipe(state_), asio::detached);
}

std::string ServiceLog::text() {
    // The reading coroutine runs on this thread too, so nothing reads beside this; what it
    // would have read next is read here, and its pending read then finds the pipe empty.
    std::array<char, 16 * 1024> buffer{};
    while (state_->pipe.is_open()) {
        const ssize_t size = ::read(state_->pipe.native_handle(), buffer.data(), buffer.size());
        if (size < 0 && errno == EINTR)
            continue;
        if (size <= 0)
            break; // empty for now (EAGAIN), or every writer gone
        state_->keep(std::string_view(buffer.data(), static_cast<std::size_t>(size)));
    }
    return state_->kept.text();
}

void ServiceLog::close() noexcept {
    boost::system::error_code ignored;
    state_->pipe.close(ignored);
}

} // namespace podpull::io
