// SPDX-License-Identifier: MIT OR Apache-2.0
// One thread per client that runs an io_context for work that outlives a single call: the
// service process (forked here, so PR_SET_PDEATHSIG ties it to a thread that lives as long
// as the client, not to whichever host thread called podpull_connect) and the cancel pipe.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

namespace podpull::io {

class BackgroundLoop {
  public:
    BackgroundLoop();
    ~BackgroundLoop(); // stop()s

    BackgroundLoop(const BackgroundLoop &) = delete;
    BackgroundLoop &operator=(const BackgroundLoop &) = delete;

    boost::asio::any_io_executor executor() { return context_.get_executor(); }

    // Stops the loop and joins the thread; handlers still pending never run. Idempotent.
    // Objects with operations on this loop may be destroyed only after this.
    void stop();

  private:
    boost::asio::io_context context_{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
};

} // namespace podpull::io
