// SPDX-License-Identifier: MIT OR Apache-2.0
// The facts about the host that the connect plan needs and only a system call can tell:
// looked up here, decided on in core/connect_plan.
#pragma once

#include "core/connect_plan.hpp"
#include "core/manifest_step.hpp"

#include <string>
#include <vector>

namespace podpull::io {

// fcntl(F_GETFD) for open fds, fstat(2) for directory fds, stat(2) and access(2) for writable
// directories, and $XDG_RUNTIME_DIR.
HostFacts probe_host();

// The host's PATH, or a default, where podman is looked up.
std::string host_search_path();

// What the manifest step needs of the host: skopeo, looked up in the PATH of the children's
// environment `child_env` (the host's, or the one its `env` option sets), uname's machine,
// and the CONTAINERS_REGISTRIES_CONF the children get.
ManifestFacts probe_manifest_facts(const std::vector<std::string> &child_env);

} // namespace podpull::io
