// SPDX-License-Identifier: MIT OR Apache-2.0
// The podpull command (tools/podpull) as a host the tests start and kill.
#pragma once

#include "podpull_test/sandbox.hpp"

#include <string>
#include <vector>

namespace podpull_test {

// `podpull pull --json` of `image` into `dirs` with this release's podman, plain HTTP
// (--tls-verify=false), its socket dir in the sandbox's runtime_dir: argv for spawn_process.
std::vector<std::string> cli_pull_argv(const std::string &cli, const Sandbox &box,
                                       const ServiceDirs &dirs, const std::string &image);
// Whether the command's --json output so far shows a blob being copied: a progress event with
// bytes, or a "Copying blob" status line (routes without byte counts).
bool cli_is_copying(const std::string &json_output);

// The podpull command pulling `image` into `dirs` (cli_pull_argv) as a child of this test,
// which is a child subreaper while it lives: once the host is killed, its podman is
// reparented to the test, which can then see it die and reap it (and a container's init that
// does not reap cannot leave a zombie that looks alive).
class CliHost {
  public:
    CliHost(const std::string &cli, const Sandbox &box, const ServiceDirs &dirs,
            const std::string &image);
    // The same with a command line of the test's own (its output to the same log).
    CliHost(const Sandbox &box, const std::vector<std::string> &argv);
    ~CliHost(); // kills and reaps the host if it still runs; ends the subreaping
    CliHost(const CliHost &) = delete;
    CliHost &operator=(const CliHost &) = delete;

    // Waits (REQUIREd, 60 s each) for the host's podman service to run and for a blob to be
    // copied; returns the service's pid.
    int wait_until_copying();
    // SIGKILL to the host, which is reaped; returns its wait status.
    int kill();
    std::string output() const; // its --json output and stderr so far

  private:
    fs::path log_;
    Spawned host_;
};

} // namespace podpull_test
