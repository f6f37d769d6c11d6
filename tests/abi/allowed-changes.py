#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Reads an `abidiff --leaf-changes-only --impacted-interfaces` report on stdin and exits 0 if
every change is one podpull.h's rules allow: a struct that grows by data members inserted at
or after its old end, and added functions (or variables). Anything else, or any line this
script does not understand, exits 1 naming the offending line."""
import re
import sys

lines = sys.stdin.read().splitlines()
problems = []
i = 0


def indent(s):
    return len(s) - len(s.lstrip(" "))


while i < len(lines):
    line = lines[i]
    text = line.strip()
    i += 1
    if not text or text.startswith(("Leaf changes summary", "Changed leaf types summary")):
        continue
    m = re.match(r"Removed/Changed/Added (functions|variables) summary: (\d+) Removed, (\d+) Changed", text)
    if m:
        if m.group(2) != "0" or m.group(3) != "0":
            problems.append(line)
        continue
    if re.match(r"\d+ Added (function|variable)s?:$", text):
        # abidiff puts a blank line before the list.
        while i < len(lines) and (not lines[i].strip() or lines[i].strip().startswith("[A] ")):
            i += 1
        continue
    m = re.match(r"'struct (\w+)' changed:$", text)
    if not m:
        problems.append(line)
        continue
    base = indent(line)
    old_size = None
    while i < len(lines) and (not lines[i].strip() or indent(lines[i]) > base):
        inner = lines[i].strip()
        i += 1
        if not inner:
            continue
        s = re.match(r"type size changed from (\d+) to (\d+) \(in bits\)$", inner)
        if s and int(s.group(2)) > int(s.group(1)):
            old_size = int(s.group(1))
            continue
        if re.match(r"\d+ data member insertions?:$", inner):
            while i < len(lines) and re.match(r"'.*', at offset \d+ \(in bits\)", lines[i].strip()):
                off = int(re.search(r"at offset (\d+)", lines[i]).group(1))
                if old_size is None or off < old_size:
                    problems.append(lines[i] + "   <- not at the old end of struct " + m.group(1))
                i += 1
            continue
        # libabigail spells a count of 1 as "one".
        if re.match(r"(\d+|one) impacted interfaces?:$", inner):
            while i < len(lines) and lines[i].strip().startswith(("function ", "variable ")):
                i += 1
            continue
        problems.append(lines[i - 1])

if problems:
    print("not allowed by podpull.h's rules:")
    for p in problems:
        print("  " + p.strip())
    sys.exit(1)
sys.exit(0)
