// SPDX-License-Identifier: MIT OR Apache-2.0
// The renderers' side of an update of several images. Each pull runs on a thread of its own
// and its callbacks run there (podpull.h), so every event comes through here: under one lock,
// the table takes it in, every renderer is told (the terminal's mode, then --progress-fd's),
// and the output is checked, so that a reader gone away cancels every pull at once.
#pragma once

#include "update_renderer.hpp"
#include "update_table.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace podpull_cli {

class Update {
  public:
    // output_ok: whether stdout still reaches its reader (it flushes: called under the lock
    // only); output_lost: what then ends the pulls.
    Update(std::vector<std::string> images, std::function<bool()> output_ok,
           std::function<void()> output_lost);

    void add(std::unique_ptr<UpdateRenderer> r) { renderers_.push_back(std::move(r)); }

    void begin();
    void start(size_t index);
    void route(size_t index, podpull_route route, const char *reason);
    void status(size_t index, const char *line);
    void blob(size_t index, const podpull_blob_progress &p);
    void result(size_t index, const PullSummary &summary);
    void error(size_t index, podpull_code code, const std::string &message, bool retryable,
               bool interrupted);
    // Every pull ended: the outcome, unless nobody reads it any more.
    void end(double seconds);
    // Each image's outcome, in the order given.
    std::vector<podpull_code> codes() const;

  private:
    void check_output();

    mutable std::mutex mutex_;
    UpdateTable table_;
    std::vector<std::unique_ptr<UpdateRenderer>> renderers_;
    std::function<bool()> output_ok_;
    std::function<void()> output_lost_;
};

} // namespace podpull_cli
