// SPDX-License-Identifier: MIT OR Apache-2.0
// podpull pull [options] IMAGE [IMAGE...]: a thin host over libpodpull's public C ABI. One
// image is pulled here; several are an update (update_run.hpp).
#include "canceller_owner.hpp"
#include "cli.hpp"
#include "exit_codes.hpp"
#include "final_status.hpp"
#include "json_renderer.hpp"
#include "output.hpp"
#include "plain_renderer.hpp"
#include "pull_setup.hpp"
#include "quiet_renderer.hpp"
#include "signals.hpp"
#include "tty_renderer.hpp"
#include "update_run.hpp"

#include <podpull.h>

#include <cstdio>
#include <exception>
#include <memory>

using namespace podpull_cli;

namespace {

std::unique_ptr<Renderer> make_renderer(const Options &o, std::FILE *out) {
    if (o.json) {
        return std::make_unique<JsonRenderer>(out, stderr, o.quiet);
    }
    if (o.quiet) {
        return std::make_unique<QuietRenderer>(out, stderr);
    }
    if (stdout_is_terminal()) {
        return std::make_unique<TtyRenderer>(out, stderr);
    }
    return std::make_unique<PlainRenderer>(out, stderr);
}

// Everything the command prints on stdout goes through this stream (output.hpp).
std::FILE *const g_out = open_checked_stdout();

// What the callbacks need: where to draw, and what ends the pull when nobody reads any more.
struct Host {
    Renderer *renderer;
    podpull_canceller *canceller;

    void check_output() const {
        if (output_state(g_out) != OutputState::ok) {
            podpull_canceller_cancel(canceller);
        }
    }
};

extern "C" void cb_route(void *ud, podpull_route route, const char *reason) {
    const auto *host = static_cast<Host *>(ud);
    host->renderer->route(route, reason, Clock::now());
    host->check_output();
}
extern "C" void cb_status(void *ud, const char *line) {
    const auto *host = static_cast<Host *>(ud);
    host->renderer->status(line, Clock::now());
    host->check_output();
}
extern "C" int cb_blob(void *ud, const podpull_blob_progress *p) {
    const auto *host = static_cast<Host *>(ud);
    if (p != nullptr) {
        host->renderer->blob(*p, Clock::now());
    }
    host->check_output();
    return 0;
}

// The exit status of one image's pull, once everything is torn down (final_status.hpp).
int final_status(podpull_code code) {
    return podpull_cli::final_status(g_out,
                                     [code](int signal) { return exit_status(code, signal); });
}

int run(const Options &o) {
    std::unique_ptr<Renderer> renderer = make_renderer(o, g_out);
    ProgressFdWriter events(o.progress_fd); // bootc's events, written by the library
    const Clock::time_point started = Clock::now();
    // From here on a signal ends whatever runs, the service's start included.
    CancellerOwner canceller;
    install_cancel_handlers(canceller.ptr);
    renderer->start(o.image, started);

    const std::vector<const char *> env = env_array(o);
    const podpull_connect_options copts = connect_options(o, env, canceller.ptr);

    podpull_client *client = nullptr;
    podpull_error *err = nullptr;
    podpull_code code = podpull_connect(&copts, &client, &err);
    if (code != PODPULL_OK) {
        renderer->error(code, podpull_error_message(err), podpull_error_retryable(err) != 0,
                        code == PODPULL_ERR_CANCELLED && received_signal() != 0, Clock::now());
        podpull_error_free(err);
        renderer.reset();
        return final_status(code);
    }

    const podpull_pull_options popts = pull_options(o, canceller.ptr, events.get());

    Host host{renderer.get(), canceller.ptr};
    podpull_callbacks cb;
    podpull_callbacks_init(&cb);
    cb.user_data = &host;
    cb.on_route = cb_route;
    cb.on_status = cb_status;
    cb.on_blob = cb_blob;

    podpull_result *res = nullptr;
    code = podpull_pull(client, o.image.c_str(), &popts, &cb, &res, &err);
    if (code == PODPULL_OK) {
        renderer->result(
            pull_summary(res, std::chrono::duration<double>(Clock::now() - started).count()),
            Clock::now());
    } else if (output_state(g_out) == OutputState::ok || received_signal() != 0) {
        renderer->error(code, podpull_error_message(err), podpull_error_retryable(err) != 0,
                        code == PODPULL_ERR_CANCELLED && received_signal() != 0, Clock::now());
    }
    podpull_result_free(res);
    podpull_error_free(err);
    renderer.reset(); // the terminal is restored before the service is stopped
    events.close();   // and the events' reader sees their end
    podpull_free(client);
    return final_status(code);
}

} // namespace

int main(int argc, char **argv) {
    try {
        ParseOutcome parsed = parse_command_line(argc, argv, stdout, stderr);
        if (!parsed.options) {
            return parsed.exit_code;
        }
        if (parsed.options->images.size() > 1) {
            return run_update(*parsed.options, g_out);
        }
        return run(*parsed.options);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "podpull: %s\n", e.what());
        return exit_failure;
    }
}
