// SPDX-License-Identifier: MIT OR Apache-2.0
// -q/--quiet: nothing while pulling; the image ID on stdout at the end, errors on stderr.
#pragma once

#include "renderer.hpp"

#include <cstdio>

namespace podpull_cli {

class QuietRenderer : public Renderer {
  public:
    QuietRenderer(std::FILE *out, std::FILE *err) : out_(out), err_(err) {}

    void start(const std::string &, Clock::time_point) override {}
    void route(podpull_route, const char *, Clock::time_point) override {}
    void status(const char *, Clock::time_point) override {}
    void blob(const podpull_blob_progress &, Clock::time_point) override {}
    void result(const PullSummary &summary, Clock::time_point now) override;
    void error(podpull_code code, const std::string &message, bool retryable, bool interrupted,
               Clock::time_point now) override;

  private:
    std::FILE *out_;
    std::FILE *err_;
};

} // namespace podpull_cli
