// SPDX-License-Identifier: MIT OR Apache-2.0
// A block of lines at the bottom of a terminal, redrawn in place: up over what was drawn
// (counting the rows a line wrapped onto, should the terminal have shrunk), clear to the end
// of the screen, the new lines, each cut to the terminal's width (TIOCGWINSZ, read at every
// draw) so that none wraps. The cursor is hidden from the first draw until keep() or the end.
// Both terminal views draw through it: one image's (tty_renderer) and an update's.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace podpull_cli {

class LiveBlock {
  public:
    struct Size {
        size_t cols = 80;
        size_t rows = 24;
    };

    explicit LiveBlock(std::FILE *out) : out_(out) {}
    LiveBlock(const LiveBlock &) = delete;
    LiveBlock &operator=(const LiveBlock &) = delete;
    ~LiveBlock() { keep(); }

    Size size() const;
    void draw(const std::vector<std::string> &lines);
    // A line that stays: the block is erased, the line printed (cut to the width), and the
    // next draw starts below it.
    void print_above(const std::string &line);
    // What is on the screen stays there: the next draw starts below it. Shows the cursor.
    void keep();

  private:
    void erase(const Size &size);

    std::FILE *out_;
    std::vector<size_t> drawn_widths_; // visible width of each line on the screen
    bool cursor_hidden_ = false;
};

} // namespace podpull_cli
