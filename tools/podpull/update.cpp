// SPDX-License-Identifier: MIT OR Apache-2.0
#include "update.hpp"

namespace podpull_cli {

Update::Update(std::vector<std::string> images, std::function<bool()> output_ok,
               std::function<void()> output_lost)
    : table_(std::move(images)), output_ok_(std::move(output_ok)),
      output_lost_(std::move(output_lost)) {}

void Update::check_output() {
    if (!output_ok_()) {
        output_lost_();
    }
}

void Update::begin() {
    const std::lock_guard lock(mutex_);
    for (auto &r : renderers_) {
        r->begin(table_, Clock::now());
    }
    check_output();
}

void Update::start(size_t index) {
    const std::lock_guard lock(mutex_);
    table_.started(index);
    for (auto &r : renderers_) {
        r->start(table_, index, Clock::now());
    }
    check_output();
}

void Update::route(size_t index, podpull_route route, const char *reason) {
    const std::lock_guard lock(mutex_);
    for (auto &r : renderers_) {
        r->route(table_, index, route, reason, Clock::now());
    }
    check_output();
}

void Update::status(size_t index, const char *line) {
    const std::lock_guard lock(mutex_);
    for (auto &r : renderers_) {
        r->status(table_, index, line, Clock::now());
    }
    check_output();
}

void Update::blob(size_t index, const podpull_blob_progress &p) {
    const std::lock_guard lock(mutex_);
    table_.blob(index, p);
    for (auto &r : renderers_) {
        r->blob(table_, index, p, Clock::now());
    }
    check_output();
}

void Update::result(size_t index, const PullSummary &summary) {
    const std::lock_guard lock(mutex_);
    table_.result(index, summary);
    for (auto &r : renderers_) {
        r->result(table_, index, summary, Clock::now());
    }
    check_output();
}

void Update::error(size_t index, podpull_code code, const std::string &message, bool retryable,
                   bool interrupted) {
    const std::lock_guard lock(mutex_);
    table_.failed(index, code, message, interrupted);
    // A pull that a gone reader cancelled is no news to anyone (as with one image).
    if (!output_ok_() && !interrupted) {
        return;
    }
    for (auto &r : renderers_) {
        r->error(table_, index, code, message, retryable, interrupted, Clock::now());
    }
    check_output();
}

void Update::end(double seconds) {
    const std::lock_guard lock(mutex_);
    if (!output_ok_()) {
        return;
    }
    for (auto &r : renderers_) {
        r->end(table_, seconds, Clock::now());
    }
}

std::vector<podpull_code> Update::codes() const {
    const std::lock_guard lock(mutex_);
    return table_.codes();
}

} // namespace podpull_cli
