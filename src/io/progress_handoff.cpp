// SPDX-License-Identifier: MIT OR Apache-2.0
#include "progress_handoff.hpp"

#include "signal_blocked_thread.hpp"

#include <string>
#include <type_traits>
#include <utility>

namespace podpull::io {

ProgressHandoff::ProgressHandoff(ProgressQueue::Bound bound,
                                 std::function<void(const Error &)> interrupt,
                                 RouteDecision fallback_route)
    : interrupt_(std::move(interrupt)), fallback_route_(std::move(fallback_route)), queue_(bound) {}

bool ProgressHandoff::take_route(RouteDecision &route) {
    if (route_delivered_)
        return false;
    route_delivered_ = true;
    route = route_ ? *route_ : fallback_route_;
    return true;
}

bool ProgressHandoff::publish(ProgressEvent event) {
    std::unique_lock lock(mutex_);
    has_room_.wait(lock, [&] { return cancelled_ || queue_.accepts(event); });
    if (cancelled_)
        return false;
    queue_.push(std::move(event));
    lock.unlock();
    has_event_.notify_one();
    return true;
}

void ProgressHandoff::finish(std::exception_ptr failure) {
    {
        std::lock_guard lock(mutex_);
        if (finished_)
            return; // the first outcome is the reader's; a later one is ReaderThread's fallback
        finished_ = true;
        failure_ = std::move(failure);
    }
    has_event_.notify_one();
}

void ProgressHandoff::cancel(const Error &reason) {
    {
        std::lock_guard lock(mutex_);
        if (cancelled_)
            return;
        cancelled_ = reason;
    }
    has_event_.notify_all();
    has_room_.notify_all();
    interrupt_(reason);
}

void ProgressHandoff::deliver(PullObserver &observer) {
    while (true) {
        std::unique_lock lock(mutex_);
        has_event_.wait(lock, [&] {
            return cancelled_ || finished_ || !queue_.empty() || (route_ && !route_delivered_);
        });
        // The route comes first: the reader's once it published it, else (the pull ends or is
        // cancelled before) the fallback.
        if (RouteDecision route; (route_ || cancelled_ || finished_) && take_route(route)) {
            const std::optional<ManifestSummary> manifest =
                route_ ? std::move(manifest_) : std::nullopt;
            lock.unlock();
            if (manifest)
                observer.manifest_read(*manifest);
            observer.route_chosen(route);
            continue;
        }
        if (cancelled_)
            throw Error(*cancelled_);
        auto event = queue_.pop();
        if (!event) {
            if (failure_)
                std::rethrow_exception(failure_);
            return;
        }
        lock.unlock();
        has_room_.notify_one();
        // The callbacks run without the lock, so the reader keeps reading (and merging) while
        // the host takes its time.
        std::visit(
            [&](const auto &e) {
                using T = std::decay_t<decltype(e)>;
                if constexpr (std::is_same_v<T, StatusEvent>) {
                    observer.status(e.text);
                } else {
                    static_assert(std::is_same_v<T, BlobProgress>);
                    if (!observer.blob(e))
                        cancel(
                            Error(ErrorCode::cancelled, "the on_blob callback cancelled the pull"));
                }
            },
            *event);
    }
}

void ProgressHandoff::Publisher::manifest_read(const ManifestSummary &manifest) {
    std::lock_guard lock(handoff_.mutex_);
    if (handoff_.route_)
        throw Error(ErrorCode::internal, "a pull's reader reported its manifest after its route");
    handoff_.manifest_ = manifest;
}

void ProgressHandoff::Publisher::route_chosen(const RouteDecision &decision) {
    {
        std::lock_guard lock(handoff_.mutex_);
        if (handoff_.route_)
            throw Error(ErrorCode::internal, "a pull's reader reported its route twice");
        handoff_.route_ = decision;
    }
    handoff_.has_event_.notify_one();
}

void ProgressHandoff::Publisher::status(std::string_view line) {
    if (!handoff_.publish(StatusEvent{std::string(line)}))
        throw Error(ErrorCode::cancelled, "the pull was cancelled");
}

bool ProgressHandoff::Publisher::blob(const BlobProgress &progress) {
    return handoff_.publish(progress);
}

ReaderThread::ReaderThread(ProgressHandoff &handoff, std::function<void()> run)
    : handoff_(handoff) {
    auto body = [&handoff, run = std::move(run)] {
        try {
            run();
        } catch (...) {
            handoff.finish(std::current_exception());
        }
        // A reader that returns has finished already; this only keeps the host's thread from
        // waiting forever if it somehow did not.
        handoff.finish(std::make_exception_ptr(
            Error(ErrorCode::internal, "the pull's reader ended without an outcome")));
    };
    thread_ = start_thread_with_signals_blocked(std::move(body));
}

ReaderThread::~ReaderThread() {
    if (!thread_.joinable())
        return;
    handoff_.cancel(Error(ErrorCode::cancelled, "the pull was abandoned"));
    thread_.join();
}

void ReaderThread::join() {
    if (thread_.joinable())
        thread_.join();
}

} // namespace podpull::io
