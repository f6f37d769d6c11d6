// podpull pull [options] IMAGE: a thin host over libpodpull's public C ABI.
#include "cli.hpp"
#include "exit_codes.hpp"
#include "json_renderer.hpp"
#include "plain_renderer.hpp"
#include "quiet_renderer.hpp"
#include "signals.hpp"
#include "tty_renderer.hpp"

#include <podpull.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <unistd.h>

using namespace podpull_cli;

namespace {

std::unique_ptr<Renderer> make_renderer(const Options &o) {
    if (o.json) {
        return std::make_unique<JsonRenderer>(stdout, stderr, o.quiet);
    }
    if (o.quiet) {
        return std::make_unique<QuietRenderer>(stdout, stderr);
    }
    const char *term = std::getenv("TERM");
    const bool dumb = term != nullptr && std::strcmp(term, "dumb") == 0;
    if (::isatty(STDOUT_FILENO) == 1 && !dumb) {
        return std::make_unique<TtyRenderer>(stdout, stderr);
    }
    return std::make_unique<PlainRenderer>(stdout, stderr);
}

extern "C" void log_to_stderr(void *, podpull_log_level level, const char *message) {
    static const char *const names[] = {"debug", "info", "warn", "error"};
    const auto i = static_cast<unsigned>(level);
    std::fprintf(stderr, "podpull [%s] %s\n", i < 4 ? names[i] : "log",
                 message != nullptr ? message : "");
}

extern "C" void cb_route(void *ud, podpull_route route, const char *reason) {
    static_cast<Renderer *>(ud)->route(route, reason, Clock::now());
}
extern "C" void cb_status(void *ud, const char *line) {
    static_cast<Renderer *>(ud)->status(line, Clock::now());
}
extern "C" int cb_blob(void *ud, const podpull_blob_progress *p) {
    if (p != nullptr) {
        static_cast<Renderer *>(ud)->blob(*p, Clock::now());
    }
    return 0;
}

const char *or_null(const std::string &s) {
    return s.empty() ? nullptr : s.c_str();
}

int run(const Options &o) {
    std::unique_ptr<Renderer> renderer = make_renderer(o);
    const Clock::time_point started = Clock::now();
    install_cancel_handlers();
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

    podpull_client *client = nullptr;
    podpull_error *err = nullptr;
    podpull_code code = podpull_connect(&copts, &client, &err);
    if (code != PODPULL_OK) {
        renderer->error(code, podpull_error_message(err), false, Clock::now());
        podpull_error_free(err);
        return exit_status(code, 0);
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

    podpull_callbacks cb;
    podpull_callbacks_init(&cb);
    cb.user_data = renderer.get();
    cb.on_route = cb_route;
    cb.on_status = cb_status;
    cb.on_blob = cb_blob;

    podpull_result *res = nullptr;
    set_cancel_target(client);
    if (received_signal() != 0) {
        // Ctrl-C while the service was starting: do not begin the pull.
        code = PODPULL_ERR_CANCELLED;
        renderer->error(code, "interrupted before the pull started", true, Clock::now());
    } else {
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
        } else {
            renderer->error(code, podpull_error_message(err),
                            code == PODPULL_ERR_CANCELLED && received_signal() != 0, Clock::now());
        }
    }
    set_cancel_target(nullptr);
    podpull_result_free(res);
    podpull_error_free(err);
    renderer.reset(); // the terminal is restored before the service is stopped
    podpull_free(client);
    return exit_status(code, received_signal());
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
