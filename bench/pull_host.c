// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * podpull_bench_pull --socket PATH [--sleep-ms MS | --first-byte] [--env KEY=VALUE]... IMAGE
 *
 * One pull through the public ABI, into the podman service already listening at PATH (so
 * that podpull, curl and the others pull through the very same service). Without --sleep-ms
 * or --first-byte it passes no callbacks at all; with --sleep-ms, every callback (route,
 * status, blob) sleeps that long, as a host that draws slowly would; with --first-byte the
 * callbacks only note when the route came and when the first report with bytes came (the
 * manifest step's cost). --env is the connect options' env (a PATH without skopeo
 * turns the manifest step off). Prints one line:
 *   pull <ms of podpull_pull> calls <callbacks> bytes <bytes fetched> route <n>
 *        [route_ms <ms to on_route> first_ms <ms to the first bytes> total <pull_total then>
 *         step_ms <the manifest step's own ms, from the route's reason; -1 without one>]
 */
#define _GNU_SOURCE
#include "bench_clock.h"

#include <podpull.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct slow_host {
    uint32_t sleep_ms;
    uint64_t calls;
    uint64_t t0, route_ns, first_ns, first_total;
    long step_ms;
};

/* "..., skopeo inspect, 183 ms)": the step's own time, at the end of the route's reason. */
static long step_ms_of(const char *reason) {
    const char *end = strstr(reason, " ms)");
    if (end == NULL || strstr(reason, "blob sizes from the image's manifest") == NULL)
        return -1;
    const char *start = end;
    while (start > reason && start[-1] >= '0' && start[-1] <= '9')
        --start;
    return start == end ? -1 : strtol(start, NULL, 10);
}

static void on_route(void *user, podpull_route route, const char *reason) {
    (void)route;
    struct slow_host *h = user;
    ++h->calls;
    h->route_ns = bench_now_ns();
    h->step_ms = step_ms_of(reason);
    bench_sleep_ms(h->sleep_ms);
}

static void on_status(void *user, const char *line) {
    (void)line;
    struct slow_host *h = user;
    ++h->calls;
    bench_sleep_ms(h->sleep_ms);
}

static int on_blob(void *user, const podpull_blob_progress *progress) {
    struct slow_host *h = user;
    ++h->calls;
    if (h->first_ns == 0 && progress->pull_current > 0) {
        h->first_ns = bench_now_ns();
        h->first_total = progress->pull_total;
    }
    bench_sleep_ms(h->sleep_ms);
    return 0;
}

int main(int argc, char **argv) {
    const char *socket_path = NULL, *image = NULL;
    int with_callbacks = 0, first_byte = 0;
    struct slow_host host = {0, 0, 0, 0, 0, 0, -1};
    const char *env[16] = {NULL};
    size_t envs = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
            socket_path = argv[++i];
        } else if (strcmp(argv[i], "--sleep-ms") == 0 && i + 1 < argc) {
            host.sleep_ms = (uint32_t)strtoul(argv[++i], NULL, 10);
            with_callbacks = 1;
        } else if (strcmp(argv[i], "--first-byte") == 0) {
            with_callbacks = first_byte = 1;
        } else if (strcmp(argv[i], "--env") == 0 && i + 1 < argc && envs + 1 < 16) {
            env[envs++] = argv[++i];
        } else if (image == NULL && argv[i][0] != '-') {
            image = argv[i];
        } else {
            image = NULL;
            break;
        }
    }
    if (socket_path == NULL || image == NULL) {
        fprintf(stderr,
                "usage: %s --socket PATH [--sleep-ms MS | --first-byte] [--env K=V]... IMAGE\n",
                argv[0]);
        return 2;
    }

    podpull_connect_options copts;
    podpull_connect_options_init(&copts);
    copts.socket_path = socket_path;
    copts.env = env;
    podpull_client *client = NULL;
    podpull_error *err = NULL;
    podpull_code code = podpull_connect(&copts, &client, &err);
    if (code != PODPULL_OK) {
        fprintf(stderr, "pull_host: podpull_connect: %s: %s\n", podpull_code_str(code),
                podpull_error_message(err));
        podpull_error_free(err);
        return 1;
    }

    podpull_callbacks cb;
    podpull_callbacks_init(&cb);
    cb.user_data = &host;
    cb.on_route = on_route;
    cb.on_status = on_status;
    cb.on_blob = on_blob;
    podpull_result *res = NULL;
    const uint64_t t0 = bench_now_ns();
    host.t0 = t0;
    code = podpull_pull(client, image, NULL, with_callbacks ? &cb : NULL, &res, &err);
    const uint64_t t1 = bench_now_ns();
    int rc = 0;
    if (code == PODPULL_OK) {
        printf("pull %.3f calls %llu bytes %llu route %d", (double)(t1 - t0) / 1e6,
               (unsigned long long)host.calls, (unsigned long long)podpull_result_bytes(res),
               (int)podpull_result_route(res));
        if (first_byte)
            printf(" route_ms %.3f first_ms %.3f total %llu step_ms %ld",
                   (double)(host.route_ns - t0) / 1e6,
                   host.first_ns != 0 ? (double)(host.first_ns - t0) / 1e6 : -1.0,
                   (unsigned long long)host.first_total, host.step_ms);
        printf("\n");
    } else {
        fprintf(stderr, "pull_host: podpull_pull: %s: %s\n", podpull_code_str(code),
                podpull_error_message(err));
        rc = 1;
    }
    podpull_result_free(res);
    podpull_error_free(err);
    podpull_free(client);
    return rc;
}
