// SPDX-License-Identifier: MIT OR Apache-2.0
#include "tty_renderer.hpp"

#include "format.hpp"

namespace podpull_cli {

namespace {
constexpr auto redraw_interval = std::chrono::milliseconds(100);
constexpr size_t bar_cells = 24;

bool is_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}
} // namespace

size_t visible_width(const std::string &line) {
    size_t n = 0;
    for (char c : line) {
        if (!is_continuation(c)) {
            ++n;
        }
    }
    return n;
}

std::string fit_to_width(const std::string &line, size_t cols) {
    size_t n = 0;
    for (size_t i = 0; i < line.size(); ++i) {
        if (!is_continuation(line[i])) {
            if (n == cols) {
                return line.substr(0, i);
            }
            ++n;
        }
    }
    return line;
}

std::string bar(uint64_t current, uint64_t total, size_t width) {
    const size_t inner = width - 2;
    size_t filled = 0;
    if (total > 0) {
        filled = current >= total
                     ? inner
                     : static_cast<size_t>(static_cast<double>(current) /
                                           static_cast<double>(total) * static_cast<double>(inner));
    }
    return "[" + std::string(filled, '#') + std::string(inner - filled, '-') + "]";
}

void TtyRenderer::print_line(const std::string &line) {
    live_.print_above(line);
    drawn_once_ = false; // the block goes below the new line, drawn at the next redraw
}

void TtyRenderer::start(const std::string &image, Clock::time_point now) {
    start_ = now;
    print_line("pulling " + image);
}

void TtyRenderer::route(podpull_route route, const char *reason, Clock::time_point) {
    print_line(std::string("route ") + route_name(route) + ": " +
               (reason != nullptr ? reason : ""));
}

void TtyRenderer::status(const char *line, Clock::time_point now) {
    status_ = line != nullptr ? line : "";
    maybe_redraw(now);
}

void TtyRenderer::blob(const podpull_blob_progress &p, Clock::time_point now) {
    table_.update(p, now);
    maybe_redraw(now);
}

void TtyRenderer::maybe_redraw(Clock::time_point now) {
    if (!drawn_once_ || now - last_draw_ >= redraw_interval) {
        redraw(now);
    }
}

std::vector<std::string> TtyRenderer::block(Clock::time_point now,
                                            const LiveBlock::Size &size) const {
    std::vector<std::string> lines;
    const auto &rows = table_.rows();
    // Keep the block within the terminal: route line, pull line, status line, "more" line.
    const size_t max_blob_lines = size.rows > 6 ? size.rows - 5 : 1;
    size_t first = 0;
    if (rows.size() > max_blob_lines) {
        first = rows.size() - max_blob_lines;
        lines.push_back("... " + std::to_string(first) + " earlier blobs");
    }
    char buf[256];
    for (size_t i = first; i < rows.size(); ++i) {
        const BlobRow &r = rows[i];
        const std::string sid = short_id(r.id.c_str());
        if (r.state == PODPULL_BLOB_SKIPPED) {
            lines.push_back(sid + " Already exists");
            continue;
        }
        if (r.state == PODPULL_BLOB_DONE) {
            lines.push_back(sid + " done " + human_bytes(r.current));
            continue;
        }
        const uint64_t total = r.total > 0 ? static_cast<uint64_t>(r.total) : 0;
        std::snprintf(buf, sizeof buf, "%s %s %10s / %-10s %12s", sid.c_str(),
                      bar(r.current, total, bar_cells).c_str(), human_bytes(r.current).c_str(),
                      total > 0 ? human_bytes(total).c_str() : "?", human_rate(r.rate()).c_str());
        lines.emplace_back(buf);
    }
    if (table_.any()) {
        const uint64_t cur = table_.pull_current();
        const uint64_t tot = table_.pull_total();
        const double rate = table_.pull_rate(now);
        std::string eta = "?";
        if (rate > 0 && tot > cur) {
            eta = human_seconds(static_cast<double>(tot - cur) / rate);
        } else if (tot > 0 && cur >= tot) {
            eta = "0 s";
        }
        std::snprintf(buf, sizeof buf, "total %s %s / %s  %s  ETA %s  blobs %s",
                      percent(cur, tot).c_str(), human_bytes(cur).c_str(), human_bytes(tot).c_str(),
                      human_rate(rate).c_str(), eta.c_str(), table_.blobs_text().c_str());
        lines.emplace_back(buf);
    } else {
        lines.push_back("elapsed " +
                        human_seconds(std::chrono::duration<double>(now - start_).count()));
    }
    if (!status_.empty()) {
        lines.push_back("status " + status_);
    }
    return lines;
}

void TtyRenderer::redraw(Clock::time_point now) {
    live_.draw(block(now, live_.size()));
    drawn_once_ = true;
    last_draw_ = now;
}

void TtyRenderer::result(const PullSummary &s, Clock::time_point now) {
    redraw(now);
    live_.keep(); // the final block stays on screen
    char buf[512];
    std::snprintf(buf, sizeof buf, "pulled %s (%s)", s.image_id.c_str(), summary_text(s).c_str());
    std::fputs(buf, out_);
    std::fputc('\n', out_);
    std::fflush(out_);
}

void TtyRenderer::error(podpull_code code, const std::string &message, bool /*retryable*/,
                        bool interrupted, Clock::time_point now) {
    redraw(now);
    live_.keep();
    if (interrupted) {
        std::fprintf(err_, "podpull: interrupted, pull cancelled\n");
    } else {
        std::fprintf(err_, "podpull: %s: %s\n", podpull_code_str(code), message.c_str());
    }
    std::fflush(err_);
}

} // namespace podpull_cli
