#include "pull_session.hpp"

#include "libpod_text_decoder.hpp"

#include <type_traits>

namespace podpull {

PullSession::PullSession(Route route, PullObserver &observer, std::size_t max_line)
    : route_(route), observer_(observer), lines_(max_line) {}

void PullSession::feed(std::string_view bytes) {
    lines_.feed(bytes, [this](std::string_view line) {
        events_.clear();
        switch (route_) {
        case Route::libpod_text:
        case Route::libpod_progress:
            decode_libpod_line(line, events_);
            break;
        default:
            throw Error(ErrorCode::internal,
                        "no NDJSON decoder for route " + std::string(route_name(route_)));
        }
        for (const auto &event : events_)
            dispatch(event);
    });
}

void PullSession::dispatch(const PullEvent &event) {
    std::visit(
        [this](const auto &e) {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, StatusEvent>) {
                observer_.status(e.text);
            } else if constexpr (std::is_same_v<T, BlobEvent>) {
                if (auto progress = tracker_.apply(e); progress && !observer_.blob(*progress))
                    throw Error(ErrorCode::cancelled, "the on_blob callback cancelled the pull");
            } else if constexpr (std::is_same_v<T, CompletedEvent>) {
                outcome_ = PullOutcome{e.image_id, tracker_.pull_current()};
            } else {
                static_assert(std::is_same_v<T, FailedEvent>);
                throw Error(e.code, e.message);
            }
        },
        event);
}

PullOutcome PullSession::finish() const {
    if (lines_.pending() != 0)
        throw Error(ErrorCode::io, "the pull stream ended in the middle of a line");
    if (!outcome_)
        throw Error(ErrorCode::io, "the pull stream ended without podman's final report");
    return *outcome_;
}

} // namespace podpull
