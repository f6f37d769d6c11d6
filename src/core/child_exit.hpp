// SPDX-License-Identifier: MIT OR Apache-2.0
// How a child process ended, as wait(2) tells it.
#pragma once

namespace podpull {

struct ChildExit {
    bool signaled = false; // killed by a signal rather than exited
    int value = 0;         // the exit status, or the signal's number
};

} // namespace podpull
