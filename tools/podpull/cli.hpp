// SPDX-License-Identifier: MIT OR Apache-2.0
// The command line, parsed with CLI11: `podpull pull [options] IMAGE [IMAGE...]`.
#pragma once

#include <podpull.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace podpull_cli {

struct Options {
    std::vector<std::string> images; // in the order given, at least one
    std::string image;               // images.front(): what a one-image run pulls
    // With several images: how many pulls run at once on the one client, at least 1.
    unsigned jobs = 3;
    std::string root, runroot, storage_driver, authfile, socket, podman, runtime_dir;
    int root_fd = -1;    // --root-fd: the storage root as a directory fd, seen at `root`
    int runroot_fd = -1; // --runroot-fd: the runroot as a directory fd, podman's fd 3
    bool tls_verify = true;
    std::string os, arch, variant; // from --platform os/arch[/variant]
    podpull_policy policy = PODPULL_POLICY_ALWAYS;
    uint32_t retries = 0;
    uint32_t retry_delay_ms = 0;
    uint32_t stall_timeout_ms = PODPULL_DEFAULT_STALL_TIMEOUT_MS;
    uint32_t start_timeout_ms = 0; // 0: the library's default
    podpull_route route = PODPULL_ROUTE_AUTO;
    std::string signature_policy; // empty: podman's default
    std::vector<std::string> env; // KEY=VALUE
    bool quiet = false;
    bool verbose = false;
    bool json = false;
    int progress_fd = -1; // --progress-fd: bootc's progress events go there; -1: none
};

struct ParseOutcome {
    std::optional<Options> options; // set: run the pull
    int exit_code = 0;              // when options is empty: exit with this
};

// Parses argv; prints help, version or a usage error itself (help/version to `out`, errors
// to `err`). Usage errors exit 2, --help and --version exit 0.
ParseOutcome parse_command_line(int argc, const char *const *argv, std::FILE *out, std::FILE *err);

} // namespace podpull_cli
