// SPDX-License-Identifier: MIT OR Apache-2.0
// podpull pull IMAGE IMAGE...: an update of several images through one client (one podman
// service). At most --jobs pulls run at once, each a podpull_pull on a thread of its own,
// begun in the order the images were given; one canceller ends the connect and every pull
// (a signal, or a reader of stdout gone away). A failure of one image stops none of the
// others: each is pulled or fails on its own, and each outcome is reported.
#pragma once

#include "cli.hpp"

#include <cstdio>

namespace podpull_cli {

// out: the command's stdout stream (output.hpp). Returns the exit status (final_status.hpp,
// update_exit_status).
int run_update(const Options &o, std::FILE *out);

} // namespace podpull_cli
