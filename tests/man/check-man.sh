#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# check-man.sh render PAGE
#   podpull(1) renders without a single warning of groff or man (what lintian runs).
# check-man.sh coverage PODPULL PAGE PODPULL_H EXIT_CODES_HPP SIGNALS_CPP
#   The page and --help cannot drift apart: every option, argument and subcommand in
#   `podpull --help` and each subcommand's --help is on the page, and every exit status the
#   command can return is listed, with its podpull_code's name, in both helps and in the page's
#   EXIT STATUS. The statuses are derived from the sources, not from the help: exit_codes.hpp
#   (0, 1, 2, 141, 10 + code), every PODPULL_ERR_* enumerator of podpull.h, and 128 + each
#   signal signals.cpp cancels on. So a new option, enumerator or signal that the help (or a
#   stale page) does not list fails here.
set -euo pipefail

fail=0
problem() {
    echo "FAIL: $*" >&2
    fail=1
}

if [ "$1" = "render" ]; then
    page=$2
    [ -s "$page" ] || { echo "FAIL: no page at $page" >&2; exit 1; }
    warnings=$(groff -ww -z -man "$page" 2>&1) || problem "groff failed"
    [ -z "$warnings" ] || problem "groff -ww -z -man $page warns:"$'\n'"$warnings"
    # man-db's own path: preprocessors, the terminal device, --warnings (-ww for groff).
    warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || problem "man -l failed"
    [ -z "$warnings" ] || problem "man --warnings -l $page warns:"$'\n'"$warnings"
    lines=$(MANWIDTH=80 man -l "$page" 2>/dev/null | wc -l)
    [ "$lines" -gt 50 ] || problem "the page renders to $lines lines only"
    [ "$fail" -eq 0 ] && echo "ok: $page renders to $lines lines, no warning from groff or man"
    exit "$fail"
fi

[ "$1" = "coverage" ] || { echo "usage: check-man.sh render PAGE | coverage ..." >&2; exit 2; }
podpull=$2 page=$3 header=$4 exit_codes=$5 signals=$6
[ -s "$page" ] || { echo "FAIL: no page at $page" >&2; exit 1; }

# The page as text: roff's escaped hyphens and font changes undone, one line per source line.
text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\[&,\/]//g' "$page")
# The items of the option sections (OPTIONS, PULL OPTIONS): the tag line after each .TP.
items=$(printf '%s\n' "$text" | awk '/^\.SH / { on = $0 ~ /OPTIONS/ } on && /^\.TP$/ { getline; print }')
# The EXIT STATUS section alone.
exit_section=$(printf '%s\n' "$text" | sed -n '/^\.SH "EXIT STATUS"/,/^\.SH /p')
[ -n "$exit_section" ] || problem "the page has no EXIT STATUS section"
on_page() { # on_page WORD [TEXT]: WORD appears in TEXT (the page) as a word of its own
    printf '%s\n' "${2:-$text}" | grep -qE -- "(^|[^A-Za-z0-9_-])$1([^A-Za-z0-9_-]|$)"
}

# Every help: the top level's and each subcommand's (the top level lists them).
top=$("$podpull" --help)
subcommands=$(printf '%s\n' "$top" | awk '/^Subcommands:$/ { on = 1; next } on && /^$/ { exit }
                                         on && /^  [a-z]/ { print $1 }')
[ -n "$subcommands" ] || problem "podpull --help lists no subcommand"
declare -A helps=([podpull]="$top") # "podpull SUB" -> its --help
for sub in $subcommands; do
    helps["podpull $sub"]=$("$podpull" "$sub" --help)
    on_page "$sub" "$(printf '%s\n' "$text" | sed -n '/^\.SH COMMANDS/,/^\.SH /p')" ||
        problem "subcommand $sub is not in the page's COMMANDS"
    # help2man's SYNOPSIS: ".B podpull" then the rest of the usage line, "pull [OPTIONS] ...".
    printf '%s\n' "$text" | sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' | grep -qE "^$sub( |$)" ||
        problem "subcommand $sub is not in the page's SYNOPSIS"
done

options=0
for cmd in "${!helps[@]}"; do
    where="$cmd --help"
    # Option lines: "  -q,--quiet   ...", "  --root TEXT ...", "  --tls-verify{true} [=BOOL] ...".
    for opt in $(printf '%s\n' "${helps[$cmd]}" |
        sed -nE 's/^  (-[^ ]+).*/\1/p' | sed -e 's/{[^}]*}//g' | tr ',' ' '); do
        options=$((options + 1))
        on_page "$opt" "$items" || problem "$where lists $opt, the page's options do not"
    done
    # Positional arguments: "  IMAGE TEXT ... REQUIRED   ...".
    for arg in $(printf '%s\n' "${helps[$cmd]}" | awk '/^Positionals:$/ { on = 1; next }
                                                      on && /^$/ { exit } on { print $1 }'); do
        on_page "$arg" "$items" || problem "$where lists argument $arg, the page's options do not"
    done
done

# The exit statuses, from the sources.
constant() { # constant NAME: the value of `constexpr int NAME = EXPR;` in exit_codes.hpp
    local expr
    expr=$(sed -nE "s/^constexpr int $1 = ([0-9 +*]+);.*/\1/p" "$exit_codes")
    [ -n "$expr" ] || { echo "FAIL: no constexpr int $1 in $exit_codes" >&2; exit 1; }
    echo $((expr))
}
base=$(constant exit_code_base)
declare -A expected=([$(constant exit_ok)]="" [$(constant exit_failure)]=""
    [$(constant exit_usage)]="" [$(constant exit_broken_pipe)]="")
while read -r name value; do
    expected[$((base + value))]=$name
done < <(sed -nE 's/^ *(PODPULL_ERR_[A-Z_]+) = ([0-9]+),?.*/\1 \2/p' "$header")
[ "${#expected[@]}" -gt 10 ] || problem "found only ${#expected[@]} exit statuses in the sources"
sigs=$(sed -nE 's/.*for \(int sig : \{([A-Z, ]+)\}\).*/\1/p' "$signals" | tr -d ',')
[ -n "$sigs" ] || problem "no list of cancelling signals in $signals"
for sig in $sigs; do
    expected[$((128 + $(kill -l "${sig#SIG}")))]=$sig
done

for status in $(printf '%s\n' "${!expected[@]}" | sort -n); do
    name=${expected[$status]}
    on_page "$status" "$exit_section" || problem "exit status $status${name:+ ($name)} is not in the page's EXIT STATUS"
    [ -z "$name" ] || on_page "$name" "$exit_section" ||
        problem "$name (exit status $status) is not in the page's EXIT STATUS"
    for cmd in "${!helps[@]}"; do
        where="$cmd --help"
        help_exit=$(printf '%s\n' "${helps[$cmd]}" | sed -n '/^Exit status:$/,$p')
        if [[ $name == PODPULL_ERR_* ]]; then
            # Its own line: "  17   PODPULL_ERR_AUTH   credentials missing or refused".
            printf '%s\n' "$help_exit" | grep -qE "^  $status +$name " ||
                problem "$where has no line '$status $name'"
        else
            on_page "$status" "$help_exit" || problem "$where does not list exit status $status"
            [ -z "$name" ] || on_page "$name" "$help_exit" || problem "$where does not name $name"
        fi
    done
done

# The page is the build's: its footer carries the command's version.
version=$("$podpull" --version | awk '{ print $2 }')
grep -q "^\.TH PODPULL \"1\" .*\"podpull $version" "$page" ||
    problem "the page is not of podpull $version (stale? rebuild target podpull_man)"

[ "$fail" -eq 0 ] || exit 1
echo "ok: the page has all ${options} options of ${#helps[@]} --help texts (subcommands:" \
    "$subcommands) and all ${#expected[@]} exit statuses ($(printf '%s\n' "${!expected[@]}" |
        sort -n | tr '\n' ' ' | sed 's/ $//'))"
