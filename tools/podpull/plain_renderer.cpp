#include "plain_renderer.hpp"

#include "format.hpp"

namespace podpull_cli {

void PlainRenderer::start(const std::string &image, Clock::time_point) {
    std::fprintf(out_, "pulling %s\n", image.c_str());
    std::fflush(out_);
}

void PlainRenderer::route(podpull_route route, const char *reason, Clock::time_point) {
    std::fprintf(out_, "route %s: %s\n", route_name(route), reason != nullptr ? reason : "");
    std::fflush(out_);
}

void PlainRenderer::status(const char *line, Clock::time_point) {
    std::fprintf(out_, "status %s\n", line != nullptr ? line : "");
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
        std::fprintf(out_, "blob %s already exists\n", sid.c_str());
        break;
    case PODPULL_BLOB_DONE:
        std::fprintf(out_, "blob %s done %s\n", sid.c_str(), human_bytes(p.current).c_str());
        break;
    case PODPULL_BLOB_STARTED:
    case PODPULL_BLOB_PULLING: {
        const uint64_t total = p.total > 0 ? static_cast<uint64_t>(p.total) : 0;
        std::fprintf(out_, "blob %s %s %s / %s; pull %s / %s, blobs %s done\n", sid.c_str(),
                     percent(p.current, total).c_str(), human_bytes(p.current).c_str(),
                     total > 0 ? human_bytes(total).c_str() : "?",
                     human_bytes(table_.pull_current()).c_str(),
                     human_bytes(table_.pull_total()).c_str(), table_.blobs_text().c_str());
        break;
    }
    }
    std::fflush(out_);
}

void PlainRenderer::result(const PullSummary &s, Clock::time_point) {
    std::fprintf(out_, "pulled %s (%s)\n", s.image_id.c_str(), summary_text(s).c_str());
    std::fflush(out_);
}

void PlainRenderer::error(podpull_code code, const std::string &message, bool /*retryable*/,
                          bool interrupted, Clock::time_point) {
    std::fflush(out_);
    if (interrupted) {
        std::fprintf(err_, "podpull: interrupted, pull cancelled\n");
    } else {
        std::fprintf(err_, "podpull: %s: %s\n", podpull_code_str(code), message.c_str());
    }
    std::fflush(err_);
}

} // namespace podpull_cli
