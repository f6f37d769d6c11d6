#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""report.py META SAMPLES CORE_JSON: bench/run.sh's table, in Markdown, on stdout.

SAMPLES holds one measurement a line, "<group> <way> <value>"; CORE_JSON is Google
Benchmark's output with median aggregates. Every figure is a median; "spread" is the lowest
and highest sample, to show how noisy the machine was.
"""
import json
import statistics
import sys
from collections import defaultdict


def load_meta(path):
    meta = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.strip().partition(" ")
            meta[key] = value
    return meta


def load_samples(path):
    samples = defaultdict(list)
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                samples[(parts[0], parts[1])].append(float(parts[2]))
    return samples


def core_medians(path):
    with open(path) as f:
        doc = json.load(f)
    out = {}
    for b in doc["benchmarks"]:
        if b.get("aggregate_name") == "median":
            out[b["run_name"].split("/", 1)[1]] = b
        elif b.get("run_type") == "iteration" and b.get("error_occurred"):
            sys.exit(f"report.py: {b['name']}: {b.get('error_message')}")
    return out


def main():
    meta = load_meta(sys.argv[1])
    s = load_samples(sys.argv[2])
    core = core_medians(sys.argv[3])

    def med(group, way):
        values = s.get((group, way))
        if not values:
            sys.exit(f"report.py: no samples for {group} {way}")
        return statistics.median(values)

    def spread(group, way, fmt):
        v = s[(group, way)]
        return f"{fmt(min(v))}–{fmt(max(v))}"

    ms = lambda v: f"{v:.1f} ms"
    sec = lambda v: f"{v / 1000:.2f} s"
    mib = lambda v: f"{v / 1024:.1f} MiB"  # bench/peak-rss.py gives KiB
    verdict = lambda ok: "yes" if ok else "**no**"
    rows = []

    def row(figure, value, spread_text, versus, ratio, goal, ok):
        rows.append((figure, value, spread_text, versus, ratio, goal, verdict(ok)))

    # 1. connect-to-ready
    pp, poll, ready = med("connect", "podpull"), med("connect", "poll"), med("connect", "notify")
    row("1. connect-to-ready: `podpull_connect`", ms(pp), spread("connect", "podpull", ms),
        f"podman's READY=1: {ms(ready)} ({spread('connect', 'notify', ms)})",
        f"{pp / ready:.2f}×", "≤ 1.10× READY", pp / ready <= 1.10)
    row("1. connect-to-ready: a 100 ms poll (bootc's)", ms(poll), spread("connect", "poll", ms),
        f"`podpull_connect`: {ms(pp)}", f"{poll / pp:.2f}× slower", "podpull ≥ 2× faster",
        poll / pp >= 2.0)

    # 2. and 3. the pull
    mb = meta["pull_mb"]
    p, c, cli, slow = (med("pull", w) for w in ("podpull", "curl", "cli", "slow"))
    row(f"2. pull {mb} MB ({meta['pull_layers'].replace(' ', '+')} MB): podpull, no callbacks",
        sec(p), spread("pull", "podpull", sec), f"curl, same request: {sec(c)} "
        f"({spread('pull', 'curl', sec)})", f"{p / c:.3f}×", "≤ 1.02× curl", p / c <= 1.02)
    row(f"2. pull {mb} MB: `podman pull` (CLI)", sec(cli), spread("pull", "cli", sec),
        f"podpull: {sec(p)}", f"{cli / p:.3f}× podpull", "(context)", True)
    calls = med("calls", "slow")
    row(f"3. pull {mb} MB, every callback sleeps 100 ms ({calls:.0f} calls)", sec(slow),
        spread("pull", "slow", sec), f"no callbacks: {sec(p)}", f"{slow / p:.3f}×",
        "≤ 1.05× no callbacks", slow / p <= 1.05)

    # 4. the core
    for route, b in core.items():
        events = b["events_per_s"]
        mbs = b["bytes_per_second"] / 1e6
        row(f"4. core, {route} body ({b['stream_MB']:.0f} MB, {b['lines'] / 1000:.0f} k lines)",
            f"{events / 1e6:.2f} M events/s", f"{mbs:.0f} MB/s",
            f"{b['callbacks_per_s'] / 1e6:.2f} M callbacks/s", "", "≥ 1 M events/s, one core",
            events >= 1e6)

    # 5. peak RSS
    small, big = med("rss", "small"), med("rss", "big")
    row(f"5. peak RSS, `podpull pull` of {meta['rss_small_mb']} MB", mib(small),
        spread("rss", "small", mib), f"pull took {sec(med('rsstime', 'small'))}", "",
        "< 16 MiB", small < 16 * 1024)
    row(f"5. peak RSS, `podpull pull` of {meta['rss_big_mb']} MB", mib(big),
        spread("rss", "big", mib), f"pull took {sec(med('rsstime', 'big'))}",
        f"{big / small:.2f}× the small one", "< 16 MiB and flat (≤ 1.10×)",
        big < 16 * 1024 and big / small <= 1.10)

    # 6. loading
    us = lambda v: f"{v / 1000:.2f} ms"
    row(f"6. `dlopen` + `podpull_get_api` ({meta['dlopen_runs']} fresh processes)",
        us(med("load", "dlopen")), spread("load", "dlopen", us), "", "", "(context)", True)
    size = {k: int(med("size", k)) for k in ("file", "text", "data", "bss")}
    row("6. libpodpull.so.1 size (Release)", f"{size['file'] / 1024:.0f} KiB",
        "", f"text {size['text'] / 1024:.0f} KiB, data {size['data'] / 1024:.1f} KiB, "
        f"bss {size['bss'] / 1024:.1f} KiB", "", "(context)", True)

    # 7. the manifest step. It runs alongside podman's pull (the request goes out at once), so
    # its cost is what it adds to the whole pull, and the wait before the host's first event.
    if ("manifest", "step") in s:
        pw, po = med("manifest", "pull_with"), med("manifest", "pull_without")
        step = med("manifest", "step")
        row("7. manifest step: the whole pull, with the step", ms(pw),
            spread("manifest", "pull_with", ms),
            f"without it: {ms(po)} ({spread('manifest', 'pull_without', ms)}); "
            f"`podman pull`: {sec(cli)}",
            f"{pw - po:+.1f} ms", "≤ without + the step's own time", pw - po <= step)
        fw, fo = med("manifest", "first_with"), med("manifest", "first_without")
        total = med("manifest", "firsttotal_with")
        without = ("none: no report carried bytes" if fo < 0 else
                   f"{ms(fo)}, total then {med('manifest', 'firsttotal_without'):.0f} bytes")
        row("7. manifest step: first report with bytes", ms(fw),
            spread("manifest", "first_with", ms),
            f"total then {total:.0f} bytes; without the step: {without}", "", "(context)", True)
        row("7. manifest step: its own time (skopeo inspect)", ms(step),
            spread("manifest", "step", ms),
            f"on_route at {ms(med('manifest', 'route_with'))} with it, "
            f"{ms(med('manifest', 'route_without'))} without", "", "(context)", True)

    print(f"podpull bench: medians of {meta['runs']} runs, podman {meta['podman']}, "
          f"{meta['seconds']} s in all")
    print()
    head = ("figure", "median", "spread", "compared with", "ratio", "goal", "holds")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(" --- " for _ in head) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
