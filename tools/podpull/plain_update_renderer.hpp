// SPDX-License-Identifier: MIT OR Apache-2.0
// Off a terminal, several images: each image's plain lines (plain_renderer.hpp) prefixed by
// "[IMAGE] ", interleaved as the pulls run; at the end the outcome lines (outcome_lines).
#pragma once

#include "update_renderer.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace podpull_cli {

class PlainUpdateRenderer : public PerImageRenderers {
  public:
    PlainUpdateRenderer(std::FILE *out, std::FILE *err, const std::vector<std::string> &images);

    void end(const UpdateTable &table, double seconds, Clock::time_point now) override;

  private:
    std::FILE *out_;
};

} // namespace podpull_cli
