// SPDX-License-Identifier: MIT OR Apache-2.0
#include "plain_update_renderer.hpp"

#include "plain_renderer.hpp"

namespace podpull_cli {

PlainUpdateRenderer::PlainUpdateRenderer(std::FILE *out, std::FILE *err,
                                         const std::vector<std::string> &images)
    : out_(out) {
    for (const std::string &image : images) {
        add(std::make_unique<PlainRenderer>(out, err, "[" + image + "] "));
    }
}

void PlainUpdateRenderer::end(const UpdateTable &table, double seconds, Clock::time_point) {
    for (const std::string &line : outcome_lines(table, seconds)) {
        std::fprintf(out_, "%s\n", line.c_str());
    }
    std::fflush(out_);
}

} // namespace podpull_cli
