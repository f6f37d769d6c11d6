// SPDX-License-Identifier: MIT OR Apache-2.0
// A pull over podman's REST API: one streamed request whose NDJSON body feeds a PullSession.
// Cancellation and the stall timeout both close the connection, which also makes podman
// abandon the pull.
#pragma once

#include "blob_claims_gate.hpp"
#include "cancel_hub.hpp"
#include "canceller.hpp"
#include "core/pull_session.hpp"
#include "http_connection.hpp"
#include "manifest_fetch.hpp"

#include <chrono>
#include <string>

namespace podpull::io {

struct ApiPullRequest {
    std::string socket_path;
    std::string target; // "/v5.0.0/libpod/images/pull?..."
    HttpHeaders headers;
    Route route = Route::libpod_text;
    std::chrono::milliseconds stall_timeout{0}; // 0: none
    const Canceller *canceller = nullptr;       // the host's handle for this pull, or null
    // The route the plan chose; the host hears it with the manifest step's note once that is
    // known (ManifestGate), or as it is when the pull ends first.
    RouteDecision decision;
    ManifestFetchRequest manifest;
    int podman_pid = -1; // the service, when it is ours: busy while silent (stall_timer.hpp)
    // Shared by the attempts of one pull (podpull's own retries); null: the session's own.
    ProgressTracker *tracker = nullptr;
    // The client's: the request waits while another pull shares blobs with it; null: never.
    BlobClaimsGate *claims = nullptr;
};

// Blocks the calling thread, which runs every observer call (on_route included), while a
// reader thread of the pull's own drains the socket and carries out the manifest step
// alongside (see run_api_pull). Throws Error.
PullOutcome run_api_pull(const ApiPullRequest &request, PullObserver &observer, CancelHub &hub);

// GET /_ping and the Libpod-Api-Version it answers with. Throws Error: IO when nothing
// answers, TIMEOUT after `timeout`, SERVICE when the status is not 200 (ping_failure: not a
// podman service), PROTOCOL when a 200 lacks the header, CANCELLED when `canceller` (may be
// null) fires.
std::string fetch_libpod_version(const std::string &socket_path, std::chrono::milliseconds timeout,
                                 const Canceller *canceller);

// GET `target` and its body (up to `limit` bytes). Throws Error: the mapped failure for a
// non-2xx answer, IO, TIMEOUT after `timeout`.
std::string fetch_body(const std::string &socket_path, const std::string &target,
                       std::chrono::milliseconds timeout, std::size_t limit);

} // namespace podpull::io
