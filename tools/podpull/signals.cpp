#include "signals.hpp"

#include <atomic>
#include <csignal>

namespace podpull_cli {

namespace {
std::atomic<podpull_client *> g_target{nullptr};
volatile std::sig_atomic_t g_signal = 0;
static_assert(std::atomic<podpull_client *>::is_always_lock_free);

extern "C" void on_cancel_signal(int sig) {
    if (g_signal == 0) {
        g_signal = sig;
    }
    podpull_cancel(g_target.load());
}
} // namespace

void install_cancel_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_cancel_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND; // the second Ctrl-C kills the way it always does
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

void set_cancel_target(podpull_client *client) {
    g_target.store(client);
}

int received_signal() {
    return g_signal;
}

} // namespace podpull_cli
