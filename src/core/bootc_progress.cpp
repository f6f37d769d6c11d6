// SPDX-License-Identifier: MIT OR Apache-2.0
#include "bootc_progress.hpp"

#include "canonical_json.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace podpull {
namespace {

namespace json = boost::json;

// deploy.rs names a layer by its digest's first 21 hex digits. Without a manifest the compat
// routes report only a 12-hex short id, which is then the name.
std::string short_digest(std::string_view id) {
    const auto colon = id.find(':');
    if (colon == std::string_view::npos)
        return std::string(id);
    return std::string(id.substr(colon + 1, 21));
}

std::uint64_t minus(std::uint64_t a, std::uint64_t b) {
    return a > b ? a - b : 0;
}

json::object subtask_bytes(std::string_view id, std::uint64_t bytes, std::uint64_t bytes_total) {
    const std::string name = short_digest(id);
    return {{"subtask", "layer"}, {"description", "layer: " + name},
            {"id", name},         {"bytesCached", 0},
            {"bytes", bytes},     {"bytesTotal", bytes_total}};
}

} // namespace

BootcPullEvents::BootcPullEvents(std::string reference) : id_(std::move(reference)) {}

void BootcPullEvents::manifest_read(const ManifestSummary &manifest) {
    id_ = manifest.digest;
    manifest_ = manifest;
}

bool BootcPullEvents::is_layer(const std::string &id) const {
    // Without a manifest every blob podman reports counts as a layer: the config cannot be
    // told apart.
    return !manifest_ || manifest_->is_layer(id);
}

BootcPullEvents::Layer &BootcPullEvents::layer(const std::string &id) {
    const auto found = std::find_if(layers_.begin(), layers_.end(),
                                    [&](const Layer &layer) { return layer.digest == id; });
    if (found != layers_.end())
        return *found;
    layers_.push_back(Layer{id});
    return layers_.back();
}

std::vector<BootcEvent> BootcPullEvents::blob(const BlobProgress &progress) {
    bool finished = false;
    if (is_layer(progress.id)) {
        Layer &entry = layer(progress.id);
        const auto index = static_cast<std::size_t>(&entry - layers_.data());
        finished = progress.state == BlobState::done && entry.state != BlobState::done;
        if (finished)
            done_.push_back(index);
        entry.state = progress.state;
        entry.current = progress.current;
        entry.total = progress.total;
    }
    const std::uint64_t bytes =
        std::max(bytes_high_, minus(progress.pull_current, progress.pull_cached));
    bytes_high_ = bytes;
    const std::uint64_t bytes_total =
        std::max(bytes, minus(progress.pull_total, progress.pull_cached));

    std::vector<BootcEvent> events;
    std::string line = progress_bytes(bytes, bytes_total, progress.pull_cached);
    if (line != last_line_) {
        // bootc sends a finished layer's event always (send), byte updates lossily
        // (send_lossy); the first event says at once what the task is.
        const bool lossy = !finished && !last_line_.empty();
        last_line_ = line;
        events.push_back({std::move(line), lossy});
    }
    if (!storing_told_ && progress.blobs_total > 0 && progress.blobs_done == progress.blobs_total) {
        storing_told_ = true;
        events.push_back({storing(false), false});
    }
    return events;
}

std::vector<BootcEvent> BootcPullEvents::succeeded(const PullTotals &totals) {
    // Every blob has been reported done or skipped by now (ProgressTracker::settle); a layer
    // still open is stored all the same.
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        Layer &entry = layers_[i];
        if (entry.state == BlobState::started || entry.state == BlobState::pulling) {
            entry.state = BlobState::done;
            done_.push_back(i);
        }
    }
    std::vector<BootcEvent> events;
    events.push_back({progress_bytes(totals.fetched, totals.fetched, totals.cached), false});
    if (!storing_told_)
        events.push_back({storing(false), false});
    storing_told_ = true;
    events.push_back({storing(true), false});
    return events;
}

std::string BootcPullEvents::progress_bytes(std::uint64_t bytes, std::uint64_t bytes_total,
                                            std::uint64_t bytes_cached) const {
    std::uint64_t steps_cached = 0;
    for (const Layer &entry : layers_)
        if (entry.state == BlobState::skipped)
            ++steps_cached;
    const std::uint64_t layers = manifest_ ? manifest_->layer_count() : layers_.size();

    json::array subtasks;
    for (const std::size_t index : done_) {
        const Layer &entry = layers_[index];
        const std::uint64_t size =
            entry.total >= 0 ? static_cast<std::uint64_t>(entry.total) : entry.current;
        subtasks.push_back(subtask_bytes(entry.digest, size, size));
    }
    for (const Layer &entry : layers_)
        if (entry.state == BlobState::started || entry.state == BlobState::pulling)
            subtasks.push_back(
                subtask_bytes(entry.digest, entry.current,
                              entry.total >= 0 ? static_cast<std::uint64_t>(entry.total) : 0));

    const json::object event{{"type", "ProgressBytes"},
                             {"task", "pulling"},
                             {"description", "Pulling Image: " + id_},
                             {"id", id_},
                             {"bytesCached", bytes_cached},
                             {"bytes", bytes},
                             {"bytesTotal", bytes_total},
                             {"stepsCached", steps_cached},
                             {"steps", done_.size()},
                             {"stepsTotal", minus(layers, steps_cached)},
                             {"subtasks", std::move(subtasks)}};
    return canonical_json(event);
}

std::string BootcPullEvents::storing(bool completed) const {
    const json::object step{{"subtask", "storing"},
                            {"description", "Storing Image"},
                            {"id", "storing"},
                            {"completed", completed}};
    const json::object event{{"type", "ProgressSteps"},
                             {"task", "storing"},
                             {"description", "Storing Image"},
                             {"id", id_},
                             {"stepsCached", 0},
                             {"steps", completed ? 1 : 0},
                             {"stepsTotal", 1},
                             {"subtasks", json::array{step}}};
    return canonical_json(event);
}

std::vector<std::string> BootcEventStream::accept(const BootcEvent &event, Clock::time_point now) {
    if (event.lossy && wrote_ && now - last_ < bootc_lossy_interval)
        return {};
    std::vector<std::string> lines;
    if (!started_) {
        started_ = true;
        lines.push_back(bootc_start_event());
    }
    lines.push_back(event.line);
    wrote_ = true;
    last_ = now;
    return lines;
}

std::string bootc_start_event() {
    return canonical_json(json::object{{"type", "Start"}, {"version", bootc_progress_version}});
}

} // namespace podpull
