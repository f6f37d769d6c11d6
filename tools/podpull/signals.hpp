// Ctrl-C and SIGTERM: the handler calls podpull_cancel (async-signal-safe) on the client of
// the pull in flight and remembers the signal; a second one ends the process the default way.
#pragma once

#include <podpull.h>

namespace podpull_cli {

void install_cancel_handlers();
// The client the handlers cancel; nullptr when none is pulling.
void set_cancel_target(podpull_client *client);
// The first signal received (SIGINT, SIGTERM), or 0.
int received_signal();

} // namespace podpull_cli
