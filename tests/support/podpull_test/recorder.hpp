// SPDX-License-Identifier: MIT OR Apache-2.0
// A recorder for the callbacks of one pull.
#pragma once

#include <podpull.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace podpull_test {

// The name of a blob state: "STARTED", "PULLING", "DONE", "SKIPPED".
const char *state_name(podpull_blob_state state);

// Records every callback of one pull, and whether any came on a wrong thread, before the
// route, or after podpull_pull returned.
class PullRecorder {
  public:
    PullRecorder();
    podpull_callbacks callbacks();

    // Called (on the pulling thread) after each status line is recorded.
    std::function<void(const std::string &)> on_status_hook;
    // Called (on the pulling thread) after each blob event is recorded; its result is what
    // on_blob returns to the library (nonzero cancels the pull).
    std::function<int(const podpull_blob_progress &)> on_blob_hook;

    struct BlobEvent {
        std::string id;
        podpull_blob_state state = PODPULL_BLOB_STARTED;
        uint64_t current = 0;
        int64_t total = 0;
        uint64_t pull_current = 0;
        uint64_t pull_total = 0;
        uint32_t blobs_seen = 0, blobs_done = 0;
        // The ABI 1.2 fields; has_cached_fields says the library's struct_size reaches them.
        bool has_cached_fields = false;
        uint64_t pull_cached = 0;
        uint32_t blobs_total = 0, blobs_cached = 0;
    };

    struct Snapshot {
        int route_calls = 0;
        podpull_route route = PODPULL_ROUTE_AUTO;
        std::string reason;
        bool route_first = false; // the very first callback was on_route
        std::vector<std::string> status;
        int blob_calls = 0;
        std::vector<BlobEvent> blobs;
        int wrong_thread = 0;
        int after_return = 0;
        std::string sequence; // "R S S B ..." for messages
        // "status <line>" and "blob <id> <STATE>" in arrival order (at most 10000).
        std::vector<std::string> timeline;
    };
    Snapshot snapshot() const;
    std::string summary() const;

    void mark_started();
    void mark_returned();

  private:
    static void route_cb(void *ud, podpull_route route, const char *reason);
    static void status_cb(void *ud, const char *line);
    static int blob_cb(void *ud, const podpull_blob_progress *progress);
    void common(char kind);
    void note(std::string event);

    mutable std::mutex mutex_;
    Snapshot s_;
    std::thread::id caller_;
    std::atomic<bool> returned_{false};
};

} // namespace podpull_test
