// SPDX-License-Identifier: MIT OR Apache-2.0
// --json, several images: each image's events (json_renderer.hpp) with "image" and "index"
// added, interleaved as the pulls run, one object per line; then, once every pull ended,
//   {"event":"update","images":N,"pulled":K,"failed":F,"bytes":N,"bytesCached":N,"seconds":S}
// (bytes and bytesCached: the pulled images' results added up), and on stderr, unless
// --quiet, the outcome lines (outcome_lines).
#pragma once

#include "update_renderer.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace podpull_cli {

class JsonUpdateRenderer : public PerImageRenderers {
  public:
    JsonUpdateRenderer(std::FILE *out, std::FILE *err, bool quiet,
                       const std::vector<std::string> &images);

    void end(const UpdateTable &table, double seconds, Clock::time_point now) override;

  private:
    std::FILE *out_;
    std::FILE *err_;
    bool quiet_;
};

// The final event of an update; exposed for tests.
std::string format_update_event(const UpdateTable &table, double seconds);

} // namespace podpull_cli
