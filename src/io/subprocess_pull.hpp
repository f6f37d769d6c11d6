// SPDX-License-Identifier: MIT OR Apache-2.0
// The subprocess route: `podman pull` for transports the API does not serve (oci:,
// oci-archive:, dir:, docker-archive:, docker-daemon:, containers-storage:). Its stderr
// lines become status lines as they arrive; its stdout is the image ID.
#pragma once

#include "blob_claims_gate.hpp"
#include "cancel_hub.hpp"
#include "canceller.hpp"
#include "child_process.hpp"
#include "core/pull_observer.hpp"
#include "core/subprocess_session.hpp"
#include "manifest_fetch.hpp"

#include <chrono>
#include <string>

namespace podpull::io {

struct SubprocessPullRequest {
    ChildSpec child; // argv from pull_argv(), environment, runroot fd
    std::chrono::milliseconds stall_timeout{0};
    const Canceller *canceller = nullptr; // the host's handle for this pull, or null
    RouteDecision decision;               // as ApiPullRequest's
    ManifestFetchRequest manifest;
    // Shared by the attempts of one pull (podpull's own retries); null: the session's own.
    ProgressTracker *tracker = nullptr;
    BlobClaimsGate *claims = nullptr; // as ApiPullRequest's: podman starts once it may
};

// Blocks the calling thread, which runs every observer call; the child is started and its
// pipes drained on a reader thread of the pull's own (its parent for PR_SET_PDEATHSIG, which
// reaps it before ending); the manifest step runs alongside, as on the API routes. Returns the
// image ID and the totals. Throws Error.
SubprocessOutcome run_subprocess_pull(const SubprocessPullRequest &request, PullObserver &observer,
                                      CancelHub &hub);

} // namespace podpull::io
