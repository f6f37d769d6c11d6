// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * podpull_bench_dlopen LIBRARY
 *
 * What a dlopen host pays before its first call: dlopen(LIBRARY, RTLD_NOW) (so every
 * relocation is resolved now, not lazily later), dlsym("podpull_get_api") and the call
 * itself. Measured once, in this fresh process; bench/run.sh runs it many times. Prints:
 *   load dlopen <microseconds>
 */
#define _GNU_SOURCE
#include "bench_clock.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

typedef const void *(*get_api_fn)(uint32_t);

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s LIBRARY\n", argv[0]);
        return 2;
    }
    const uint64_t t0 = bench_now_ns();
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen_bench: %s\n", dlerror());
        return 1;
    }
    get_api_fn get_api;
    /* POSIX's sanctioned way to turn dlsym's void * into a function pointer. */
    *(void **)(&get_api) = dlsym(lib, "podpull_get_api");
    if (get_api == NULL || get_api(1) == NULL) {
        fprintf(stderr, "dlopen_bench: no podpull_get_api, or it refused ABI major 1\n");
        return 1;
    }
    const uint64_t t1 = bench_now_ns();
    printf("load dlopen %.1f\n", (double)(t1 - t0) / 1e3);
    dlclose(lib);
    return 0;
}
