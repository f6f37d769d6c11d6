// SPDX-License-Identifier: MIT OR Apache-2.0
#include "quiet_renderer.hpp"

namespace podpull_cli {

void QuietRenderer::result(const PullSummary &summary, Clock::time_point) {
    std::fprintf(out_, "%s\n", summary.image_id.c_str());
    std::fflush(out_);
}

void QuietRenderer::error(podpull_code code, const std::string &message, bool /*retryable*/,
                          bool interrupted, Clock::time_point) {
    if (interrupted) {
        std::fprintf(err_, "podpull: interrupted, pull cancelled\n");
    } else {
        std::fprintf(err_, "podpull: %s: %s\n", podpull_code_str(code), message.c_str());
    }
    std::fflush(err_);
}

} // namespace podpull_cli
