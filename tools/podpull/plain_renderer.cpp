// SPDX-License-Identifier: MIT OR Apache-2.0
#include "plain_renderer.hpp"

#include "format.hpp"

namespace podpull_cli {

void PlainRenderer::start(const std::string &image, Clock::time_point) {
    std::fprintf(out_, "%spulling %s\n", prefix_.c_str(), image.c_str());
    std::fflush(out_);
}

void PlainRenderer::route(podpull_route route, const char *reason, Clock::time_point) {
    std::fprintf(out_, "%sroute %s: %s\n", prefix_.c_str(), route_name(route),
                 reason != nullptr ? reason : "");
    std::fflush(out_);
}

void PlainRenderer::status(const char *line, Clock::time_point) {
    std::fprintf(out_, "%sstatus %s\n", prefix_.c_str(), line != nullptr ? line : "");
    std::fflush(out_);
}

void PlainRenderer::blob(const podpull_blob_progress &p, Clock::time_point now) {
    const bool changed = table_.update(p, now);
    const std::string id = p.id != nullptr ? p.id : "";
    auto last = last_line_.find(id);
    if (!changed && last != last_line_.end() && now - last->second < std::chrono::seconds(1)) {
        return;
    }
    last_line_[id] = now;
    const std::string sid = short_id(p.id);
    switch (p.state) {
    case PODPULL_BLOB_SKIPPED:
        std::fprintf(out_, "%sblob %s already exists\n", prefix_.c_str(), sid.c_str());
        break;
    case PODPULL_BLOB_DONE:
        std::fprintf(out_, "%sblob %s done %s\n", prefix_.c_str(), sid.c_str(),
                     human_bytes(p.current).c_str());
        break;
    case PODPULL_BLOB_STARTED:
    case PODPULL_BLOB_PULLING: {
        const uint64_t total = p.total > 0 ? static_cast<uint64_t>(p.total) : 0;
        std::fprintf(out_, "%sblob %s %s %s / %s; pull %s / %s, blobs %s done\n", prefix_.c_str(),
                     sid.c_str(), percent(p.current, total).c_str(), human_bytes(p.current).c_str(),
                     total > 0 ? human_bytes(total).c_str() : "?",
                     human_bytes(table_.pull_current()).c_str(),
                     human_bytes(table_.pull_total()).c_str(), table_.blobs_text().c_str());
        break;
    }
    }
    std::fflush(out_);
}

void PlainRenderer::result(const PullSummary &s, Clock::time_point) {
    std::fprintf(out_, "%spulled %s (%s)\n", prefix_.c_str(), s.image_id.c_str(),
                 summary_text(s).c_str());
    std::fflush(out_);
}

void PlainRenderer::error(podpull_code code, const std::string &message, bool /*retryable*/,
                          bool interrupted, Clock::time_point) {
    std::fflush(out_);
    if (interrupted) {
        std::fprintf(err_, "%spodpull: interrupted, pull cancelled\n", prefix_.c_str());
    } else {
        std::fprintf(err_, "%spodpull: %s: %s\n", prefix_.c_str(), podpull_code_str(code),
                     message.c_str());
    }
    std::fflush(err_);
}

} // namespace podpull_cli
