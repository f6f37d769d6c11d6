// SPDX-License-Identifier: MIT OR Apache-2.0
// A recording podman_path: a python3 script that records how it was started (argv[0] and
// arguments, the fds it inherited, its parent and the parent's executable, its whole
// environment as exec gave it), then execs the release's podman in its own process, or, for
// tests that must reach no podman, refuses (exit 125). What podpull starts, and how, is then
// in the report, one record per start.
#pragma once

#include "podpull_test/util.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace podpull_test {

enum class ThenRun {
    podman, // exec the release's podman with the same arguments
    nothing // print "podman-recorder: refusing" and exit 125
};

struct PodmanRecorder {
    fs::path script; // for podman_path
    fs::path report; // appended to at every start
};
// Writes DIR/podman-recorder and names DIR/podman-recorder.report.
PodmanRecorder write_podman_recorder(const fs::path &dir, ThenRun then = ThenRun::podman);

struct PodmanLaunch {
    std::string argv0;
    std::vector<std::string> argv;  // without argv[0], byte for byte
    std::map<int, std::string> fds; // fd -> readlink target; "" for the lister's own fd
    int ppid = -1;
    std::string parent_exe;
    std::vector<std::string> environ; // "KEY=VALUE", as exec gave them
    std::optional<std::string> mark;  // the value of PODPULL_WRAPPER_MARK, when set
    bool has_args(const std::vector<std::string> &seq) const; // consecutive arguments
    // "--name value" or "--name=value"
    bool has_option(const std::string &name, const std::string &value) const;
};
// The starts recorded so far, in order (none when the report does not exist).
std::vector<PodmanLaunch> read_podman_launches(const fs::path &report);

} // namespace podpull_test
