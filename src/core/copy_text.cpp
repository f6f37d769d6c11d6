// SPDX-License-Identifier: MIT OR Apache-2.0
#include "copy_text.hpp"

#include "image_manifest.hpp"

#include <algorithm>

namespace podpull {
namespace {

constexpr std::string_view blob_prefix = "Copying blob ";
constexpr std::string_view config_prefix = "Copying config ";
constexpr std::string_view writing_manifest = "Writing manifest to image destination";

// The digest that starts `rest` ("sha256:<hex>[ more]"), or "" when it does not.
std::string_view leading_digest(std::string_view rest, std::string_view &after) {
    const std::size_t end = std::min(rest.find(' '), rest.size());
    const std::string_view digest = rest.substr(0, end);
    if (!is_blob_digest(digest))
        return {};
    after = rest.substr(end);
    return digest;
}

BlobEvent event(std::string_view id, BlobPhase phase) {
    BlobEvent blob;
    blob.id = std::string(id);
    blob.phase = phase;
    return blob;
}

} // namespace

void CopyTextReader::finish_layers(std::vector<BlobEvent> &out) {
    for (const auto &layer : layers_)
        out.push_back(event(layer, BlobPhase::finished));
    layers_.clear();
    listed_.clear();
}

void CopyTextReader::read(std::string_view line, std::vector<BlobEvent> &out) {
    std::string_view after;
    if (line.starts_with(blob_prefix)) {
        const std::string_view digest = leading_digest(line.substr(blob_prefix.size()), after);
        if (digest.empty())
            return;
        if (after.find("skipped") != std::string_view::npos) {
            out.push_back(event(digest, BlobPhase::skipped));
            return;
        }
        out.push_back(event(digest, BlobPhase::started));
        if (listed_.emplace(digest).second) // a set: a body of many layers stays linear
            layers_.emplace_back(digest);
    } else if (line.starts_with(config_prefix)) {
        const std::string_view digest = leading_digest(line.substr(config_prefix.size()), after);
        if (digest.empty())
            return;
        finish_layers(out);
        config_ = std::string(digest);
        out.push_back(event(digest, BlobPhase::started));
    } else if (line.starts_with(writing_manifest)) {
        finish_layers(out);
        if (!config_.empty())
            out.push_back(event(config_, BlobPhase::finished));
        config_.clear();
    }
}

} // namespace podpull
