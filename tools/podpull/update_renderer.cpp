// SPDX-License-Identifier: MIT OR Apache-2.0
#include "update_renderer.hpp"

#include "format.hpp"

namespace podpull_cli {

void PerImageRenderers::start(const UpdateTable &table, size_t index, Clock::time_point now) {
    renderers_.at(index)->start(table.row(index).image, now);
}

void PerImageRenderers::route(const UpdateTable &, size_t index, podpull_route route,
                              const char *reason, Clock::time_point now) {
    renderers_.at(index)->route(route, reason, now);
}

void PerImageRenderers::status(const UpdateTable &, size_t index, const char *line,
                               Clock::time_point now) {
    renderers_.at(index)->status(line, now);
}

void PerImageRenderers::blob(const UpdateTable &, size_t index, const podpull_blob_progress &p,
                             Clock::time_point now) {
    renderers_.at(index)->blob(p, now);
}

void PerImageRenderers::result(const UpdateTable &, size_t index, const PullSummary &summary,
                               Clock::time_point now) {
    renderers_.at(index)->result(summary, now);
}

void PerImageRenderers::error(const UpdateTable &, size_t index, podpull_code code,
                              const std::string &message, bool retryable, bool interrupted,
                              Clock::time_point now) {
    renderers_.at(index)->error(code, message, retryable, interrupted, now);
}

std::vector<std::string> outcome_lines(const UpdateTable &table, double seconds) {
    std::vector<std::string> lines;
    for (const ImageRow &r : table.rows()) {
        switch (r.state) {
        case ImageState::done:
            lines.push_back("pulled " + short_id(r.summary.image_id.c_str()) + "\u2026 " + r.image +
                            " (" + summary_text(r.summary) + ")");
            break;
        case ImageState::failed:
            lines.push_back("failed " + r.image + ": " +
                            (r.interrupted ? std::string("interrupted") : r.message));
            break;
        case ImageState::waiting:
        case ImageState::pulling: // cannot be at the end; said all the same
            lines.push_back("failed " + r.image + ": not finished");
            break;
        }
    }
    lines.push_back("pulled " + std::to_string(table.pulled()) + " of " +
                    std::to_string(table.rows().size()) + " images (" +
                    human_bytes(table.pulled_bytes()) + " in " + human_seconds(seconds) + ")");
    return lines;
}

} // namespace podpull_cli
