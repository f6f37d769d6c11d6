// SPDX-License-Identifier: MIT OR Apache-2.0
/* Throw-away directory trees for the bench hosts. */
#ifndef PODPULL_BENCH_TREE_H
#define PODPULL_BENCH_TREE_H

/* Removes `path` and everything below it, not following symlinks. 0 on success. */
int bench_remove_tree(const char *path);

#endif
