// SPDX-License-Identifier: MIT OR Apache-2.0
// Every thread podpull starts (the client's background loop, a pull's reader) starts with all
// signals blocked: the host's signal handlers belong on the host's threads, and a handler that
// ran on one of ours could find the host's state half-built. Children forked from such a
// thread reset the mask before exec (child_process.cpp).
#pragma once

#include <functional>
#include <thread>

namespace podpull::io {

// Starts `body` on a new thread that inherits a full signal mask; the calling thread's mask
// is left as it was. Throws what std::thread throws.
std::thread start_thread_with_signals_blocked(std::function<void()> body);

} // namespace podpull::io
