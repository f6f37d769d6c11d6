// SPDX-License-Identifier: MIT OR Apache-2.0
// Signals: SIGINT (Ctrl-C), SIGTERM and SIGHUP fire the command's canceller at any moment,
// while the service starts as well as while the pull runs (podpull_canceller_cancel is
// async-signal-safe). A repeated signal does the same again, so the teardown (stopping the
// service, removing its directory, restoring the terminal) always runs to its end; it is
// bounded by podman's stop grace. SIGPIPE is ignored: a reader that went away shows up as a
// write error on stdout (output.hpp), which ends the pull the same orderly way.
#pragma once

#include <podpull.h>

namespace podpull_cli {

void install_cancel_handlers(podpull_canceller *canceller);
// The first signal received (SIGINT, SIGTERM, SIGHUP), or 0.
int received_signal();

} // namespace podpull_cli
