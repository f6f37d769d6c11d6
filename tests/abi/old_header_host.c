// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * podpull_abi_old_header: a C99 host built against an *older* podpull.h, whose structs have
 * fewer fields (and so a smaller struct_size), linked to today's libpodpull.so.1 through its
 * real symbols. It checks that the library reads only the fields the old structs have:
 *
 *   - podpull_get_api(2) is NULL, podpull_get_api(1) serves ABI 1;
 *   - connect options without `log`/`log_user_data`, followed by garbage bytes, reach
 *     podpull_connect: a missing podman is PODMAN_NOT_FOUND (not INVALID_ARGUMENT);
 *   - with the fixture (PODPULL_TEST_ENV): a real pull with pull options without
 *     `stall_timeout_ms` and `route` and callbacks without `on_blob`, each followed by garbage
 *     bytes (0xA5: an invalid route, a 2.7e9 ms stall timeout, a garbage on_blob pointer that
 *     would crash if called), takes the automatic route and succeeds.
 *
 * usage: podpull_abi_old_header
 *
 * (podpull_*_init is not called on these structs: it writes the ABI 1.0 layout, which no
 * older header can be smaller than; see init_layout in src/abi/podpull.cpp.)
 */
#define _XOPEN_SOURCE 700

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- podpull.h as an older version would have had it ------------------------------------- */

typedef struct podpull_client podpull_client;
typedef struct podpull_error podpull_error;
typedef struct podpull_result podpull_result;
typedef int podpull_code; /* an enum of the same size */
enum { OLD_PODPULL_OK = 0, OLD_PODPULL_ERR_PODMAN_NOT_FOUND = 2 };

typedef struct old_connect_options { /* without log, log_user_data */
    uint32_t struct_size;
    const char *podman_path;
    const char *storage_root;
    const char *run_root;
    int run_root_fd;
    const char *storage_driver;
    const char *auth_file;
    int auth_fd;
    const char *socket_path;
    const char *runtime_dir;
    const char *const *env;
    uint32_t start_timeout_ms;
} old_connect_options;

/* Without stall_timeout_ms and route. (Without route alone it would be no smaller: route fits
 * in the tail padding, so sizeof stays 64 and the library could not tell the two apart.) */
typedef struct old_pull_options {
    uint32_t struct_size;
    int policy;
    int tls_verify;
    const char *os, *arch, *variant;
    uint32_t retries;
    uint32_t retry_delay_ms;
} old_pull_options;

typedef struct old_callbacks { /* without on_blob */
    uint32_t struct_size;
    void *user_data;
    void (*on_route)(void *user_data, int route, const char *reason);
    void (*on_status)(void *user_data, const char *line);
} old_callbacks;

typedef struct old_api_prefix {
    uint32_t struct_size;
    uint32_t abi_major;
} old_api_prefix;

void podpull_connect_options_init(old_connect_options *opts);
void podpull_pull_options_init(old_pull_options *opts);
void podpull_callbacks_init(old_callbacks *cb);
podpull_code podpull_connect(const old_connect_options *opts, podpull_client **out,
                             podpull_error **err);
podpull_code podpull_pull(podpull_client *client, const char *image, const old_pull_options *opts,
                          const old_callbacks *cb, podpull_result **result, podpull_error **err);
void podpull_free(podpull_client *client);
podpull_code podpull_error_code(const podpull_error *err);
const char *podpull_error_message(const podpull_error *err);
void podpull_error_free(podpull_error *err);
const char *podpull_result_image_id(const podpull_result *res);
int podpull_result_route(const podpull_result *res);
void podpull_result_free(podpull_result *res);
uint32_t podpull_abi_version(void);
const old_api_prefix *podpull_get_api(uint32_t abi_major);

/* ---- checks -------------------------------------------------------------------------------- */

static int failures = 0;
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "old_header_host.c:%d: CHECK failed: %s\n", __LINE__, #cond);          \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

/* Room for an old struct followed by bytes a newer library must not read or write. */
#define GUARD 0xA5
union arena {
    unsigned char bytes[512];
    void *align_ptr;
    uint64_t align_u64;
};

static void fill(union arena *a) {
    memset(a->bytes, GUARD, sizeof a->bytes);
}

/* The old defaults, set by hand: what an old podpull_*_init wrote. */
static void old_connect_defaults(old_connect_options *o) {
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->run_root_fd = -1;
    o->auth_fd = -1;
    o->start_timeout_ms = 90000;
}

struct fixture {
    char podman[512], image[512], image_id[80], conf[512];
};

static void env_value(const char *line, const char *key, char *out, size_t size) {
    size_t klen = strlen(key), vlen;
    const char *v;
    if (strncmp(line, key, klen) != 0 || line[klen] != '=') {
        return;
    }
    v = line + klen + 1;
    vlen = strcspn(v, "\n");
    if (vlen >= 2 && (v[0] == '\'' || v[0] == '"')) {
        ++v;
        vlen -= 2;
    }
    if (vlen < size) {
        memcpy(out, v, vlen);
        out[vlen] = '\0';
    }
}

static int read_fixture(struct fixture *f) {
    const char *path = getenv("PODPULL_TEST_ENV");
    char line[1024];
    FILE *in;
    memset(f, 0, sizeof *f);
    if (path == NULL || (in = fopen(path, "r")) == NULL) {
        return 0;
    }
    while (fgets(line, sizeof line, in) != NULL) {
        env_value(line, "PODPULL_TEST_PODMAN", f->podman, sizeof f->podman);
        env_value(line, "PODPULL_TEST_IMAGE", f->image, sizeof f->image);
        env_value(line, "PODPULL_TEST_IMAGE_ID", f->image_id, sizeof f->image_id);
        env_value(line, "PODPULL_TEST_CONTAINERS_CONF", f->conf, sizeof f->conf);
    }
    fclose(in);
    return f->podman[0] && f->image[0] && f->image_id[0] && f->conf[0];
}

struct seen {
    int routes, statuses;
};
static void on_route(void *user, int route, const char *reason) {
    struct seen *s = user;
    ++s->routes;
    printf("route %d: %s\n", route, reason);
}
static void on_status(void *user, const char *line) {
    struct seen *s = user;
    ++s->statuses;
    printf("status: %s\n", line);
}

static void pull_with_old_structs(const struct fixture *f) {
    char dir_template[] = "/tmp/podpull-old-header-XXXXXX";
    char root[600], runroot[600], env_conf[600], rm[700];
    const char *service_env[2];
    const char *dir = mkdtemp(dir_template);
    union arena copts_arena, popts_arena, cb_arena;
    old_connect_options *copts = (old_connect_options *)copts_arena.bytes;
    old_pull_options *popts = (old_pull_options *)popts_arena.bytes;
    old_callbacks *cb = (old_callbacks *)cb_arena.bytes;
    podpull_client *client = NULL;
    podpull_result *res = NULL;
    podpull_error *err = NULL;
    struct seen seen = {0, 0};
    podpull_code code;

    if (dir == NULL) {
        perror("mkdtemp");
        ++failures;
        return;
    }
    snprintf(root, sizeof root, "%s/root", dir);
    snprintf(runroot, sizeof runroot, "%s/runroot", dir);
    snprintf(env_conf, sizeof env_conf, "CONTAINERS_CONF=%s", f->conf);
    service_env[0] = env_conf;
    service_env[1] = NULL;

    fill(&copts_arena);
    old_connect_defaults(copts);
    copts->podman_path = f->podman;
    copts->storage_root = root;
    copts->run_root = runroot;
    copts->runtime_dir = dir;
    copts->storage_driver = "vfs";
    copts->env = service_env;
    code = podpull_connect(copts, &client, &err);
    CHECK(code == OLD_PODPULL_OK);
    if (code != OLD_PODPULL_OK) {
        fprintf(stderr, "connect: %s\n", podpull_error_message(err));
        podpull_error_free(err);
        return;
    }

    fill(&popts_arena); /* where stall_timeout_ms and route are now: 0xA5A5A5A5 */
    memset(popts, 0, sizeof *popts);
    popts->struct_size = sizeof *popts;
    popts->tls_verify = 0; /* the fixture's registry speaks plain HTTP */
    fill(&cb_arena);       /* bytes where `on_blob` is now: a garbage function pointer */
    cb->struct_size = sizeof *cb;
    cb->user_data = &seen;
    cb->on_route = on_route;
    cb->on_status = on_status;

    code = podpull_pull(client, f->image, popts, cb, &res, &err);
    CHECK(code == OLD_PODPULL_OK);
    if (code != OLD_PODPULL_OK) {
        fprintf(stderr, "pull: %d %s\n", (int)code, podpull_error_message(err));
    } else {
        CHECK(strcmp(podpull_result_image_id(res), f->image_id) == 0);
        CHECK(podpull_result_route(res) != 0); /* AUTO chose a real route */
    }
    CHECK(seen.routes == 1);
    podpull_result_free(res);
    podpull_error_free(err);
    podpull_free(client);
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    if (system(rm) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
    }
}

int main(void) {
    union arena a;
    old_connect_options *copts = (old_connect_options *)a.bytes;
    podpull_client *client = NULL;
    podpull_error *err = NULL;
    const old_api_prefix *api;
    struct fixture f;
    podpull_code code;

    printf("old sizes: connect options %u, pull options %u, callbacks %u\n",
           (unsigned)sizeof(old_connect_options), (unsigned)sizeof(old_pull_options),
           (unsigned)sizeof(old_callbacks));
    CHECK(podpull_abi_version() == 1);
    CHECK(podpull_get_api(2) == NULL);
    CHECK(podpull_get_api(0) == NULL);
    api = podpull_get_api(1);
    CHECK(api != NULL && api->abi_major == 1);

    /* Old connect options, garbage after them: a missing podman is PODMAN_NOT_FOUND. */
    fill(&a);
    old_connect_defaults(copts);
    copts->podman_path = "/nonexistent/podman";
    code = podpull_connect(copts, &client, &err);
    CHECK(code == OLD_PODPULL_ERR_PODMAN_NOT_FOUND);
    CHECK(client == NULL);
    CHECK(err != NULL && podpull_error_code(err) == OLD_PODPULL_ERR_PODMAN_NOT_FOUND);
    CHECK(err != NULL && podpull_error_message(err)[0] != '\0');
    if (err != NULL) {
        printf("connect with an old struct: %s\n", podpull_error_message(err));
    }
    podpull_error_free(err);

    if (read_fixture(&f)) {
        pull_with_old_structs(&f);
    } else {
        fprintf(stderr, "PODPULL_TEST_ENV not set or incomplete: the pull part needs the "
                        "podpull_registry fixture\n");
        ++failures;
    }

    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("old_header_host: all checks passed\n");
    return 0;
}
