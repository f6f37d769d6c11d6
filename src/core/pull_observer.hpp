// SPDX-License-Identifier: MIT OR Apache-2.0
// What a pull tells its host, in C++ terms. The ABI shim implements it on top of
// podpull_callbacks; tests implement it to record what a pull reported.
#pragma once

#include "image_manifest.hpp"
#include "progress_tracker.hpp"
#include "route.hpp"

#include <string_view>

namespace podpull {

class PullObserver {
  public:
    virtual ~PullObserver() = default;

    // The image's manifest, when the manifest step read one: once, just before route_chosen.
    // Only observers inside the library take it (the host hears of it in the route's reason).
    virtual void manifest_read(const ManifestSummary & /*manifest*/) {}
    virtual void route_chosen(const RouteDecision &decision) = 0;
    virtual void status(std::string_view line) = 0;
    // Returns false when the host wants the pull cancelled.
    virtual bool blob(const BlobProgress &progress) = 0;
};

} // namespace podpull
