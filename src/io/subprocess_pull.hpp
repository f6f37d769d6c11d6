// The subprocess route: `podman pull` for transports the API does not serve (oci:,
// oci-archive:, dir:, docker-archive:, docker-daemon:, containers-storage:). Its stderr
// lines become status lines as they arrive; its stdout is the image ID.
#pragma once

#include "cancel_hub.hpp"
#include "canceller.hpp"
#include "child_process.hpp"
#include "core/pull_observer.hpp"

#include <chrono>
#include <string>

namespace podpull::io {

struct SubprocessPullRequest {
    ChildSpec child; // argv from pull_argv(), environment, runroot fd
    std::chrono::milliseconds stall_timeout{0};
    const Canceller *canceller = nullptr; // the host's handle for this pull, or null
};

// Blocks the calling thread, which runs every observer call; the child is started and its
// pipes drained on a reader thread of the pull's own (its parent for PR_SET_PDEATHSIG, which
// reaps it before ending). Returns the image ID. Throws Error.
std::string run_subprocess_pull(const SubprocessPullRequest &request, PullObserver &observer,
                                CancelHub &hub);

} // namespace podpull::io
