// SPDX-License-Identifier: MIT OR Apache-2.0
/* A monotonic clock for the bench hosts, in nanoseconds. */
#ifndef PODPULL_BENCH_CLOCK_H
#define PODPULL_BENCH_CLOCK_H

#include <stdint.h>

uint64_t bench_now_ns(void);
/* Sleeps for `ms` milliseconds, resuming after signals. */
void bench_sleep_ms(uint32_t ms);

#endif
