// SPDX-License-Identifier: MIT OR Apache-2.0
#include "json_update_renderer.hpp"

#include "json_renderer.hpp"

namespace podpull_cli {

JsonUpdateRenderer::JsonUpdateRenderer(std::FILE *out, std::FILE *err, bool quiet,
                                       const std::vector<std::string> &images)
    : out_(out), err_(err), quiet_(quiet) {
    for (size_t i = 0; i < images.size(); ++i) {
        // Quiet: an image's human summary line would not say which image it is; the outcome
        // lines at the end do.
        add(std::make_unique<JsonRenderer>(out, err, true, EventTag{images[i], i}));
    }
}

std::string format_update_event(const UpdateTable &table, double seconds) {
    return R"({"event":"update","images":)" + std::to_string(table.rows().size()) +
           R"(,"pulled":)" + std::to_string(table.pulled()) + R"(,"failed":)" +
           std::to_string(table.failed()) + R"(,"bytes":)" + std::to_string(table.pulled_bytes()) +
           R"(,"bytesCached":)" + std::to_string(table.pulled_bytes_cached()) + R"(,"seconds":)" +
           std::to_string(seconds) + "}";
}

void JsonUpdateRenderer::end(const UpdateTable &table, double seconds, Clock::time_point) {
    std::fprintf(out_, "%s\n", format_update_event(table, seconds).c_str());
    std::fflush(out_);
    if (!quiet_) {
        for (const std::string &line : outcome_lines(table, seconds)) {
            std::fprintf(err_, "%s\n", line.c_str());
        }
        std::fflush(err_);
    }
}

} // namespace podpull_cli
