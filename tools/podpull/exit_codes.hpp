// SPDX-License-Identifier: MIT OR Apache-2.0
// The command's exit status for every outcome, and its description for --help and README.
#pragma once

#include <podpull.h>

#include <vector>

namespace podpull_cli {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1; // unexpected (an exception in the tool itself)
constexpr int exit_usage = 2;
constexpr int exit_code_base = 10;         // 10 + podpull_code: 11 INVALID_ARGUMENT ... 21 INTERNAL
constexpr int exit_broken_pipe = 128 + 13; // stdout's reader went away, as SIGPIPE would end us

// 0 for PODPULL_OK, 128 + signal when the pull was cancelled by SIGINT, SIGTERM or SIGHUP,
// else 10+code.
int exit_status(podpull_code code, int signal_received);
// The status of an update of several images, `codes` in the order the images were given: 0
// when every one was pulled; 128 + signal when a signal cancelled any of them (the update
// was interrupted, whatever failed before); else the status of the first that failed, so
// that a host's retry logic sees the same status as for that image alone.
int update_exit_status(const std::vector<podpull_code> &codes, int signal_received);
// The table printed at the end of --help.
const char *exit_status_help();

} // namespace podpull_cli
