// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * podpull_sigint_host: a C99 host that cancels its pull from a SIGINT handler, the way an
 * updater stops on ^C. It links libpodpull.so.1 and installs (sigaction) a handler that calls
 * podpull_cancel, which podpull.h promises is async-signal-safe.
 *
 * usage: podpull_sigint_host MODE PODMAN IMAGE RUNTIME_DIR ROOT RUNROOT [KEY=VALUE...]
 *   MODE thread:  the pulling thread takes the signal itself; the test sends it to that
 *                 thread (tgkill), so the handler interrupts the thread that is inside
 *                 podpull_pull.
 *   MODE process: SIGINT is blocked on every thread but one that only waits for signals; the
 *                 test sends it to the process (kill), so the handler runs on another thread
 *                 than the pulling one.
 *   PODMAN is the connect options' podman_path (the release under test), IMAGE is pulled with
 *   TLS verification on into ROOT (vfs), RUNROOT, with the socket dir in RUNTIME_DIR.
 *   KEY=VALUE entries go to the connect options' env (the service's environment).
 *
 * It prints, one per line, flushed: "PULLING tid=N" at the first byte count of a blob, then
 * "RESULT <code name>", "HANDLER ran=1 tid=N pull_tid=M", "CANCEL_TO_RETURN_MS N" (from the
 * handler to podpull_pull's return), and after podpull_free "CHILDREN none" when no child
 * process is left (else "CHILDREN left"). Exit status: 0 when the pull ended CANCELLED after
 * the handler ran and no child is left, 1 otherwise, 2 on bad usage.
 */
#define _GNU_SOURCE /* syscall(SYS_gettid) */

#include <podpull.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Shared between the main thread and a handler that may run on another thread, so volatile is
 * not enough (it orders nothing across threads). C99 has no <stdatomic.h>; the GCC/Clang
 * __atomic builtins on a pointer and an int are lock-free here, hence async-signal-safe. */
static podpull_client *g_client = NULL;
static int g_handler_ran = 0; /* released by the handler after g_handler_tid and g_handled_at */
static int g_handler_tid = 0;
static struct timespec g_handled_at;

static int gettid_now(void) {
    return (int)syscall(SYS_gettid);
}

/* Only async-signal-safe calls: syscall, clock_gettime and podpull_cancel. */
static void on_sigint(int sig) {
    (void)sig;
    g_handler_tid = gettid_now();
    clock_gettime(CLOCK_MONOTONIC, &g_handled_at);
    __atomic_store_n(&g_handler_ran, 1, __ATOMIC_RELEASE);
    podpull_cancel(__atomic_load_n(&g_client, __ATOMIC_ACQUIRE));
}

static int g_pulling_printed = 0;

static int on_blob(void *user_data, const podpull_blob_progress *p) {
    (void)user_data;
    if (!g_pulling_printed && p->state == PODPULL_BLOB_PULLING && p->current > 0) {
        g_pulling_printed = 1;
        printf("PULLING tid=%d\n", gettid_now());
        fflush(stdout);
    }
    return 0;
}

/* MODE process: the one thread with SIGINT unblocked. It only waits; the handler runs here. */
static void *signal_thread(void *arg) {
    sigset_t set;
    (void)arg;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    for (;;)
        pause();
    return NULL;
}

static long ms_between(const struct timespec *a, const struct timespec *b) {
    return (long)(b->tv_sec - a->tv_sec) * 1000L + (long)(b->tv_nsec - a->tv_nsec) / 1000000L;
}

int main(int argc, char **argv) {
    const char *mode, *image;
    const char **env;
    int i, n_env, by_process;
    struct sigaction sa;
    sigset_t block;
    pthread_t waiter;
    podpull_connect_options copts;
    podpull_pull_options popts;
    podpull_callbacks cb;
    podpull_error *err = NULL;
    podpull_result *res = NULL;
    podpull_client *client = NULL;
    podpull_code code;
    struct timespec returned_at;
    int pull_tid, status, children_left, ok, handler_ran;

    if (argc < 7 || (strcmp(argv[1], "thread") != 0 && strcmp(argv[1], "process") != 0)) {
        fprintf(stderr,
                "usage: %s thread|process PODMAN IMAGE RUNTIME_DIR ROOT RUNROOT [KEY=VALUE...]\n",
                argv[0]);
        return 2;
    }
    mode = argv[1];
    image = argv[3];
    by_process = strcmp(mode, "process") == 0;
    n_env = argc - 7;
    env = calloc((size_t)n_env + 1, sizeof *env);
    if (env == NULL)
        return 1;
    for (i = 0; i < n_env; ++i)
        env[i] = argv[7 + i];

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &sa, NULL) != 0) {
        perror("sigaction");
        return 1;
    }
    if (by_process) {
        /* Blocked here before podpull_connect, so the library's threads inherit the block. */
        sigemptyset(&block);
        sigaddset(&block, SIGINT);
        pthread_sigmask(SIG_BLOCK, &block, NULL);
        if (pthread_create(&waiter, NULL, signal_thread, NULL) != 0)
            return 1;
        pthread_detach(waiter);
    }

    podpull_connect_options_init(&copts);
    copts.podman_path = argv[2];
    copts.runtime_dir = argv[4];
    copts.storage_root = argv[5];
    copts.run_root = argv[6];
    copts.storage_driver = "vfs";
    copts.env = env;
    copts.start_timeout_ms = 60000;
    code = podpull_connect(&copts, &client, &err);
    if (code != PODPULL_OK) {
        printf("CONNECT %s %s\n", podpull_code_str(code), podpull_error_message(err));
        podpull_error_free(err);
        return 1;
    }
    __atomic_store_n(&g_client, client, __ATOMIC_RELEASE);

    podpull_pull_options_init(&popts); /* tls_verify stays on: registries.conf via env */
    podpull_callbacks_init(&cb);
    cb.on_blob = on_blob;
    pull_tid = gettid_now();
    code = podpull_pull(client, image, &popts, &cb, &res, &err);
    clock_gettime(CLOCK_MONOTONIC, &returned_at);
    printf("RESULT %s\n", podpull_code_str(code));
    if (err != NULL)
        printf("MESSAGE %s\n", podpull_error_message(err));
    handler_ran = __atomic_load_n(&g_handler_ran, __ATOMIC_ACQUIRE);
    printf("HANDLER ran=%d tid=%d pull_tid=%d\n", handler_ran, handler_ran ? g_handler_tid : 0,
           pull_tid);
    if (handler_ran)
        printf("CANCEL_TO_RETURN_MS %ld\n", ms_between(&g_handled_at, &returned_at));
    fflush(stdout);
    podpull_result_free(res);
    podpull_error_free(err);

    __atomic_store_n(&g_client, NULL, __ATOMIC_RELEASE);
    podpull_free(client);
    /* podpull_free reaped the service: no child of ours may be left, not even a zombie. */
    children_left = !(waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD);
    printf("CHILDREN %s\n", children_left ? "left" : "none");
    fflush(stdout);
    free(env);

    ok = code == PODPULL_ERR_CANCELLED && handler_ran && !children_left;
    return ok ? 0 : 1;
}
