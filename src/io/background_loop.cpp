#include "background_loop.hpp"

#include <csignal>
#include <pthread.h>

namespace podpull::io {

BackgroundLoop::BackgroundLoop() : work_(context_.get_executor()) {
    // The host's signal handlers belong on the host's threads: block everything here before
    // the thread starts, so it inherits a full mask. Children forked from it reset the mask.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    try {
        thread_ = std::thread([this] { context_.run(); });
    } catch (...) {
        pthread_sigmask(SIG_SETMASK, &previous, nullptr);
        throw;
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

BackgroundLoop::~BackgroundLoop() {
    stop();
}

void BackgroundLoop::stop() {
    work_.reset();
    context_.stop();
    if (thread_.joinable())
        thread_.join();
}

} // namespace podpull::io
