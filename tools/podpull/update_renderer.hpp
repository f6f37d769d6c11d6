// SPDX-License-Identifier: MIT OR Apache-2.0
// What an update of several images looks like: one interface, one implementation per output
// mode (tty_update_renderer, plain_update_renderer, json_update_renderer,
// quiet_update_renderer; bootc's events on --progress-fd are the library's own). A call comes
// one at a time (update.hpp holds the lock), names its image by position, and comes after the
// table took the event in, so a renderer may draw from the table.
#pragma once

#include "renderer.hpp"
#include "update_table.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace podpull_cli {

class UpdateRenderer {
  public:
    UpdateRenderer() = default;
    UpdateRenderer(const UpdateRenderer &) = delete;
    UpdateRenderer &operator=(const UpdateRenderer &) = delete;
    virtual ~UpdateRenderer() = default;

    // Once, before the service starts: every image is waiting.
    virtual void begin(const UpdateTable &, Clock::time_point) {}
    // The pull of image `index` begins.
    virtual void start(const UpdateTable &table, size_t index, Clock::time_point now) = 0;
    virtual void route(const UpdateTable &table, size_t index, podpull_route route,
                       const char *reason, Clock::time_point now) = 0;
    virtual void status(const UpdateTable &table, size_t index, const char *line,
                        Clock::time_point now) = 0;
    virtual void blob(const UpdateTable &table, size_t index, const podpull_blob_progress &p,
                      Clock::time_point now) = 0;
    virtual void result(const UpdateTable &table, size_t index, const PullSummary &summary,
                        Clock::time_point now) = 0;
    virtual void error(const UpdateTable &table, size_t index, podpull_code code,
                       const std::string &message, bool retryable, bool interrupted,
                       Clock::time_point now) = 0;
    // Every pull ended (seconds: the whole update's time): the outcome.
    virtual void end(const UpdateTable &table, double seconds, Clock::time_point now) = 0;
};

// An update drawn as one single-image Renderer per image, each told only of its own image's
// events; what a mode adds for the whole update goes in end().
class PerImageRenderers : public UpdateRenderer {
  public:
    void start(const UpdateTable &table, size_t index, Clock::time_point now) override;
    void route(const UpdateTable &table, size_t index, podpull_route route, const char *reason,
               Clock::time_point now) override;
    void status(const UpdateTable &table, size_t index, const char *line,
                Clock::time_point now) override;
    void blob(const UpdateTable &table, size_t index, const podpull_blob_progress &p,
              Clock::time_point now) override;
    void result(const UpdateTable &table, size_t index, const PullSummary &summary,
                Clock::time_point now) override;
    void error(const UpdateTable &table, size_t index, podpull_code code,
               const std::string &message, bool retryable, bool interrupted,
               Clock::time_point now) override;
    void end(const UpdateTable &, double, Clock::time_point) override {}

  protected:
    // The renderer of the next image, in the order given.
    void add(std::unique_ptr<Renderer> r) { renderers_.push_back(std::move(r)); }

  private:
    std::vector<std::unique_ptr<Renderer>> renderers_;
};

// The outcome as people read it, one line per image in the order given, then the update's:
//   pulled 0123456789ab… IMAGE (8.0 MiB in 2.1 s, route DOCKER_COMPAT)
//   failed IMAGE: MESSAGE
//   pulled 2 of 3 images (72.0 MiB in 4.5 s)
std::vector<std::string> outcome_lines(const UpdateTable &table, double seconds);

} // namespace podpull_cli
