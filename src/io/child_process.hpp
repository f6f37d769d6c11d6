// SPDX-License-Identifier: MIT OR Apache-2.0
// Starting a podman child the way podpull promises: no shell, an exact environment, only
// fds 0-2 (and the runroot at fd 3) inherited, signals reset, PR_SET_PDEATHSIG so the child
// dies with the thread that started it, and, in bootc's layout, the storage root bound at its
// alias in a private mount namespace of the child's own.
#pragma once

#include "core/podman_command.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>

#include <optional>
#include <string>
#include <vector>

namespace podpull::io {

using ChildProcess = boost::process::v2::basic_process<boost::asio::any_io_executor>;

// An fd of ours that the child gets at `target` (the runroot at 3, credentials at 4).
struct InheritedFd {
    int source;
    int target;
};
inline constexpr std::size_t max_inherited = 4;
inline constexpr int first_free_fd = 10; // every target is below it

struct ChildSpec {
    std::vector<std::string> argv;      // argv[0] is the resolved executable path
    std::vector<std::string> env;       // the child's whole environment, "KEY=VALUE"
    std::vector<InheritedFd> inherited; // nothing else but 0-2 reaches the child
    // When set, the child unshares its mount namespace, makes every mount in it private (so
    // nothing propagates back to the host's), and bind-mounts the directory at the alias
    // before it execs. A failure there is written to the child's stderr ("podpull: cannot
    // ..."), and the child exits 125 without running: the caller reads it as podman's own
    // early failure.
    std::optional<StorageBinding> storage;
};

// Throws Error(podman_not_found) when the executable cannot be run, Error(internal) for
// other launch failures. `stdio` by reference, and never copied on its way here: a copy of a
// process_stdio (Boost 1.83) closes the same descriptors again when it goes, by then perhaps
// another thread's, since its bindings' destructor closes what they opened and they have no
// move constructor.
ChildProcess launch_child(const boost::asio::any_io_executor &executor, const ChildSpec &spec,
                          boost::process::v2::process_stdio &&stdio);

// Resolves `podman_path` ("podman" by default): a name with '/' is used as is, a bare name is
// looked up in `search_path` (a PATH value). Throws Error(podman_not_found).
std::string resolve_executable(const std::string &podman_path, const std::string &search_path);

// The environment podman needs from the host (PATH, HOME, locale, containers config
// variables, ...), then the host's extra "KEY=VALUE" entries, which win.
std::vector<std::string> child_environment(const std::vector<std::string> &extra);

} // namespace podpull::io
