#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Holds every lock file of a podman storage, as another podman busy committing layers would.

    hold-storage-locks.py ROOT [RUNROOT...]

c/storage takes its *.lock files with fcntl locks, so a podman started on that storage waits
for them. Prints "READY <count>" once every lock is held, then sleeps until killed.
"""
import fcntl
import glob
import os
import sys
import time

held = []
for root in sys.argv[1:]:
    for path in glob.glob(os.path.join(root, "**", "*.lock"), recursive=True):
        fd = os.open(path, os.O_RDWR)
        fcntl.lockf(fd, fcntl.LOCK_EX)
        held.append(fd)
print("READY", len(held), flush=True)
time.sleep(3600)
