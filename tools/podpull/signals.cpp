// SPDX-License-Identifier: MIT OR Apache-2.0
#include "signals.hpp"

#include <atomic>
#include <csignal>

namespace podpull_cli {

namespace {
std::atomic<podpull_canceller *> g_canceller{nullptr};
volatile std::sig_atomic_t g_signal = 0;
static_assert(std::atomic<podpull_canceller *>::is_always_lock_free);

extern "C" void on_cancel_signal(int sig) {
    if (g_signal == 0) {
        g_signal = sig;
    }
    podpull_canceller_cancel(g_canceller.load());
}
} // namespace

void install_cancel_handlers(podpull_canceller *canceller) {
    g_canceller.store(canceller);
    struct sigaction sa {};
    sa.sa_handler = on_cancel_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        sigaction(sig, &sa, nullptr);
    }
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, nullptr);
}

int received_signal() {
    return g_signal;
}

} // namespace podpull_cli
