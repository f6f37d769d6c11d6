// SPDX-License-Identifier: MIT OR Apache-2.0
#include "live_block.hpp"

#include "tty_renderer.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

namespace podpull_cli {

LiveBlock::Size LiveBlock::size() const {
    Size s;
    // The command's stdout stream has no descriptor of its own (output.hpp: a stream over
    // write(2) on fd 1): then ask fd 1.
    const int fd = ::fileno(out_);
    struct winsize ws {};
    if (::ioctl(fd >= 0 ? fd : STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
        if (ws.ws_col > 0) {
            s.cols = ws.ws_col;
        }
        if (ws.ws_row > 0) {
            s.rows = ws.ws_row;
        }
    }
    return s;
}

void LiveBlock::erase(const Size &size) {
    size_t up = 0;
    for (size_t w : drawn_widths_) {
        up += w == 0 ? 1 : (w + size.cols - 1) / size.cols;
    }
    if (up > 0) {
        std::fprintf(out_, "\x1b[%zuA", up);
    }
    std::fputs("\r\x1b[J", out_);
    drawn_widths_.clear();
}

void LiveBlock::draw(const std::vector<std::string> &lines) {
    if (!cursor_hidden_) {
        std::fputs("\x1b[?25l", out_);
        cursor_hidden_ = true;
    }
    const Size s = size();
    erase(s);
    for (const std::string &line : lines) {
        // One column short of the width: a line that fills it leaves the cursor in the last
        // column, where some terminals wrap at the newline and some do not.
        const std::string fitted = fit_to_width(line, s.cols - 1);
        std::fputs(fitted.c_str(), out_);
        std::fputc('\n', out_);
        drawn_widths_.push_back(visible_width(fitted));
    }
    std::fflush(out_);
}

void LiveBlock::print_above(const std::string &line) {
    const Size s = size();
    erase(s);
    std::fputs(fit_to_width(line, s.cols - 1).c_str(), out_);
    std::fputc('\n', out_);
    std::fflush(out_);
}

void LiveBlock::keep() {
    drawn_widths_.clear();
    if (cursor_hidden_) {
        std::fputs("\x1b[?25h", out_);
        std::fflush(out_);
        cursor_hidden_ = false;
    }
}

} // namespace podpull_cli
