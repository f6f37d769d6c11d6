// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * podpull_c_harness: a C99 host that loads libpodpull.so.1 with dlopen(), looks up nothing but
 * podpull_get_api, and through that table pulls the fixture's test image from its registry,
 * prints the events, checks the result, checks one error path, and frees everything.
 *
 * It links no part of podpull (only libdl); podpull.h is used for its types alone.
 *
 * usage: podpull_c_harness [LIBRARY]   (default: the libpodpull.so.1 of this build)
 * env:   PODPULL_TEST_ENV = the fixture's env file (tests/support/registry-up.sh)
 *        PODPULL_HARNESS_OWN_SERVICE=1: start `podman system service` here (same argv and
 *        environment as podpull's) and attach with socket_path. For the valgrind run: valgrind
 *        3.19 (bookworm) does not know pidfd_open (syscall 434), which Boost.Process needs to
 *        watch the service podpull starts, so under valgrind podpull cannot start one.
 *        Nor can it run skopeo for the image's manifest: there, the pull must go on without
 *        blob sizes and say why, and leave no child behind (can_watch_children()).
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE /* syscall() */

#include <podpull.h>

#include <dirent.h>
#include <dlfcn.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PODPULL_LIBRARY_PATH
#define PODPULL_LIBRARY_PATH "libpodpull.so.1"
#endif

static int failures = 0;
static char state_dir[512];

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "harness.c:%d: CHECK failed: %s\n", __LINE__, #cond);                  \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "harness.c:%d: REQUIRE failed: %s\n", __LINE__, #cond);                \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* ---- the fixture's env file ---------------------------------------------------------------- */

struct test_env {
    char registry[256];
    char image[512];
    char image_id[80];
};

static void env_value(const char *line, const char *key, char *out, size_t out_size) {
    size_t klen = strlen(key);
    const char *v;
    size_t vlen;
    if (strncmp(line, key, klen) != 0 || line[klen] != '=') {
        return;
    }
    v = line + klen + 1;
    vlen = strcspn(v, "\n");
    if (vlen >= 2 && v[0] == '\'' && v[vlen - 1] == '\'') {
        ++v;
        vlen -= 2;
    }
    if (vlen >= out_size) {
        vlen = out_size - 1;
    }
    memcpy(out, v, vlen);
    out[vlen] = '\0';
}

static void read_env(struct test_env *env) {
    const char *path = getenv("PODPULL_TEST_ENV");
    char line[1024];
    FILE *f;
    memset(env, 0, sizeof *env);
    if (path == NULL || *path == '\0') {
        fprintf(stderr, "FAIL: PODPULL_TEST_ENV is not set: run this through ctest (the "
                        "podpull_registry fixture) or set it to STATE_DIR/env of "
                        "tests/support/registry-up.sh\n");
        exit(1);
    }
    f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "FAIL: cannot read the fixture's env file %s\n", path);
        exit(1);
    }
    while (fgets(line, sizeof line, f) != NULL) {
        env_value(line, "PODPULL_TEST_REGISTRY", env->registry, sizeof env->registry);
        env_value(line, "PODPULL_TEST_IMAGE", env->image, sizeof env->image);
        env_value(line, "PODPULL_TEST_IMAGE_ID", env->image_id, sizeof env->image_id);
        env_value(line, "PODPULL_TEST_STATE_DIR", state_dir, sizeof state_dir);
    }
    fclose(f);
    if (env->registry[0] == '\0' || env->image[0] == '\0' || strlen(env->image_id) != 64) {
        fprintf(stderr,
                "FAIL: %s lacks PODPULL_TEST_REGISTRY, PODPULL_TEST_IMAGE or "
                "PODPULL_TEST_IMAGE_ID\n",
                path);
        exit(1);
    }
}

/* ---- a scratch directory ------------------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int dir_is_empty(const char *path) {
    DIR *d = opendir(path);
    struct dirent *e;
    int empty = 1;
    if (d == NULL) {
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            printf("  left in %s: %s\n", path, e->d_name);
            empty = 0;
        }
    }
    closedir(d);
    return empty;
}

/* The number of live or zombie processes whose parent is this process. */
static int count_children(void) {
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    long self = (long)getpid();
    if (d == NULL) {
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        char path[300], buf[1024];
        const char *close_paren;
        long ppid = 0;
        size_t got;
        FILE *f;
        if (e->d_name[0] < '0' || e->d_name[0] > '9') {
            continue;
        }
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        f = fopen(path, "r");
        if (f == NULL) {
            continue;
        }
        got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[got] = '\0';
        close_paren = strrchr(buf, ')');
        if (close_paren != NULL && sscanf(close_paren + 1, " %*c %ld", &ppid) == 1 &&
            ppid == self) {
            printf("  child left: %s", buf);
            ++n;
        }
    }
    closedir(d);
    return n;
}

/* Tell the fixture about the scratch dir, so its cleanup removes it if this process is killed. */
/* PODPULL_HARNESS_OWN_SERVICE: podman's service, started the way podpull starts it (argv as
 * service_argv in src/core/podman_command.cpp), once its socket exists. -1 on failure. */
static pid_t start_own_service(const char *root, const char *runroot, char *env_conf,
                               const char *socket) {
    char uri[720];
    struct timespec pause = {0, 20 * 1000 * 1000};
    int waited_ms = 0;
    struct stat st;
    pid_t pid;
    snprintf(uri, sizeof uri, "unix://%s", socket);
    pid = fork();
    if (pid == 0) {
        putenv(env_conf);
        execlp("podman", "podman", "--root", root, "--runroot", runroot, "--storage-driver", "vfs",
               "system", "service", "--time=0", uri, (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    while (stat(socket, &st) != 0) {
        if (waited_ms >= 20000 || waitpid(pid, NULL, WNOHANG) == pid) {
            fprintf(stderr, "FAIL: the harness's own podman service did not create %s\n", socket);
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return -1;
        }
        nanosleep(&pause, NULL);
        waited_ms += 20;
    }
    return pid;
}

static void register_sandbox(const char *dir) {
    char path[1200];
    FILE *f;
    snprintf(path, sizeof path, "%s/.podpull-sandbox", dir);
    f = fopen(path, "w");
    if (f != NULL) {
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/sandboxes", state_dir);
    f = fopen(path, "a");
    if (f != NULL) {
        fprintf(f, "%s\n", dir);
        fclose(f);
    }
}

/* Whether this process may watch a child through a pidfd, as podpull does: Linux 5.3 and later,
 * but not under valgrind 3.19, which does not implement the call. */
static int can_watch_children(void) {
    const long fd = syscall(SYS_pidfd_open, (long)getpid(), 0L);
    if (fd < 0) {
        return 0;
    }
    close((int)fd);
    return 1;
}

/* ---- callbacks ----------------------------------------------------------------------------- */

struct events {
    int route_calls;
    int route_first;
    int total;
    int status_lines;
    int copying_blob;
    podpull_route route;
    int reason_says_unwatchable; /* "cannot watch" a child: no pidfd_open here */
};

static void on_route(void *user_data, podpull_route route, const char *reason) {
    struct events *ev = (struct events *)user_data;
    if (ev->total == 0) {
        ev->route_first = 1;
    }
    ++ev->total;
    ++ev->route_calls;
    ev->route = route;
    ev->reason_says_unwatchable = reason != NULL && strstr(reason, "cannot watch") != NULL;
    printf("  on_route: %d (%s)\n", (int)route, reason != NULL ? reason : "(null)");
}

static void on_status(void *user_data, const char *line) {
    struct events *ev = (struct events *)user_data;
    ++ev->total;
    ++ev->status_lines;
    if (line != NULL && strstr(line, "Copying blob") != NULL) {
        ++ev->copying_blob;
    }
    printf("  on_status: %s\n", line != NULL ? line : "(null)");
}

static int on_blob(void *user_data, const podpull_blob_progress *p) {
    struct events *ev = (struct events *)user_data;
    ++ev->total;
    printf("  on_blob: %s state %d %llu/%lld\n", p->id != NULL ? p->id : "(null)", (int)p->state,
           (unsigned long long)p->current, (long long)p->total);
    return 0;
}

static void on_log(void *user_data, podpull_log_level level, const char *message) {
    (void)user_data;
    printf("  log[%d]: %s\n", (int)level, message != NULL ? message : "(null)");
}

static int is_hex64(const char *s) {
    size_t i;
    if (s == NULL || strlen(s) != 64) {
        return 0;
    }
    for (i = 0; i < 64; ++i) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

typedef const podpull_api *(*get_api_fn)(uint32_t);

int main(int argc, char **argv) {
    const char *library = argc > 1 ? argv[1] : PODPULL_LIBRARY_PATH;
    struct test_env env;
    void *handle;
    void *sym;
    get_api_fn get_api;
    const podpull_api *api;
    char dir[] = "/tmp/podpull-c-XXXXXX";
    char root[600], runroot[600], runtime[600], tmpdir[600], conf[600], env_conf[700];
    const char *service_env[2];
    FILE *f;
    podpull_connect_options copts;
    podpull_pull_options popts;
    podpull_callbacks cb;
    struct events ev;
    podpull_client *client = NULL;
    podpull_error *err = NULL;
    podpull_result *res = NULL;
    podpull_progress_writer *writer = NULL;
    int events[2] = {-1, -1};
    podpull_code code;
    char missing[600];
    char own_socket[700];
    pid_t own_service = -1;
    const char *own = getenv("PODPULL_HARNESS_OWN_SERVICE");

    read_env(&env);

    /* -- load: dlopen + the one symbol ------------------------------------------------------ */
    printf("dlopen %s\n", library);
    handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        fprintf(stderr, "FAIL: dlopen: %s\n", dlerror());
        return 1;
    }
    sym = dlsym(handle, "podpull_get_api");
    REQUIRE(sym != NULL);
    memcpy(&get_api, &sym, sizeof get_api); /* object pointer -> function pointer, C99-clean */

    CHECK(get_api(2) == NULL);
    CHECK(get_api(0) == NULL);
    api = get_api(PODPULL_ABI_MAJOR);
    REQUIRE(api != NULL);
    CHECK(api->abi_major == 1);
    CHECK(api->struct_size >= sizeof(podpull_api));
    REQUIRE(api->connect_options_init && api->pull_options_init && api->callbacks_init &&
            api->connect && api->pull && api->cancel && api->free && api->error_code &&
            api->error_message && api->error_free && api->result_image_id && api->result_route &&
            api->result_bytes && api->result_free && api->code_str && api->version &&
            api->abi_version);
    CHECK(api->abi_version() == 1);
    CHECK(api->version() != NULL && api->version()[0] != '\0');
    printf("libpodpull %s, ABI %u\n", api->version(), (unsigned)api->abi_version());
    CHECK(strcmp(api->code_str(PODPULL_OK), "PODPULL_OK") == 0);
    CHECK(strcmp(api->code_str(PODPULL_ERR_NOT_FOUND), "PODPULL_ERR_NOT_FOUND") == 0);
    CHECK(strcmp(api->code_str((podpull_code)999), "PODPULL_ERR_UNKNOWN") == 0);
    /* route_str came in 1.1: a host checks that the table covers it before use. */
    REQUIRE(api->struct_size >= offsetof(podpull_api, route_str) + sizeof api->route_str);
    REQUIRE(api->route_str != NULL);
    CHECK(strcmp(api->route_str(PODPULL_ROUTE_LIBPOD_PROGRESS), "PODPULL_ROUTE_LIBPOD_PROGRESS") ==
          0);
    CHECK(strcmp(api->route_str(PODPULL_ROUTE_AUTO), "PODPULL_ROUTE_AUTO") == 0);
    CHECK(strcmp(api->route_str((podpull_route)999), "PODPULL_ROUTE_UNKNOWN") == 0);
    /* The result's cached bytes and blob counts came in 1.2: the same check. */
    REQUIRE(api->struct_size >=
            offsetof(podpull_api, result_blobs_cached) + sizeof api->result_blobs_cached);
    REQUIRE(api->result_bytes_cached && api->result_blobs_total && api->result_blobs_cached);
    CHECK(api->result_bytes_cached(NULL) == 0 && api->result_blobs_total(NULL) == 0 &&
          api->result_blobs_cached(NULL) == 0);
    /* podpull_error_retryable came in 1.3. */
    REQUIRE(api->struct_size >=
            offsetof(podpull_api, error_retryable) + sizeof api->error_retryable);
    REQUIRE(api->error_retryable);
    CHECK(api->error_retryable(NULL) == 0);
    /* The manifest's digest and bootc's progress writer came in 1.5. */
    REQUIRE(api->struct_size >=
            offsetof(podpull_api, progress_writer_free) + sizeof api->progress_writer_free);
    REQUIRE(api->result_manifest_digest && api->progress_writer_new &&
            api->progress_writer_failed && api->progress_writer_free);
    CHECK(api->result_manifest_digest(NULL) != NULL && api->result_manifest_digest(NULL)[0] == 0);
    CHECK(api->progress_writer_failed(NULL) == 0);
    api->progress_writer_free(NULL);
    /* NULL is a no-op or a neutral answer everywhere. */
    api->free(NULL);
    api->error_free(NULL);
    api->result_free(NULL);
    api->cancel(NULL);
    api->connect_options_init(NULL);
    CHECK(api->error_code(NULL) == PODPULL_OK);
    CHECK(api->error_message(NULL) != NULL && api->error_message(NULL)[0] == '\0');
    CHECK(api->result_image_id(NULL) != NULL && api->result_image_id(NULL)[0] == '\0');
    CHECK(api->result_route(NULL) == PODPULL_ROUTE_AUTO);

    /* -- a scratch storage, runroot and runtime dir ----------------------------------------- */
    REQUIRE(mkdtemp(dir) != NULL);
    register_sandbox(dir);
    snprintf(root, sizeof root, "%s/root", dir);
    snprintf(runroot, sizeof runroot, "%s/run", dir);
    snprintf(runtime, sizeof runtime, "%s/runtime", dir);
    snprintf(tmpdir, sizeof tmpdir, "%s/podman-tmp", dir);
    snprintf(conf, sizeof conf, "%s/containers.conf", dir);
    REQUIRE(mkdir(root, 0700) == 0 && mkdir(runroot, 0700) == 0 && mkdir(runtime, 0700) == 0 &&
            mkdir(tmpdir, 0700) == 0);
    f = fopen(conf, "w");
    REQUIRE(f != NULL);
    fprintf(f, "[engine]\ntmp_dir = \"%s\"\nlock_type = \"file\"\nevents_logger = \"none\"\n",
            tmpdir);
    fclose(f);
    snprintf(env_conf, sizeof env_conf, "CONTAINERS_CONF=%s", conf);
    service_env[0] = env_conf;
    service_env[1] = NULL;

    /* The unsized init serves hosts built against 1.0 and 1.1 headers: it writes the 1.0
     * layout only. A host built against this header calls the sized one (1.2), which the
     * table covers. */
    api->connect_options_init(&copts);
    CHECK(copts.struct_size ==
          offsetof(podpull_connect_options, log_user_data) + sizeof copts.log_user_data);
    REQUIRE(api->struct_size >= offsetof(podpull_api, canceller_free) + sizeof api->canceller_free);
    memset(&copts, 0xa5, sizeof copts);
    api->connect_options_init_sized(&copts, sizeof copts);
    CHECK(copts.struct_size == sizeof copts);
    CHECK(copts.canceller == NULL);
    CHECK(copts.run_root_fd == -1);
    CHECK(copts.auth_fd == -1);
    CHECK(copts.storage_root_fd == -1);
    CHECK(copts.storage_root_alias == NULL);
    copts.storage_root = root;
    copts.run_root = runroot;
    copts.storage_driver = "vfs";
    copts.runtime_dir = runtime;
    copts.env = service_env;
    copts.start_timeout_ms = 20000;
    copts.log = on_log;
    if (own != NULL && strcmp(own, "1") == 0) {
        snprintf(own_socket, sizeof own_socket, "%s/podman.sock", runtime);
        own_service = start_own_service(root, runroot, env_conf, own_socket);
        REQUIRE(own_service > 0);
        printf("attaching to the harness's own podman service (PODPULL_HARNESS_OWN_SERVICE)\n");
        copts.socket_path = own_socket;
    }

    code = api->connect(&copts, &client, &err);
    if (code != PODPULL_OK) {
        fprintf(stderr, "FAIL: connect: %s: %s\n", api->code_str(code), api->error_message(err));
        api->error_free(err);
        if (own_service > 0) {
            kill(own_service, SIGKILL);
            waitpid(own_service, NULL, 0);
        }
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        return 1;
    }
    CHECK(client != NULL);
    CHECK(err == NULL);

    /* -- a pull ----------------------------------------------------------------------------- */
    memset(&popts, 0xa5, sizeof popts);
    api->pull_options_init_sized(&popts, sizeof popts);
    CHECK(popts.struct_size == sizeof popts);
    CHECK(popts.canceller == NULL);
    CHECK(popts.tls_verify == 1);
    CHECK(popts.stall_timeout_ms == PODPULL_DEFAULT_STALL_TIMEOUT_MS);
    popts.tls_verify = 0; /* the fixture's registry speaks plain HTTP */
    CHECK(popts.progress_writer == NULL);
    /* bootc's events on a pipe, read once the writer is gone (they fit in the pipe). */
    REQUIRE(pipe(events) == 0);
    CHECK(api->progress_writer_new(events[1], 0x80, &writer, &err) ==
          PODPULL_ERR_INVALID_ARGUMENT); /* a flag this library does not know */
    CHECK(writer == NULL);
    api->error_free(err);
    err = NULL;
    REQUIRE(api->progress_writer_new(events[1], 0, &writer, &err) == PODPULL_OK);
    close(events[1]); /* the writer holds its own duplicate */
    popts.progress_writer = writer;
    api->callbacks_init(&cb);
    CHECK(cb.struct_size == sizeof cb);
    CHECK(cb.on_route == NULL && cb.on_status == NULL && cb.on_blob == NULL);
    memset(&ev, 0, sizeof ev);
    cb.user_data = &ev;
    cb.on_route = on_route;
    cb.on_status = on_status;
    cb.on_blob = on_blob;

    printf("pull %s\n", env.image);
    code = api->pull(client, env.image, &popts, &cb, &res, &err);
    printf("-> %s\n", api->code_str(code));
    CHECK(code == PODPULL_OK);
    if (code != PODPULL_OK) {
        fprintf(stderr, "  error: %s\n", api->error_message(err));
    }
    CHECK(err == NULL);
    CHECK(res != NULL);
    CHECK(ev.route_calls == 1);
    CHECK(ev.route_first == 1);
    CHECK(ev.route == PODPULL_ROUTE_LIBPOD_TEXT);
    CHECK(ev.status_lines > 0);
    CHECK(ev.copying_blob > 0);
    popts.progress_writer = NULL;
    CHECK(api->progress_writer_failed(writer) == 0);
    api->progress_writer_free(writer);
    writer = NULL;
    {
        char text[65536];
        size_t got = 0;
        ssize_t n;
        while (got < sizeof text - 1 &&
               (n = read(events[0], text + got, sizeof text - 1 - got)) > 0) {
            got += (size_t)n;
        }
        text[got] = '\0';
        close(events[0]);
        CHECK(strncmp(text, "{\"type\":\"Start\",\"version\":\"0.1.0\"}\n", 35) == 0);
        CHECK(strstr(text, "\"task\":\"pulling\"") != NULL);
        CHECK(got > 0 && text[got - 1] == '\n');
        if (res != NULL && api->result_manifest_digest(res)[0] != '\0') {
            char id[100];
            snprintf(id, sizeof id, "\"id\":\"%s\"", api->result_manifest_digest(res));
            CHECK(strstr(text, id) != NULL);
        }
    }
    if (res != NULL) {
        printf("image id %s, route %d, %llu bytes\n", api->result_image_id(res),
               (int)api->result_route(res), (unsigned long long)api->result_bytes(res));
        CHECK(is_hex64(api->result_image_id(res)));
        CHECK(strcmp(api->result_image_id(res), env.image_id) == 0);
        CHECK(api->result_route(res) == PODPULL_ROUTE_LIBPOD_TEXT);
        printf("%u blobs, %u cached, %llu bytes cached\n", (unsigned)api->result_blobs_total(res),
               (unsigned)api->result_blobs_cached(res),
               (unsigned long long)api->result_bytes_cached(res));
        CHECK(api->result_blobs_cached(res) == 0);
        CHECK(api->result_bytes_cached(res) == 0);
        if (can_watch_children()) {
            CHECK(strncmp(api->result_manifest_digest(res), "sha256:", 7) == 0);
            CHECK(strlen(api->result_manifest_digest(res)) == 7 + 64);
            /* The manifest (skopeo) gave every blob: three layers and the config, none of them
             * in the fresh storage, so every byte was fetched. */
            CHECK(api->result_blobs_total(res) == 4);
            CHECK(api->result_bytes(res) > 13 * 1000 * 1000);
        } else {
            /* skopeo could not be watched: no sizes, the route's reason says why, and the child
             * was reaped (the check of children below). */
            printf("no pidfd_open here: the manifest step cannot run\n");
            CHECK(api->result_blobs_total(res) == 0);
            CHECK(ev.reason_says_unwatchable);
        }
    }
    api->result_free(res);
    res = NULL;
    api->error_free(err);
    err = NULL;

    /* -- an error: a tag that does not exist ------------------------------------------------ */
    snprintf(missing, sizeof missing, "%s/podpull/test:no-such-tag", env.registry);
    printf("pull %s\n", missing);
    memset(&ev, 0, sizeof ev);
    code = api->pull(client, missing, &popts, &cb, &res, &err);
    printf("-> %s: %s\n", api->code_str(code), api->error_message(err));
    CHECK(code == PODPULL_ERR_NOT_FOUND);
    CHECK(strcmp(api->code_str(code), "PODPULL_ERR_NOT_FOUND") == 0);
    CHECK(res == NULL);
    CHECK(err != NULL);
    CHECK(api->error_code(err) == PODPULL_ERR_NOT_FOUND);
    CHECK(strstr(api->error_message(err), "manifest unknown") != NULL);
    CHECK(api->error_retryable(err) == 0); /* a missing tag stays missing */
    CHECK(ev.route_calls == 1);
    api->result_free(res);
    api->error_free(err);
    err = NULL;

    /* -- tear down -------------------------------------------------------------------------- */
    api->free(client);
    if (own_service > 0) {
        CHECK(kill(own_service, SIGTERM) == 0);
        CHECK(waitpid(own_service, NULL, 0) == own_service);
        remove(own_socket);
    }
    CHECK(dir_is_empty(runtime));
    CHECK(count_children() == 0);
    CHECK(dlclose(handle) == 0);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

    if (failures != 0) {
        fprintf(stderr, "podpull_c_harness: %d check(s) failed\n", failures);
        return 1;
    }
    printf("podpull_c_harness: all checks passed\n");
    return 0;
}
