// SPDX-License-Identifier: MIT OR Apache-2.0
#include "update_run.hpp"

#include "canceller_owner.hpp"
#include "exit_codes.hpp"
#include "final_status.hpp"
#include "json_update_renderer.hpp"
#include "output.hpp"
#include "plain_update_renderer.hpp"
#include "pull_setup.hpp"
#include "quiet_update_renderer.hpp"
#include "signals.hpp"
#include "tty_update_renderer.hpp"
#include "update.hpp"

#include <podpull.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

namespace podpull_cli {

namespace {

std::unique_ptr<UpdateRenderer> make_terminal_renderer(const Options &o, std::FILE *out) {
    if (o.json) {
        return std::make_unique<JsonUpdateRenderer>(out, stderr, o.quiet, o.images);
    }
    if (o.quiet) {
        return std::make_unique<QuietUpdateRenderer>(out, stderr);
    }
    if (stdout_is_terminal()) {
        return std::make_unique<TtyUpdateRenderer>(out, stderr);
    }
    return std::make_unique<PlainUpdateRenderer>(out, stderr, o.images);
}

// One pull's callbacks: which image they are about. (C linkage ignores the namespace: the
// names must differ from main.cpp's.)
struct ImageHost {
    Update *update;
    size_t index;
};

extern "C" void image_cb_route(void *ud, podpull_route route, const char *reason) {
    const auto *host = static_cast<ImageHost *>(ud);
    host->update->route(host->index, route, reason);
}
extern "C" void image_cb_status(void *ud, const char *line) {
    const auto *host = static_cast<ImageHost *>(ud);
    host->update->status(host->index, line);
}
extern "C" int image_cb_blob(void *ud, const podpull_blob_progress *p) {
    const auto *host = static_cast<ImageHost *>(ud);
    if (p != nullptr) {
        host->update->blob(host->index, *p);
    }
    return 0;
}

// Reports a failure of the library's (connect or pull) for image `index`.
void report_error(Update &update, size_t index, podpull_code code, const podpull_error *err) {
    update.error(index, code, podpull_error_message(err), podpull_error_retryable(err) != 0,
                 code == PODPULL_ERR_CANCELLED && received_signal() != 0);
}

void pull_image(podpull_client *client, const Options &o, const podpull_pull_options &popts,
                Update &update, size_t index) {
    const Clock::time_point started = Clock::now();
    ImageHost host{&update, index};
    podpull_callbacks cb;
    podpull_callbacks_init(&cb);
    cb.user_data = &host;
    cb.on_route = image_cb_route;
    cb.on_status = image_cb_status;
    cb.on_blob = image_cb_blob;

    podpull_result *res = nullptr;
    podpull_error *err = nullptr;
    const podpull_code code =
        podpull_pull(client, o.images[index].c_str(), &popts, &cb, &res, &err);
    if (code == PODPULL_OK) {
        update.result(
            index,
            pull_summary(res, std::chrono::duration<double>(Clock::now() - started).count()));
    } else {
        report_error(update, index, code, err);
    }
    podpull_result_free(res);
    podpull_error_free(err);
}

// The pulls, at most o.jobs at once: each worker takes the next image in the order given
// until none is left. Taking an image and announcing its start are one step, so that the
// images begin in the order given, also as the renderers tell it.
void pull_all(podpull_client *client, const Options &o, const podpull_pull_options &popts,
              Update &update) {
    std::mutex order;
    size_t next = 0;
    const auto take = [&]() -> std::optional<size_t> {
        const std::lock_guard lock(order);
        if (next == o.images.size()) {
            return std::nullopt;
        }
        update.start(next);
        return next++;
    };
    const auto worker = [&] {
        for (std::optional<size_t> i = take(); i; i = take()) {
            try {
                pull_image(client, o, popts, update, *i);
            } catch (const std::exception &e) {
                // The tool's own failure (out of memory, say) fails this image only.
                update.error(*i, PODPULL_ERR_INTERNAL, e.what(), false, false);
            }
        }
    };
    std::vector<std::thread> workers;
    const size_t n = std::min<size_t>(o.jobs, o.images.size());
    for (size_t k = 0; k < n; ++k) {
        try {
            workers.emplace_back(worker);
        } catch (const std::system_error &) {
            break; // no thread left for one more: fewer pulls at once
        }
    }
    if (workers.empty()) {
        worker();
    }
    for (std::thread &t : workers) {
        t.join();
    }
}

} // namespace

int run_update(const Options &o, std::FILE *out) {
    const Clock::time_point started = Clock::now();
    // From here on a signal ends whatever runs, the service's start included.
    CancellerOwner canceller;
    install_cancel_handlers(canceller.ptr);
    auto update = std::make_unique<Update>(
        o.images, [out] { return output_state(out) == OutputState::ok; },
        [&canceller] { podpull_canceller_cancel(canceller.ptr); });
    update->add(make_terminal_renderer(o, out));
    ProgressFdWriter events(o.progress_fd); // bootc's events of every image, by the library
    update->begin();

    const std::vector<const char *> env = env_array(o);
    const podpull_connect_options copts = connect_options(o, env, canceller.ptr);
    podpull_client *client = nullptr;
    podpull_error *err = nullptr;
    const podpull_code code = podpull_connect(&copts, &client, &err);
    if (code == PODPULL_OK) {
        pull_all(client, o, pull_options(o, canceller.ptr, events.get()), *update);
    } else {
        // No image can be pulled: each has this outcome.
        for (size_t i = 0; i < o.images.size(); ++i) {
            update->start(i);
            report_error(*update, i, code, err);
        }
        podpull_error_free(err);
    }
    update->end(std::chrono::duration<double>(Clock::now() - started).count());
    const std::vector<podpull_code> codes = update->codes();
    update.reset(); // the terminal is restored before the service is stopped
    events.close(); // and the events' reader sees their end
    podpull_free(client);
    return final_status(out, [&codes](int signal) { return update_exit_status(codes, signal); });
}

} // namespace podpull_cli
