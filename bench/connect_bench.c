// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * podpull_bench_connect --runs N --podman PATH --work DIR
 *
 * Connect-to-ready of one `podman system service`, three ways, side by side:
 *   podpull  podpull_connect() through the public ABI (it waits for podman's READY=1, then
 *            asks the service its version);
 *   poll     the same command line started and watched the way bootc's podman_client.rs
 *            does: after spawning, check whether podman exited, then whether the
 *            socket file exists, then sleep 100 ms, and again; ready = the file exists;
 *   notify   the same command line with NOTIFY_SOCKET set: ready = podman's own READY=1
 *            datagram, timed from spawn.
 * Each run of each way gets its own storage root, runroot and socket directory under DIR (vfs
 * driver), removed afterwards. The ways take turns within a run, in an order that rotates, so
 * that machine noise spreads over all three. Prints one line per measurement:
 *   connect <way> <milliseconds>
 * CONTAINERS_CONF and the like come from the environment, which every podman inherits.
 */
#define _GNU_SOURCE
#include "bench_clock.h"
#include "bench_tree.h"

#include <podpull.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum { way_podpull, way_poll, way_notify, way_count };
static const char *const way_names[way_count] = {"podpull", "poll", "notify"};

/* bootc's budget: 900 polls of 100 ms, 90 s. */
enum { poll_interval_ms = 100, poll_attempts = 900, notify_timeout_ms = 90000 };

struct run_dirs {
    char base[512], root[600], runroot[600], sockdir[600], socket[700], notify[700], log[700];
};

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void make_dirs(struct run_dirs *d, const char *work, int run, int way) {
    snprintf(d->base, sizeof d->base, "%s/%d-%s", work, run, way_names[way]);
    snprintf(d->root, sizeof d->root, "%s/root", d->base);
    snprintf(d->runroot, sizeof d->runroot, "%s/run", d->base);
    snprintf(d->sockdir, sizeof d->sockdir, "%s/s", d->base);
    snprintf(d->socket, sizeof d->socket, "%s/api.sock", d->sockdir);
    snprintf(d->notify, sizeof d->notify, "%s/notify.sock", d->sockdir);
    snprintf(d->log, sizeof d->log, "%s/service.log", d->base);
    if (mkdir(d->base, 0700) != 0 || mkdir(d->sockdir, 0700) != 0)
        die("mkdir");
}

/* Starts `podman --root R --runroot RR --storage-driver vfs system service --time=0
 * unix://SOCKET`, the command line podpull runs, with stdin and stdout on /dev/null and
 * stderr in the run's log. `notify_env` (or NULL) is added to the environment. */
static pid_t spawn_service(const char *podman, const struct run_dirs *d, const char *notify_env) {
    char uri[720];
    snprintf(uri, sizeof uri, "unix://%s", d->socket);
    char *argv[] = {(char *)podman,
                    "--root",
                    (char *)d->root,
                    "--runroot",
                    (char *)d->runroot,
                    "--storage-driver",
                    "vfs",
                    "system",
                    "service",
                    "--time=0",
                    uri,
                    NULL};

    size_t n = 0;
    while (environ[n] != NULL)
        ++n;
    char **envp = calloc(n + 2, sizeof *envp);
    if (envp == NULL)
        die("calloc");
    size_t k = 0;
    for (size_t i = 0; i < n; ++i)
        if (strncmp(environ[i], "NOTIFY_SOCKET=", 14) != 0)
            envp[k++] = environ[i];
    if (notify_env != NULL)
        envp[k++] = (char *)notify_env;
    envp[k] = NULL;

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, d->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid;
    int rc = posix_spawn(&pid, podman, &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    free(envp);
    if (rc != 0) {
        errno = rc;
        die("posix_spawn podman");
    }
    return pid;
}

static void stop_service(pid_t pid) {
    kill(pid, SIGTERM);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

static void fail_exited(const struct run_dirs *d) {
    fprintf(stderr, "connect_bench: podman exited before it was ready; see %s\n", d->log);
    exit(1);
}

static double measure_podpull(const char *podman, const struct run_dirs *d) {
    podpull_connect_options opts;
    podpull_connect_options_init(&opts);
    opts.podman_path = podman;
    opts.storage_root = d->root;
    opts.run_root = d->runroot;
    opts.storage_driver = "vfs";
    opts.runtime_dir = d->sockdir;
    podpull_client *client = NULL;
    podpull_error *err = NULL;
    const uint64_t t0 = bench_now_ns();
    const podpull_code code = podpull_connect(&opts, &client, &err);
    const uint64_t t1 = bench_now_ns();
    if (code != PODPULL_OK) {
        fprintf(stderr, "connect_bench: podpull_connect: %s: %s\n", podpull_code_str(code),
                podpull_error_message(err));
        exit(1);
    }
    podpull_free(client);
    return (double)(t1 - t0) / 1e6;
}

static double measure_poll(const char *podman, const struct run_dirs *d) {
    const uint64_t t0 = bench_now_ns();
    const pid_t pid = spawn_service(podman, d, NULL);
    int ready = 0;
    for (int attempt = 0; attempt < poll_attempts; ++attempt) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            fail_exited(d);
        if (access(d->socket, F_OK) == 0) {
            ready = 1;
            break;
        }
        bench_sleep_ms(poll_interval_ms);
    }
    const uint64_t t1 = bench_now_ns();
    if (!ready) {
        fprintf(stderr, "connect_bench: no socket after %d polls\n", poll_attempts);
        exit(1);
    }
    stop_service(pid);
    return (double)(t1 - t0) / 1e6;
}

static int has_ready(const char *datagram) {
    /* sd_notify(3): newline-separated assignments; READY=1 is one of them. */
    for (const char *p = datagram; p != NULL; p = strchr(p, '\n')) {
        if (*p == '\n')
            ++p;
        if (strncmp(p, "READY=1", 7) == 0 && (p[7] == '\n' || p[7] == '\0'))
            return 1;
    }
    return 0;
}

static double measure_notify(const char *podman, const struct run_dirs *d) {
    const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(d->notify) >= sizeof addr.sun_path) {
        fprintf(stderr, "connect_bench: %s is too long for a socket path\n", d->notify);
        exit(1);
    }
    strcpy(addr.sun_path, d->notify);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        die("bind notify socket");
    char env[760];
    snprintf(env, sizeof env, "NOTIFY_SOCKET=%s", d->notify);

    const uint64_t t0 = bench_now_ns();
    const pid_t pid = spawn_service(podman, d, env);
    int ready = 0;
    while (!ready) {
        /* Wake every 100 ms only to notice an early exit; the datagram wakes at once. */
        struct pollfd p = {fd, POLLIN, 0};
        const int n = poll(&p, 1, 100);
        if (n > 0) {
            char buf[4096];
            const ssize_t got = recv(fd, buf, sizeof buf - 1, 0);
            if (got > 0) {
                buf[got] = '\0';
                ready = has_ready(buf);
            }
        } else if (waitpid(pid, NULL, WNOHANG) == pid) {
            fail_exited(d);
        }
        if (!ready && (bench_now_ns() - t0) / 1000000u > notify_timeout_ms) {
            fprintf(stderr, "connect_bench: no READY=1 within %d ms\n", notify_timeout_ms);
            exit(1);
        }
    }
    const uint64_t t1 = bench_now_ns();
    close(fd);
    stop_service(pid);
    return (double)(t1 - t0) / 1e6;
}

static double measure(int way, const char *podman, const struct run_dirs *d) {
    switch (way) {
    case way_podpull:
        return measure_podpull(podman, d);
    case way_poll:
        return measure_poll(podman, d);
    default:
        return measure_notify(podman, d);
    }
}

int main(int argc, char **argv) {
    int runs = 10;
    const char *podman = NULL, *work = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--runs") == 0)
            runs = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--podman") == 0)
            podman = argv[i + 1];
        else if (strcmp(argv[i], "--work") == 0)
            work = argv[i + 1];
    }
    if (runs < 1 || podman == NULL || work == NULL || podman[0] != '/') {
        fprintf(stderr, "usage: %s --runs N --podman /ABS/PATH --work DIR\n", argv[0]);
        return 2;
    }
    /* Run -1 warms the page cache (podman's binary, its libraries) and is not reported. */
    for (int run = -1; run < runs; ++run) {
        for (int turn = 0; turn < way_count; ++turn) {
            const int way = (turn + (run < 0 ? 0 : run)) % way_count;
            struct run_dirs d;
            make_dirs(&d, work, run + 1, way);
            const double ms = measure(way, podman, &d);
            if (run >= 0)
                printf("connect %s %.3f\n", way_names[way], ms);
            fflush(stdout);
            if (bench_remove_tree(d.base) != 0)
                die("remove run directory");
        }
    }
    return 0;
}
