// SPDX-License-Identifier: MIT OR Apache-2.0
#include "podpull_test/recorder.hpp"

#include <array>
#include <cstddef>
#include <sstream>

namespace podpull_test {

const char *state_name(podpull_blob_state state) {
    // podpull.h numbers the states from 0 (STARTED) to 3 (SKIPPED).
    static constexpr std::array<const char *, 4> names = {"STARTED", "PULLING", "DONE", "SKIPPED"};
    const auto i = static_cast<std::size_t>(state);
    return i < names.size() ? names[i] : "?";
}

PullRecorder::PullRecorder() : caller_(std::this_thread::get_id()) {}

podpull_callbacks PullRecorder::callbacks() {
    podpull_callbacks cb;
    podpull_callbacks_init(&cb);
    cb.user_data = this;
    cb.on_route = &PullRecorder::route_cb;
    cb.on_status = &PullRecorder::status_cb;
    cb.on_blob = &PullRecorder::blob_cb;
    return cb;
}

void PullRecorder::mark_started() {
    std::lock_guard<std::mutex> lock(mutex_);
    caller_ = std::this_thread::get_id();
}

void PullRecorder::mark_returned() {
    returned_.store(true);
}

void PullRecorder::common(char kind) {
    // mutex_ held by the caller
    if (returned_.load()) {
        ++s_.after_return;
    }
    if (std::this_thread::get_id() != caller_) {
        ++s_.wrong_thread;
    }
    if (s_.sequence.empty()) {
        s_.route_first = (kind == 'R');
    }
    if (s_.sequence.size() < 400) {
        s_.sequence += kind;
    }
}

void PullRecorder::route_cb(void *ud, podpull_route route, const char *reason) {
    auto *self = static_cast<PullRecorder *>(ud);
    std::lock_guard<std::mutex> lock(self->mutex_);
    self->common('R');
    ++self->s_.route_calls;
    self->s_.route = route;
    self->s_.reason = reason != nullptr ? reason : "";
}

void PullRecorder::status_cb(void *ud, const char *line) {
    auto *self = static_cast<PullRecorder *>(ud);
    std::string text = line != nullptr ? line : "";
    {
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->common('S');
        self->s_.status.push_back(text);
        self->note("status " + text);
    }
    if (self->on_status_hook) {
        self->on_status_hook(text);
    }
}

int PullRecorder::blob_cb(void *ud, const podpull_blob_progress *progress) {
    auto *self = static_cast<PullRecorder *>(ud);
    {
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->common('B');
        ++self->s_.blob_calls;
        if (progress != nullptr && self->s_.blobs.size() < 10000) {
            BlobEvent e;
            e.id = progress->id != nullptr ? progress->id : "(null)";
            e.state = progress->state;
            e.current = progress->current;
            e.total = progress->total;
            e.pull_current = progress->pull_current;
            e.pull_total = progress->pull_total;
            e.blobs_seen = progress->blobs_seen;
            e.blobs_done = progress->blobs_done;
            e.has_cached_fields =
                progress->struct_size >=
                offsetof(podpull_blob_progress, blobs_cached) + sizeof progress->blobs_cached;
            if (e.has_cached_fields) {
                e.pull_cached = progress->pull_cached;
                e.blobs_total = progress->blobs_total;
                e.blobs_cached = progress->blobs_cached;
            }
            self->s_.blobs.push_back(e);
            self->note("blob " + e.id + " " + state_name(e.state));
        }
    }
    if (progress != nullptr && self->on_blob_hook) {
        return self->on_blob_hook(*progress);
    }
    return 0;
}

void PullRecorder::note(std::string event) {
    // mutex_ held by the caller
    if (s_.timeline.size() < 10000) {
        s_.timeline.push_back(std::move(event));
    }
}

PullRecorder::Snapshot PullRecorder::snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return s_;
}

std::string PullRecorder::summary() const {
    Snapshot s = snapshot();
    std::ostringstream o;
    o << "callbacks: on_route x" << s.route_calls << " (route " << static_cast<int>(s.route)
      << ", reason \"" << s.reason << "\"), on_status x" << s.status.size() << ", on_blob x"
      << s.blob_calls << ", wrong thread x" << s.wrong_thread << ", after return x"
      << s.after_return << ", order " << s.sequence << "\n";
    for (size_t i = 0; i < s.status.size() && i < 40; ++i) {
        o << "  status: " << s.status[i] << "\n";
    }
    for (size_t i = 0; i < s.blobs.size() && i < 60; ++i) {
        const auto &b = s.blobs[i];
        o << "  blob: " << b.id << " " << state_name(b.state) << " " << b.current << "/" << b.total
          << " pull " << b.pull_current << "/" << b.pull_total << " blobs " << b.blobs_done << "/"
          << b.blobs_seen << "\n";
    }
    return o.str();
}

} // namespace podpull_test
