// SPDX-License-Identifier: MIT OR Apache-2.0
// An update of several images as the renderers see it: each image's state and figures, taken
// from its own pull's events, and the whole update's sums. Pure (events in, figures out; no
// clock, no I/O) so that tests/cli can check the sums.
//
// Every podpull_blob_progress carries the whole-pull figures of its pull (pull_current,
// pull_total, blobs_done, ...), so an image's row is its latest event's figures, and the update's
// figures are the sums of the rows. An image without a manifest only learns its size as its
// blobs appear: its total is then what is known so far, and totals_known() says so.
#pragma once

#include "renderer.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace podpull_cli {

enum class ImageState {
    waiting, // its pull has not begun (--jobs pulls are running)
    pulling,
    done,
    failed,
};
const char *image_state_name(ImageState state); // "waiting", "pulling", "done", "failed"

struct ImageRow {
    std::string image; // the reference as given
    ImageState state = ImageState::waiting;
    uint64_t bytes = 0;        // in the storage so far: fetched and cached (pull_current)
    uint64_t bytes_total = 0;  // the image's size (pull_total); 0 before its first event
    uint64_t bytes_cached = 0; // of bytes, those the storage had (pull_cached)
    uint32_t blobs_done = 0;
    uint32_t blobs_total = 0; // per the manifest; without one, the blobs seen so far
    uint32_t blobs_cached = 0;
    bool total_known = false; // bytes_total is final: from a manifest, or the pull has ended
    // The outcome, once the pull ended: the summary when done, the error when failed.
    PullSummary summary;
    podpull_code code = PODPULL_OK;
    std::string message;
    bool interrupted = false; // failed because the user sent a signal
};

class UpdateTable {
  public:
    explicit UpdateTable(std::vector<std::string> images);

    void started(size_t index);
    void blob(size_t index, const podpull_blob_progress &p);
    // The result's figures replace the events': they are the pull's last word.
    void result(size_t index, const PullSummary &summary);
    // Nothing more comes of a failed pull: the update's totals count only what it has, so
    // that the update's bar can still reach its end (its row keeps its own figures).
    void failed(size_t index, podpull_code code, const std::string &message, bool interrupted);

    const std::vector<ImageRow> &rows() const { return rows_; }
    const ImageRow &row(size_t index) const { return rows_.at(index); }

    // The whole update: sums over the images.
    uint64_t bytes() const;         // in the storage so far, fetched and cached
    uint64_t bytes_total() const;   // the sizes known so far (of a failed image, its bytes)
    uint64_t bytes_cached() const;  // of bytes(), those the storage had
    uint64_t bytes_fetched() const; // bytes() - bytes_cached(): what came from registries
    uint32_t blobs_done() const;
    uint32_t blobs_total() const; // of a failed image, its blobs done
    uint32_t blobs_cached() const;
    // Every image that may still fetch knows its size, so bytes_total() will not grow.
    bool totals_known() const;

    size_t pulled() const; // done
    size_t failed() const;
    bool finished() const; // every pull ended
    // What the pulled images' results add up to: bytes fetched and bytes cached.
    uint64_t pulled_bytes() const;
    uint64_t pulled_bytes_cached() const;
    // Each image's outcome in the order given: PODPULL_OK unless it failed.
    std::vector<podpull_code> codes() const;

  private:
    template <typename T, typename F> T sum(F field) const {
        T total = 0;
        for (const ImageRow &r : rows_) {
            total += field(r);
        }
        return total;
    }

    std::vector<ImageRow> rows_;
};

} // namespace podpull_cli
