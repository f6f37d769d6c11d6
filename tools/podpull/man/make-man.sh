#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# make-man.sh PODPULL INCLUDE OUTPUT: writes podpull(1) to OUTPUT with help2man, from the built
# command's own `podpull --help`, `podpull pull --help` and `podpull --version`, and the prose
# of INCLUDE (podpull.h2m: DESCRIPTION, OUTPUT, ENVIRONMENT, FILES, SEE ALSO). Every option and
# exit status on the page is what --help prints, so the two cannot drift apart; ctest
# podpull_man_coverage (tests/man/check-man.sh) checks the page against --help and
# exit_codes.hpp all the same.
#
# help2man reads one help text, so a stand-in `podpull` (made here, in a temporary directory)
# prints the two helps as one: the top level's usage and options, the pull usage as its "or:"
# line, the subcommands as a COMMANDS section, pull's arguments and options as PULL OPTIONS,
# and the exit statuses (which both helps end with) once, as EXIT STATUS.
#
# make-man.sh --help-text PODPULL prints that combined text (what the stand-in prints).
# SOURCE_DATE_EPOCH, when set, dates the page (help2man; reproducible builds). HELP2MAN names
# the help2man to run (default: help2man from PATH).
set -euo pipefail

combined_help() { # combined_help PODPULL
    local podpull=$1 top pull
    top=$("$podpull" --help)
    pull=$("$podpull" pull --help)
    # Top level: drop the first line (the page's NAME), keep the usage and the options,
    # turn CLI11's "Subcommands:" and "Exit status:" into sections of their own. Its usage
    # line is followed by pull's, as help2man's "or:" line.
    printf '%s\n' "$top" | awk -v pull_usage="$(printf '%s\n' "$pull" | sed -n 's/^Usage: /   or: /p')" '
        NR == 1 { next }
        /^Usage: / { print; print pull_usage; next }
        /^Subcommands:$/ { print "*Commands*"; next }
        /^Exit status:$/ { print "*Exit status*"; exit_status = 1; next }
        # "10 + podpull_code, ...:" heads the lines after it: a paragraph of its own.
        exit_status && /^  10 \+ / { print; print ""; next }
        { print }'
    echo
    # pull: its arguments and options, one section; CLI11 writes an option with a default
    # as "--tls-verify{true}", which a reader types as --tls-verify. The exit statuses are
    # the top level's (one function prints both), printed above.
    printf '%s\n' "$pull" | awk '
        NR == 1 || /^Usage: / { next }
        /^Positionals:$/ { print "*Pull options*"; next }
        /^Options:$/ { next }
        /^Exit status:$/ { exit }
        { gsub(/\{true\}/, ""); print }'
}

if [ "${1:-}" = "--help-text" ]; then
    combined_help "$2"
    exit 0
fi

podpull=$1
include=$2
output=$3
self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
help2man=${HELP2MAN:-help2man} # CMake passes the one it found
command -v "$help2man" >/dev/null || { echo "make-man.sh: $help2man not found" >&2; exit 1; }

tmp=$(mktemp -d /tmp/podpull-man.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# The stand-in is named podpull: help2man names the page after the program it runs.
cat >"$tmp/podpull" <<EOF
#!/bin/sh
case "\$1" in
--version) exec "$podpull" --version ;;
*) exec bash "$self" --help-text "$podpull" ;;
esac
EOF
chmod +x "$tmp/podpull"

# NAME: the first line of `podpull --help`, "podpull: <what it does>".
name=$("$podpull" --help | sed -n '1s/^podpull: //p')
[ -n "$name" ] || { echo "make-man.sh: $podpull --help has no 'podpull: ...' first line" >&2; exit 1; }

"$help2man" --no-info --section=1 --manual="User Commands" --name="$name" \
    --include="$include" --output="$tmp/podpull.1" "$tmp/podpull"
# help2man sets a usage line's words after the program in italics, as arguments; a subcommand
# ("podpull pull [OPTIONS] IMAGE...") is typed as it stands: bold.
sed -e 's/^\\fI\\,\([a-z][a-z-]*\) \\\/\\fR/\\fB\1\\fR /' "$tmp/podpull.1" >"$tmp/page"
mv "$tmp/page" "$output"
