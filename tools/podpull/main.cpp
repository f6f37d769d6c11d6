// podpull pull [options] IMAGE: a thin host over libpodpull's public C ABI.
#include "cli.hpp"
#include "exit_codes.hpp"
#include "json_renderer.hpp"
#include "output.hpp"
#include "plain_renderer.hpp"
#include "progress_fd_renderer.hpp"
#include "quiet_renderer.hpp"
#include "signals.hpp"
#include "tee_renderer.hpp"
#include "tty_renderer.hpp"

#include <podpull.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <stdexcept>
#include <unistd.h>

using namespace podpull_cli;

namespace {

std::unique_ptr<Renderer> make_terminal_renderer(const Options &o, std::FILE *out) {
    if (o.json) {
        return std::make_unique<JsonRenderer>(out, stderr, o.quiet);
    }
    if (o.quiet) {
        return std::make_unique<QuietRenderer>(out, stderr);
    }
    const char *term = std::getenv("TERM");
    const bool dumb = term != nullptr && std::strcmp(term, "dumb") == 0;
    if (::isatty(STDOUT_FILENO) == 1 && !dumb) {
        return std::make_unique<TtyRenderer>(out, stderr);
    }
    return std::make_unique<PlainRenderer>(out, stderr);
}

std::unique_ptr<Renderer> make_renderer(const Options &o, std::FILE *out) {
    std::unique_ptr<Renderer> terminal = make_terminal_renderer(o, out);
    if (o.progress_fd < 0) {
        return terminal;
    }
    auto tee = std::make_unique<TeeRenderer>();
    tee->add(std::move(terminal));
    tee->add(std::make_unique<ProgressFdRenderer>(o.progress_fd, stderr,
                                                  [] { return received_signal() != 0; }));
    return tee;
}

// Everything the command prints on stdout goes through this stream (output.hpp).
std::FILE *const g_out = open_checked_stdout();

extern "C" void log_to_stderr(void *, podpull_log_level level, const char *message) {
    static const char *const names[] = {"debug", "info", "warn", "error"};
    const auto i = static_cast<unsigned>(level);
    std::fprintf(stderr, "podpull [%s] %s\n", i < 4 ? names[i] : "log",
                 message != nullptr ? message : "");
}

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

// A canceller that lives as long as the command: the signal handlers fire it.
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

// The exit status, once everything is torn down: a signal first, then lost output, then the
// pull's own outcome.
int final_status(podpull_code code) {
    if (received_signal() != 0) {
        return exit_status(code, received_signal());
    }
    switch (output_state(g_out)) {
    case OutputState::ok:
        return exit_status(code, 0);
    case OutputState::broken_pipe:
        return exit_broken_pipe; // as a writer killed by SIGPIPE would, and as quietly
    case OutputState::failed:
        break;
    }
    std::fprintf(stderr, "podpull: cannot write to stdout: %s\n", output_error());
    return exit_failure;
}

const char *or_null(const std::string &s) {
    return s.empty() ? nullptr : s.c_str();
}

int run(const Options &o) {
    std::unique_ptr<Renderer> renderer = make_renderer(o, g_out);
    const Clock::time_point started = Clock::now();
    // From here on a signal ends whatever runs, the service's start included.
    CancellerOwner canceller;
    install_cancel_handlers(canceller.ptr);
    renderer->start(o.image, started);

    std::vector<const char *> env;
    for (const auto &kv : o.env) {
        env.push_back(kv.c_str());
    }
    env.push_back(nullptr);

    podpull_connect_options copts;
    podpull_connect_options_init(&copts);
    copts.podman_path = or_null(o.podman);
    copts.storage_root = or_null(o.root);
    copts.run_root = or_null(o.runroot);
    copts.storage_driver = or_null(o.storage_driver);
    copts.auth_file = or_null(o.authfile);
    copts.socket_path = or_null(o.socket);
    copts.runtime_dir = or_null(o.runtime_dir);
    copts.env = env.data();
    if (o.start_timeout_ms != 0) {
        copts.start_timeout_ms = o.start_timeout_ms;
    }
    if (o.verbose) {
        copts.log = log_to_stderr;
    }
    copts.canceller = canceller.ptr;

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

    podpull_pull_options popts;
    podpull_pull_options_init(&popts);
    popts.policy = o.policy;
    popts.tls_verify = o.tls_verify ? 1 : 0;
    popts.os = or_null(o.os);
    popts.arch = or_null(o.arch);
    popts.variant = or_null(o.variant);
    popts.retries = o.retries;
    popts.retry_delay_ms = o.retry_delay_ms;
    popts.stall_timeout_ms = o.stall_timeout_ms;
    popts.route = o.route;
    popts.signature_policy = or_null(o.signature_policy);
    // A signal that came after the connect finished cancels the pull before it begins.
    popts.canceller = canceller.ptr;

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
        PullSummary s;
        s.image_id = podpull_result_image_id(res);
        s.route = podpull_result_route(res);
        s.bytes = podpull_result_bytes(res);
        s.bytes_cached = podpull_result_bytes_cached(res);
        s.blobs_total = podpull_result_blobs_total(res);
        s.blobs_cached = podpull_result_blobs_cached(res);
        s.seconds = std::chrono::duration<double>(Clock::now() - started).count();
        renderer->result(s, Clock::now());
    } else if (output_state(g_out) == OutputState::ok || received_signal() != 0) {
        renderer->error(code, podpull_error_message(err), podpull_error_retryable(err) != 0,
                        code == PODPULL_ERR_CANCELLED && received_signal() != 0, Clock::now());
    }
    podpull_result_free(res);
    podpull_error_free(err);
    renderer.reset(); // the terminal is restored before the service is stopped
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
        return run(*parsed.options);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "podpull: %s\n", e.what());
        return exit_failure;
    }
}
