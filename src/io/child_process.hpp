// Starting a podman child the way podpull promises: no shell, an exact environment, only
// fds 0-2 (and the runroot at fd 3) inherited, signals reset, and PR_SET_PDEATHSIG so the
// child dies with the thread that started it.
#pragma once

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
};

// Throws Error(podman_not_found) when the executable cannot be run, Error(internal) for
// other launch failures.
ChildProcess launch_child(const boost::asio::any_io_executor &executor, const ChildSpec &spec,
                          boost::process::v2::process_stdio stdio);

// Resolves `podman_path` ("podman" by default): a name with '/' is used as is, a bare name is
// looked up in `search_path` (a PATH value). Throws Error(podman_not_found).
std::string resolve_executable(const std::string &podman_path, const std::string &search_path);

// The environment podman needs from the host (PATH, HOME, locale, containers config
// variables, ...), then the host's extra "KEY=VALUE" entries, which win.
std::vector<std::string> child_environment(const std::vector<std::string> &extra);

} // namespace podpull::io
