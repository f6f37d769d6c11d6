// SPDX-License-Identifier: MIT OR Apache-2.0
// Off a terminal (pipe, file, CI log): plain lines, no escape codes. Every state change and
// at most one progress line per blob per second; the route once; a summary at the end.
#pragma once

#include "blob_table.hpp"
#include "renderer.hpp"

#include <cstdio>
#include <map>
#include <string>

namespace podpull_cli {

class PlainRenderer : public Renderer {
  public:
    // prefix: put before every line, on both streams ("[IMAGE] " when an update pulls several
    // images, whose lines interleave); "" for one image.
    PlainRenderer(std::FILE *out, std::FILE *err, std::string prefix = {})
        : out_(out), err_(err), prefix_(std::move(prefix)) {}

    void start(const std::string &image, Clock::time_point now) override;
    void route(podpull_route route, const char *reason, Clock::time_point now) override;
    void status(const char *line, Clock::time_point now) override;
    void blob(const podpull_blob_progress &p, Clock::time_point now) override;
    void result(const PullSummary &summary, Clock::time_point now) override;
    void error(podpull_code code, const std::string &message, bool retryable, bool interrupted,
               Clock::time_point now) override;

  private:
    std::FILE *out_;
    std::FILE *err_;
    std::string prefix_;
    BlobTable table_;
    std::map<std::string, Clock::time_point> last_line_; // per blob id
};

} // namespace podpull_cli
