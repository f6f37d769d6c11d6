// SPDX-License-Identifier: MIT OR Apache-2.0
// A canceller that lives as long as the command: the signal handlers fire it, and a reader of
// stdout that went away does, to end the connect and every pull.
#pragma once

#include <podpull.h>

#include <stdexcept>

namespace podpull_cli {

struct CancellerOwner {
    podpull_canceller *ptr = nullptr;
    CancellerOwner() {
        if (podpull_canceller_new(&ptr, nullptr) != PODPULL_OK) {
            throw std::runtime_error("cannot make a canceller (out of file descriptors?)");
        }
    }
    CancellerOwner(const CancellerOwner &) = delete;
    CancellerOwner &operator=(const CancellerOwner &) = delete;
    ~CancellerOwner() { podpull_canceller_free(ptr); }
};

} // namespace podpull_cli
