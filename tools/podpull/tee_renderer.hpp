// One renderer made of several: --progress-fd writes its events while the terminal (or the
// file, or --json) gets what it always gets.
#pragma once

#include "renderer.hpp"

#include <memory>
#include <vector>

namespace podpull_cli {

// Hands every callback to each renderer in the order they were added.
class TeeRenderer : public Renderer {
  public:
    void add(std::unique_ptr<Renderer> r) { renderers_.push_back(std::move(r)); }

    void start(const std::string &image, Clock::time_point now) override;
    void route(podpull_route route, const char *reason, Clock::time_point now) override;
    void status(const char *line, Clock::time_point now) override;
    void blob(const podpull_blob_progress &p, Clock::time_point now) override;
    void result(const PullSummary &summary, Clock::time_point now) override;
    void error(podpull_code code, const std::string &message, bool retryable, bool interrupted,
               Clock::time_point now) override;

  private:
    std::vector<std::unique_ptr<Renderer>> renderers_;
};

} // namespace podpull_cli
