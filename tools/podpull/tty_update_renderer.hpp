// SPDX-License-Identifier: MIT OR Apache-2.0
// On a terminal, several images: a block redrawn in place (live_block.hpp) at most 10 times a
// second, and at once when a pull begins or ends:
//   test:v1     [##########--------------]    8.0 MiB / 13.0 MiB    pulling  blobs 2/4
//   derived:v1  [------------------------]        0 B / ?           waiting
//   update  45% 72.0 MiB / 160.0 MiB  16.0 MiB/s  ETA 5.0 s  blobs 4/10  images 1/4 done
//   status derived:v1: waiting for ...
// one line per image (its short name, a bar of its bytes in the storage, fetched and cached,
// over its size, its state and blobs), the whole update's line (sums over the images of what
// is known so far; the ETA only once every size is known) and the latest status line of any
// pull still at that step. The block keeps to the terminal's height. At the end the block stays,
// and the outcome lines (outcome_lines) follow it.
#pragma once

#include "live_block.hpp"
#include "update_renderer.hpp"

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace podpull_cli {

// The status line of the block: what a pull said last, for as long as it is true. A status
// tells what a pull does between its blobs ("waiting for 1 other pull ...", "Trying to
// pull ...", "Writing manifest ..."), so it goes when that pull reports a blob or ends; the
// next status of any pull replaces it.
class UpdateStatus {
  public:
    void said(size_t index, std::string line);
    // Pull `index` reported a blob or ended.
    void moved_on(size_t index);
    const std::string &text() const { return text_; }

  private:
    std::optional<size_t> index_;
    std::string text_;
};

class TtyUpdateRenderer : public UpdateRenderer {
  public:
    TtyUpdateRenderer(std::FILE *out, std::FILE *err) : out_(out), err_(err), block_(out) {}

    void begin(const UpdateTable &table, Clock::time_point now) override;
    void start(const UpdateTable &table, size_t index, Clock::time_point now) override;
    void route(const UpdateTable &, size_t, podpull_route, const char *,
               Clock::time_point) override {}
    void status(const UpdateTable &table, size_t index, const char *line,
                Clock::time_point now) override;
    void blob(const UpdateTable &table, size_t index, const podpull_blob_progress &p,
              Clock::time_point now) override;
    void result(const UpdateTable &table, size_t index, const PullSummary &summary,
                Clock::time_point now) override;
    void error(const UpdateTable &table, size_t index, podpull_code code,
               const std::string &message, bool retryable, bool interrupted,
               Clock::time_point now) override;
    void end(const UpdateTable &table, double seconds, Clock::time_point now) override;

  private:
    void maybe_redraw(const UpdateTable &table, Clock::time_point now);
    void redraw(const UpdateTable &table, Clock::time_point now);

    std::FILE *out_;
    std::FILE *err_;
    LiveBlock block_;
    Clock::time_point start_{};
    std::optional<Clock::time_point> first_blob_; // the update's rate counts from here
    Clock::time_point last_draw_{};
    UpdateStatus status_;
};

// The block's lines for `rows` terminal rows at most; exposed for tests. rate: bytes fetched
// per second; elapsed: before the first blob, how long the update has run.
std::vector<std::string> update_block(const UpdateTable &table, double rate, double elapsed,
                                      const std::string &status, size_t rows);
// An image's short name: its reference's last path component ("test:v1").
std::string short_name(const std::string &image);

} // namespace podpull_cli
