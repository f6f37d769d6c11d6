// The facts about the host that the connect plan needs and only a system call can tell:
// looked up here, decided on in core/connect_plan.
#pragma once

#include "core/connect_plan.hpp"

namespace podpull::io {

// fcntl(F_GETFD) for open fds, stat(2) and access(2) for writable directories, and
// $XDG_RUNTIME_DIR.
HostFacts probe_host();

// The host's PATH, or a default, where podman is looked up.
std::string host_search_path();

} // namespace podpull::io
