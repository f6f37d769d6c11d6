// SPDX-License-Identifier: MIT OR Apache-2.0
// On a terminal: the route once, then a block redrawn in place (cursor up, clear to end of
// screen) at most 10 times a second: one line per blob (short digest, bar, bytes/total,
// rate, or done / Already exists), a whole-pull line (percent, bytes/total, rate, ETA,
// blobs done/seen) and the latest status line. Lines are cut to the terminal width
// (TIOCGWINSZ, read at every redraw), and the block's height to the terminal's. The cursor
// is hidden while drawing and shown again at the end (also on error, Ctrl-C, destruction).
#pragma once

#include "blob_table.hpp"
#include "live_block.hpp"
#include "renderer.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace podpull_cli {

class TtyRenderer : public Renderer {
  public:
    TtyRenderer(std::FILE *out, std::FILE *err) : out_(out), err_(err), live_(out) {}

    void start(const std::string &image, Clock::time_point now) override;
    void route(podpull_route route, const char *reason, Clock::time_point now) override;
    void status(const char *line, Clock::time_point now) override;
    void blob(const podpull_blob_progress &p, Clock::time_point now) override;
    void result(const PullSummary &summary, Clock::time_point now) override;
    void error(podpull_code code, const std::string &message, bool retryable, bool interrupted,
               Clock::time_point now) override;

  private:
    void maybe_redraw(Clock::time_point now);
    void redraw(Clock::time_point now);
    void print_line(const std::string &line); // a permanent line above the block
    std::vector<std::string> block(Clock::time_point now, const LiveBlock::Size &size) const;

    std::FILE *out_;
    std::FILE *err_;
    LiveBlock live_; // shows the cursor again when it goes (also on error, Ctrl-C)
    BlobTable table_;
    std::string status_;
    Clock::time_point start_{};
    Clock::time_point last_draw_{};
    bool drawn_once_ = false;
};

// Cut `line` to at most `cols` visible characters (UTF-8 aware); exposed for tests.
std::string fit_to_width(const std::string &line, size_t cols);
// Number of visible characters (UTF-8 code points) of `line`.
size_t visible_width(const std::string &line);
// "[#####-----]" of `width` cells, `width` >= 2.
std::string bar(uint64_t current, uint64_t total, size_t width);

} // namespace podpull_cli
