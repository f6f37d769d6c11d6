// SPDX-License-Identifier: MIT OR Apache-2.0
// -q/--quiet, several images: the image IDs on stdout, one a line in the order the images were
// given (an ID waits for the images before it to end), nothing for an image that failed; each
// error on stderr as it happens, naming its image.
#pragma once

#include "update_renderer.hpp"

#include <cstdio>

namespace podpull_cli {

class QuietUpdateRenderer : public UpdateRenderer {
  public:
    QuietUpdateRenderer(std::FILE *out, std::FILE *err) : out_(out), err_(err) {}

    void start(const UpdateTable &, size_t, Clock::time_point) override {}
    void route(const UpdateTable &, size_t, podpull_route, const char *,
               Clock::time_point) override {}
    void status(const UpdateTable &, size_t, const char *, Clock::time_point) override {}
    void blob(const UpdateTable &, size_t, const podpull_blob_progress &,
              Clock::time_point) override {}
    void result(const UpdateTable &table, size_t index, const PullSummary &summary,
                Clock::time_point now) override;
    void error(const UpdateTable &table, size_t index, podpull_code code,
               const std::string &message, bool retryable, bool interrupted,
               Clock::time_point now) override;
    void end(const UpdateTable &table, double seconds, Clock::time_point now) override;

  private:
    void print_ready(const UpdateTable &table); // the IDs whose turn has come

    std::FILE *out_;
    std::FILE *err_;
    size_t next_ = 0; // the first image whose ID is not printed yet (or that failed)
};

} // namespace podpull_cli
