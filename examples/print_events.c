// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * podpull-print-events: the smallest useful host. Starts a private podman service on the
 * storage given, pulls one image, and prints every event as it arrives.
 *
 *   podpull-print-events [--root DIR] [--runroot DIR] [--storage-driver D]
 *                        [--tls-verify=false] IMAGE
 */
#include <podpull.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static podpull_client *volatile g_client;

static void on_sigint(int sig) {
    (void)sig;
    if (g_client != NULL)
        podpull_cancel(g_client); /* async-signal-safe */
}

static void on_route(void *user_data, podpull_route route, const char *reason) {
    (void)user_data;
    printf("route  %s: %s\n", podpull_route_str(route), reason);
    fflush(stdout);
}

static void on_status(void *user_data, const char *line) {
    (void)user_data;
    printf("status %s\n", line);
    fflush(stdout);
}

static int on_blob(void *user_data, const podpull_blob_progress *p) {
    static const char *const states[] = {"started", "pulling", "done", "skipped"};
    (void)user_data;
    printf("blob   %.19s %-7s %llu/%lld  pull %llu/%llu bytes, %u/%u blobs\n", p->id,
           states[p->state], (unsigned long long)p->current, (long long)p->total,
           (unsigned long long)p->pull_current, (unsigned long long)p->pull_total, p->blobs_done,
           p->blobs_seen);
    fflush(stdout);
    return 0;
}

static void on_log(void *user_data, podpull_log_level level, const char *message) {
    (void)user_data;
    if (level >= PODPULL_LOG_INFO)
        fprintf(stderr, "podpull: %s\n", message);
}

static int usage(const char *program) {
    fprintf(stderr,
            "usage: %s [--root DIR] [--runroot DIR] [--storage-driver D] [--tls-verify=false] "
            "IMAGE\n",
            program);
    return 2;
}

int main(int argc, char **argv) {
    podpull_connect_options connect;
    podpull_pull_options pull;
    podpull_callbacks callbacks;
    const char *image = NULL;
    podpull_client *client = NULL;
    podpull_result *result = NULL;
    podpull_error *error = NULL;
    podpull_code code;
    int i;

    podpull_connect_options_init(&connect);
    podpull_pull_options_init(&pull);
    podpull_callbacks_init(&callbacks);
    connect.log = on_log;

    for (i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--root") == 0 && i + 1 < argc)
            connect.storage_root = argv[++i];
        else if (strcmp(argv[i], "--runroot") == 0 && i + 1 < argc)
            connect.run_root = argv[++i];
        else if (strcmp(argv[i], "--storage-driver") == 0 && i + 1 < argc)
            connect.storage_driver = argv[++i];
        else if (strcmp(argv[i], "--tls-verify=false") == 0)
            pull.tls_verify = 0;
        else if (argv[i][0] == '-' || image != NULL)
            return usage(argv[0]);
        else
            image = argv[i];
    }
    if (image == NULL)
        return usage(argv[0]);

    code = podpull_connect(&connect, &client, &error);
    if (code != PODPULL_OK) {
        fprintf(stderr, "connect failed: %s: %s\n", podpull_code_str(code),
                podpull_error_message(error));
        podpull_error_free(error);
        return 1;
    }
    g_client = client;
    signal(SIGINT, on_sigint);

    callbacks.on_route = on_route;
    callbacks.on_status = on_status;
    callbacks.on_blob = on_blob;
    code = podpull_pull(client, image, &pull, &callbacks, &result, &error);
    signal(SIGINT, SIG_DFL);
    g_client = NULL;
    if (code == PODPULL_OK) {
        printf("pulled %s (route %s, %llu bytes)\n", podpull_result_image_id(result),
               podpull_route_str(podpull_result_route(result)),
               (unsigned long long)podpull_result_bytes(result));
    } else {
        fprintf(stderr, "pull failed: %s: %s\n", podpull_code_str(code),
                podpull_error_message(error));
    }
    podpull_result_free(result);
    podpull_error_free(error);
    podpull_free(client);
    return code == PODPULL_OK ? 0 : (code == PODPULL_ERR_CANCELLED ? 130 : 1);
}
