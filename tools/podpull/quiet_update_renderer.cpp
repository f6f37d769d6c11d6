// SPDX-License-Identifier: MIT OR Apache-2.0
#include "quiet_update_renderer.hpp"

namespace podpull_cli {

void QuietUpdateRenderer::print_ready(const UpdateTable &table) {
    const auto &rows = table.rows();
    for (; next_ < rows.size(); ++next_) {
        const ImageRow &r = rows[next_];
        if (r.state == ImageState::done) {
            std::fprintf(out_, "%s\n", r.summary.image_id.c_str());
        } else if (r.state != ImageState::failed) {
            break; // still running: the IDs after it wait
        }
    }
    std::fflush(out_);
}

void QuietUpdateRenderer::result(const UpdateTable &table, size_t, const PullSummary &,
                                 Clock::time_point) {
    print_ready(table);
}

void QuietUpdateRenderer::error(const UpdateTable &table, size_t index, podpull_code code,
                                const std::string &message, bool /*retryable*/, bool interrupted,
                                Clock::time_point) {
    const char *image = table.row(index).image.c_str();
    if (interrupted) {
        std::fprintf(err_, "podpull: %s: interrupted, pull cancelled\n", image);
    } else {
        std::fprintf(err_, "podpull: %s: %s: %s\n", image, podpull_code_str(code), message.c_str());
    }
    std::fflush(err_);
    print_ready(table);
}

void QuietUpdateRenderer::end(const UpdateTable &table, double, Clock::time_point) {
    print_ready(table);
}

} // namespace podpull_cli
