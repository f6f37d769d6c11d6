// SPDX-License-Identifier: MIT OR Apache-2.0
#include "signal_blocked_thread.hpp"

#include <csignal>
#include <pthread.h>

namespace podpull::io {

std::thread start_thread_with_signals_blocked(std::function<void()> body) {
    // A new thread inherits its creator's mask: block everything for the moment of creation.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    std::thread thread;
    try {
        thread = std::thread(std::move(body));
    } catch (...) {
        pthread_sigmask(SIG_SETMASK, &previous, nullptr);
        throw;
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return thread;
}

} // namespace podpull::io
