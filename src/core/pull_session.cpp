// SPDX-License-Identifier: MIT OR Apache-2.0
#include "pull_session.hpp"

#include "image_id.hpp"
#include "jsonmessage_decoder.hpp"
#include "libpod_text_decoder.hpp"
#include "retry_policy.hpp"

#include <fmt/format.h>

#include <type_traits>

namespace podpull {
namespace {

const BlobEvent *finished_blob(const PullEvent &event) {
    const auto *blob = std::get_if<BlobEvent>(&event);
    return blob != nullptr && blob->phase == BlobPhase::finished ? blob : nullptr;
}

} // namespace

PullSession::PullSession(Route route, PullObserver &observer, std::size_t max_line)
    : PullSession(route, observer, own_tracker_, max_line) {}

PullSession::PullSession(Route route, PullObserver &observer, ProgressTracker &tracker,
                         std::size_t max_line)
    : route_(route), format_(WireFormat::libpod), observer_(observer), lines_(max_line),
      tracker_(tracker) {
    switch (route) {
    case Route::libpod_text:
        copy_text_.emplace();
        format_ = WireFormat::libpod;
        break;
    case Route::libpod_progress:
        format_ = WireFormat::libpod;
        break;
    case Route::libpod_compat:
    case Route::docker_compat:
        format_ = WireFormat::jsonmessage;
        break;
    case Route::automatic:
    case Route::subprocess:
    default:
        throw Error(ErrorCode::internal,
                    fmt::format("no NDJSON decoder for route {}", route_name(route)));
    }
}

void PullSession::feed(std::string_view bytes) {
    lines_.feed(bytes, [this](std::string_view line) {
        events_.clear();
        if (format_ == WireFormat::libpod)
            on_libpod_line(line);
        else
            on_jsonmessage_line(line);
    });
}

void PullSession::on_libpod_line(std::string_view line) {
    decode_libpod_line(line, events_);
    for (const auto &event : events_)
        dispatch(event);
}

void PullSession::on_jsonmessage_line(std::string_view line) {
    decode_jsonmessage_line(line, events_);
    // A line came after the held event, so that one was a blob after all: report it now, in
    // its place before this line's events.
    if (held_) {
        const BlobEvent held = std::move(*held_);
        held_.reset();
        dispatch(held);
    }
    last_complete_.reset();
    for (std::size_t i = 0; i < events_.size(); ++i) {
        const BlobEvent *finished = finished_blob(events_[i]);
        if (finished != nullptr && i + 1 == events_.size()) {
            last_complete_ = finished->id;
            // The final report names the image, not a blob. Its id is normally the config
            // blob's, already finished, and the tracker drops the repeat; when nothing was
            // transferred (the image was there already), it is news to the tracker and would
            // show up as a phantom blob. So a "Download complete" for an id never seen waits
            // until a next line shows it was not the last.
            if (!tracker_.knows(finished->id)) {
                held_ = *finished;
                continue;
            }
        }
        dispatch(events_[i]);
    }
}

void PullSession::dispatch(const PullEvent &event) {
    std::visit(
        [this](const auto &e) {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, StatusEvent>) {
                observer_.status(e.text);
                if (copy_text_) {
                    text_events_.clear();
                    copy_text_->read(e.text, text_events_);
                    for (const auto &blob : text_events_)
                        dispatch(blob);
                }
            } else if constexpr (std::is_same_v<T, BlobEvent>) {
                if (auto progress = tracker_.apply(e))
                    tell(*progress);
            } else if constexpr (std::is_same_v<T, CompletedEvent>) {
                outcome_ = PullOutcome{e.image_id, {}, {}};
            } else {
                static_assert(std::is_same_v<T, FailedEvent>);
                throw Error(e.code, explain_rate_limit(explain_api_pull_failure(e.message)));
            }
        },
        event);
}

void PullSession::tell(const BlobProgress &progress) {
    if (!observer_.blob(progress))
        throw Error(ErrorCode::cancelled, "the on_blob callback cancelled the pull");
}

bool PullSession::complete() const noexcept {
    return format_ == WireFormat::libpod ? outcome_.has_value() : last_complete_.has_value();
}

PullOutcome PullSession::finish() {
    if (lines_.pending() != 0)
        throw Error(ErrorCode::io, "the pull stream ended in the middle of a line");
    if (format_ == WireFormat::libpod) {
        if (!outcome_)
            throw Error(ErrorCode::io, "the pull stream ended without podman's final report");
        for (const auto &progress : tracker_.settle())
            tell(progress);
        PullOutcome outcome = *outcome_;
        outcome.totals = tracker_.totals();
        return outcome;
    }
    // podman ends every successful jsonmessage body with "Download complete" and the image
    // ID's first 12 hex digits, and every failed one with an error (jsonmessage_decoder.cpp
    // has the upstream source). A body that ends otherwise was cut short.
    if (!last_complete_)
        throw Error(ErrorCode::io, fmt::format("the {} pull stream ended without podman's final "
                                               "\"Download complete\"",
                                               route_name(route_)));
    if (!is_short_image_id(*last_complete_))
        throw Error(ErrorCode::protocol,
                    fmt::format("podman's final \"Download complete\" names {}, not the first 12 "
                                "hex digits of an image ID",
                                quote_for_message(*last_complete_, 80)));
    for (const auto &progress : tracker_.settle())
        tell(progress);
    return PullOutcome{{}, *last_complete_, tracker_.totals()};
}

} // namespace podpull
