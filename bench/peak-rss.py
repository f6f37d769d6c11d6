#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""peak-rss.py OUT CMD...: runs CMD and writes the peak resident set of CMD's own process, in
KiB, to OUT; exits with CMD's status.

GNU time's %M cannot give this since podpull runs skopeo for the image's manifest: wait4's
rusage is the largest of the process and every descendant it waited for, so `time -f %M`
reported skopeo's ~20 MiB, not podpull's. This reads the process's own high-water mark
(VmHWM in /proc/PID/status) every 5 ms until it exits; VmHWM only grows, and a process about
to exit does not, so the last reading is its peak.
"""
import subprocess
import sys
import time


def vm_hwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None  # gone, or a zombie (no memory left to report)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: peak-rss.py OUT CMD...")
    out, cmd = sys.argv[1], sys.argv[2:]
    child = subprocess.Popen(cmd)
    peak = 0
    while child.poll() is None:
        kib = vm_hwm_kib(child.pid)
        if kib is not None:
            peak = max(peak, kib)
        time.sleep(0.005)
    with open(out, "w") as f:
        f.write(f"{peak}\n")
    sys.exit(child.returncode)


if __name__ == "__main__":
    main()
