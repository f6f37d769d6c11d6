#include "tee_renderer.hpp"

namespace podpull_cli {

void TeeRenderer::start(const std::string &image, Clock::time_point now) {
    for (auto &r : renderers_) {
        r->start(image, now);
    }
}

void TeeRenderer::route(podpull_route route, const char *reason, Clock::time_point now) {
    for (auto &r : renderers_) {
        r->route(route, reason, now);
    }
}

void TeeRenderer::status(const char *line, Clock::time_point now) {
    for (auto &r : renderers_) {
        r->status(line, now);
    }
}

void TeeRenderer::blob(const podpull_blob_progress &p, Clock::time_point now) {
    for (auto &r : renderers_) {
        r->blob(p, now);
    }
}

void TeeRenderer::result(const PullSummary &summary, Clock::time_point now) {
    for (auto &r : renderers_) {
        r->result(summary, now);
    }
}

void TeeRenderer::error(podpull_code code, const std::string &message, bool retryable,
                        bool interrupted, Clock::time_point now) {
    for (auto &r : renderers_) {
        r->error(code, message, retryable, interrupted, now);
    }
}

} // namespace podpull_cli
