/*
 * podpull_bench_pull --socket PATH [--sleep-ms MS] IMAGE
 *
 * One pull through the public ABI, into the podman service already listening at PATH (so
 * that podpull, curl and the others pull through the very same service). Without --sleep-ms
 * it passes no callbacks at all; with it, every callback (route, status, blob) sleeps that
 * long, as a host that draws slowly would. Prints one line:
 *   pull <milliseconds of podpull_pull> calls <callbacks made> bytes <bytes reported> route <n>
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
};

static void on_route(void *user, podpull_route route, const char *reason) {
    (void)route;
    (void)reason;
    struct slow_host *h = user;
    ++h->calls;
    bench_sleep_ms(h->sleep_ms);
}

static void on_status(void *user, const char *line) {
    (void)line;
    struct slow_host *h = user;
    ++h->calls;
    bench_sleep_ms(h->sleep_ms);
}

static int on_blob(void *user, const podpull_blob_progress *progress) {
    (void)progress;
    struct slow_host *h = user;
    ++h->calls;
    bench_sleep_ms(h->sleep_ms);
    return 0;
}

int main(int argc, char **argv) {
    const char *socket_path = NULL, *image = NULL;
    int with_callbacks = 0;
    struct slow_host host = {0, 0};
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
            socket_path = argv[++i];
        } else if (strcmp(argv[i], "--sleep-ms") == 0 && i + 1 < argc) {
            host.sleep_ms = (uint32_t)strtoul(argv[++i], NULL, 10);
            with_callbacks = 1;
        } else if (image == NULL && argv[i][0] != '-') {
            image = argv[i];
        } else {
            image = NULL;
            break;
        }
    }
    if (socket_path == NULL || image == NULL) {
        fprintf(stderr, "usage: %s --socket PATH [--sleep-ms MS] IMAGE\n", argv[0]);
        return 2;
    }

    podpull_connect_options copts;
    podpull_connect_options_init(&copts);
    copts.socket_path = socket_path;
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
    code = podpull_pull(client, image, NULL, with_callbacks ? &cb : NULL, &res, &err);
    const uint64_t t1 = bench_now_ns();
    int rc = 0;
    if (code == PODPULL_OK) {
        printf("pull %.3f calls %llu bytes %llu route %d\n", (double)(t1 - t0) / 1e6,
               (unsigned long long)host.calls, (unsigned long long)podpull_result_bytes(res),
               (int)podpull_result_route(res));
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
