// SPDX-License-Identifier: MIT OR Apache-2.0
#include "tty_update_renderer.hpp"

#include "format.hpp"
#include "tty_renderer.hpp"

#include <algorithm>

namespace podpull_cli {

namespace {
constexpr auto redraw_interval = std::chrono::milliseconds(100);
constexpr size_t bar_cells = 24;
constexpr size_t max_name_width = 32;

double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

std::string pad(const std::string &s, size_t width) {
    const std::string cut = fit_to_width(s, width);
    return cut + std::string(width - visible_width(cut), ' ');
}

std::string image_line(const ImageRow &r, size_t name_width) {
    std::string blobs = std::to_string(r.blobs_done) + "/" + std::to_string(r.blobs_total);
    if (r.blobs_cached > 0) {
        blobs += " (" + std::to_string(r.blobs_cached) + " cached)";
    }
    char buf[256];
    std::snprintf(buf, sizeof buf, " %s %10s / %-10s %-7s",
                  bar(r.bytes, r.bytes_total, bar_cells).c_str(), human_bytes(r.bytes).c_str(),
                  r.bytes_total > 0 ? human_bytes(r.bytes_total).c_str() : "?",
                  image_state_name(r.state));
    std::string line = pad(short_name(r.image), name_width) + buf;
    if (r.blobs_total > 0) {
        line += "  blobs " + blobs;
    }
    return line;
}

std::string update_line(const UpdateTable &t, double rate, double elapsed) {
    std::string images =
        "images " + std::to_string(t.pulled()) + "/" + std::to_string(t.rows().size()) + " done";
    if (t.failed() > 0) {
        images += ", " + std::to_string(t.failed()) + " failed";
    }
    const uint64_t cur = t.bytes();
    const uint64_t tot = t.bytes_total();
    if (tot == 0) {
        return "update elapsed " + human_seconds(elapsed) + "  " + images;
    }
    std::string eta = "?";
    if (t.totals_known() && cur >= tot) {
        eta = "0 s";
    } else if (t.totals_known() && rate > 0) {
        eta = human_seconds(static_cast<double>(tot - cur) / rate);
    }
    std::string blobs = std::to_string(t.blobs_done()) + "/" + std::to_string(t.blobs_total());
    if (t.blobs_cached() > 0) {
        blobs += " (" + std::to_string(t.blobs_cached()) + " cached)";
    }
    char buf[256];
    std::snprintf(buf, sizeof buf, "update %s %s / %s  %s  ETA %s  blobs %s  ",
                  percent(cur, tot).c_str(), human_bytes(cur).c_str(), human_bytes(tot).c_str(),
                  human_rate(rate).c_str(), eta.c_str(), blobs.c_str());
    return buf + images;
}

// Which images get a line when not all fit: those still to come or running first, in the
// order given, then the finished ones; shown in the order given.
std::vector<size_t> shown_images(const UpdateTable &t, size_t room) {
    std::vector<size_t> order;
    for (int pass = 0; pass < 2; ++pass) {
        for (size_t i = 0; i < t.rows().size(); ++i) {
            const ImageState s = t.row(i).state;
            const bool finished = s == ImageState::done || s == ImageState::failed;
            if (finished == (pass == 1)) {
                order.push_back(i);
            }
        }
    }
    order.resize(std::min(order.size(), room));
    std::sort(order.begin(), order.end());
    return order;
}
} // namespace

std::string short_name(const std::string &image) {
    const size_t slash = image.find_last_of('/');
    if (slash == std::string::npos || slash + 1 == image.size()) {
        return image;
    }
    return image.substr(slash + 1);
}

std::vector<std::string> update_block(const UpdateTable &table, double rate, double elapsed,
                                      const std::string &status, size_t rows) {
    size_t name_width = 1;
    for (const ImageRow &r : table.rows()) {
        name_width = std::max(name_width, visible_width(short_name(r.image)));
    }
    name_width = std::min(name_width, max_name_width);
    // Keep the block within the terminal: the update line, the status line, a "more" line
    // and the line the cursor rests on.
    const size_t room = rows > 5 ? rows - 4 : 1;
    std::vector<std::string> lines;
    const std::vector<size_t> shown = shown_images(table, room);
    for (size_t i : shown) {
        lines.push_back(image_line(table.row(i), name_width));
    }
    if (shown.size() < table.rows().size()) {
        lines.push_back("... " + std::to_string(table.rows().size() - shown.size()) +
                        " more images");
    }
    lines.push_back(update_line(table, rate, elapsed));
    if (!status.empty()) {
        lines.push_back("status " + status);
    }
    return lines;
}

void UpdateStatus::said(size_t index, std::string line) {
    index_ = index;
    text_ = std::move(line);
}

void UpdateStatus::moved_on(size_t index) {
    if (index_ == index) {
        index_.reset();
        text_.clear();
    }
}

void TtyUpdateRenderer::begin(const UpdateTable &table, Clock::time_point now) {
    start_ = now;
    redraw(table, now);
}

void TtyUpdateRenderer::start(const UpdateTable &table, size_t, Clock::time_point now) {
    redraw(table, now);
}

void TtyUpdateRenderer::status(const UpdateTable &table, size_t index, const char *line,
                               Clock::time_point now) {
    status_.said(index, short_name(table.row(index).image) + ": " + (line != nullptr ? line : ""));
    maybe_redraw(table, now);
}

void TtyUpdateRenderer::blob(const UpdateTable &table, size_t index, const podpull_blob_progress &,
                             Clock::time_point now) {
    status_.moved_on(index);
    if (!first_blob_) {
        first_blob_ = now;
    }
    maybe_redraw(table, now);
}

void TtyUpdateRenderer::result(const UpdateTable &table, size_t index, const PullSummary &,
                               Clock::time_point now) {
    status_.moved_on(index);
    redraw(table, now);
}

void TtyUpdateRenderer::error(const UpdateTable &table, size_t index, podpull_code,
                              const std::string &, bool, bool, Clock::time_point now) {
    status_.moved_on(index);
    // The message waits for the outcome lines: written now, it would tear the block.
    redraw(table, now);
}

void TtyUpdateRenderer::maybe_redraw(const UpdateTable &table, Clock::time_point now) {
    if (now - last_draw_ >= redraw_interval) {
        redraw(table, now);
    }
}

void TtyUpdateRenderer::redraw(const UpdateTable &table, Clock::time_point now) {
    double rate = 0;
    if (first_blob_) {
        const double s = seconds_between(*first_blob_, now);
        rate = s > 0.05 ? static_cast<double>(table.bytes_fetched()) / s : 0.0;
    }
    block_.draw(update_block(table, rate, seconds_between(start_, now), status_.text(),
                             block_.size().rows));
    last_draw_ = now;
}

void TtyUpdateRenderer::end(const UpdateTable &table, double seconds, Clock::time_point now) {
    redraw(table, now);
    block_.keep();
    for (const std::string &line : outcome_lines(table, seconds)) {
        std::fprintf(out_, "%s\n", line.c_str());
    }
    std::fflush(out_);
    bool interrupted = false;
    for (const ImageRow &r : table.rows()) {
        interrupted = interrupted || r.interrupted;
    }
    if (interrupted) {
        std::fprintf(err_, "podpull: interrupted, update cancelled\n");
        std::fflush(err_);
    }
}

} // namespace podpull_cli
