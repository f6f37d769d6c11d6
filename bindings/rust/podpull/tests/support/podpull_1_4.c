// SPDX-License-Identifier: MIT OR Apache-2.0
/* A stand-in for libpodpull 1.4, for tests/dlopen_old_library.rs: it serves the real library
 * (dlopen'ed from $PODPULL_REAL_LIBRARY) through a function table that ends where 1.4's did,
 * before 1.5's entries, and says it is 1.4.0. A host that reads past the table's struct_size
 * reads past the end of this object. */
#include <dlfcn.h>
#include <podpull.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_1_4 offsetof(podpull_api, result_manifest_digest)

static _Alignas(podpull_api) unsigned char table[TABLE_1_4];

static const char *version_1_4(void) {
    return "1.4.0";
}

const podpull_api *podpull_get_api(uint32_t abi_major) {
    const char *path = getenv("PODPULL_REAL_LIBRARY");
    void *real = dlopen(path != NULL ? path : "libpodpull.so.1", RTLD_NOW | RTLD_LOCAL);
    if (real == NULL)
        return NULL;
    const podpull_api *(*get)(uint32_t) =
        (const podpull_api *(*)(uint32_t))dlsym(real, "podpull_get_api");
    const podpull_api *api = get != NULL ? get(abi_major) : NULL;
    if (api == NULL)
        return NULL;
    memcpy(table, api, TABLE_1_4);
    const uint32_t size = TABLE_1_4;
    memcpy(table + offsetof(podpull_api, struct_size), &size, sizeof size);
    const char *(*version)(void) = version_1_4;
    memcpy(table + offsetof(podpull_api, version), &version, sizeof version);
    return (const podpull_api *)table;
}
