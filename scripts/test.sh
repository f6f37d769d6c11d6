#!/usr/bin/env bash
# scripts/test.sh - the one command that builds podpull and runs every check.
#
#   1. installs the build and test dependencies (scripts/install-deps.sh; needs root)
#   2. configures build/ (Ninja, RelWithDebInfo, warnings as errors) and builds it
#   3. runs ctest: unit tests, the export check, and the integration and C tests against a
#      real podman and a private registry (the ctest fixture starts and removes it)
#   4. checks that every C/C++ file of the repository is clang-formatted
#   5. prints a summary; exits nonzero if any step failed
#
# Leaves nothing behind but build/: the registry, its images and every podman storage the
# tests create live in temporary directories that the tests and the fixture remove.
# Environment: PODPULL_SKIP_DEPS=1 skips step 1 (for a machine that has everything).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
build="$repo/build"
state="$build/test-registry" # the fixture's state dir (tests/support/fixture.cmake)

declare -a step_names=() step_results=() step_times=()
failed=0
record() { # record NAME RESULT SECONDS
    step_names+=("$1")
    step_results+=("$2")
    step_times+=("$3")
    if [ "$2" = "FAILED" ]; then
        failed=1
    fi
}
run_step() { # run_step NAME COMMAND...: runs it, records PASSED/FAILED; returns its status
    local name=$1 start rc
    shift
    echo
    echo "==> $name"
    start=$SECONDS
    "$@"
    rc=$?
    if [ "$rc" -eq 0 ]; then
        record "$name" PASSED $((SECONDS - start))
    else
        echo "==> $name FAILED (exit $rc)" >&2
        record "$name" FAILED $((SECONDS - start))
    fi
    return "$rc"
}

# If we are interrupted while ctest runs, the fixture's cleanup may not have run.
cleanup() {
    if [ -d "$state" ]; then
        bash "$repo/tests/support/registry-down.sh" "$state" || true
    fi
}
trap cleanup EXIT
trap 'echo "scripts/test.sh: interrupted" >&2; exit 130' INT TERM

# ---- 1. dependencies ------------------------------------------------------------------------
if [ "${PODPULL_SKIP_DEPS:-0}" = "1" ]; then
    record "install dependencies" SKIPPED 0
elif [ "$(id -u)" -ne 0 ]; then
    echo "scripts/test.sh: not root, so not installing dependencies (scripts/install-deps.sh)" >&2
    record "install dependencies" SKIPPED 0
else
    run_step "install dependencies" bash scripts/install-deps.sh
fi

# ---- 2. configure and build -----------------------------------------------------------------
configure() {
    # An old build dir made with another generator cannot be reused.
    if [ -f "$build/CMakeCache.txt" ] &&
        ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$build/CMakeCache.txt"; then
        echo "build/ was configured with another generator; starting it afresh"
        rm -rf "$build"
    fi
    cmake -S . -B "$build" -G Ninja -DPODPULL_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
}
built=0
if run_step "configure" configure; then
    if run_step "build" cmake --build "$build" -j2; then
        built=1
    fi
else
    record "build" SKIPPED 0
fi

# ---- 3. tests -------------------------------------------------------------------------------
if [ "$built" -eq 1 ]; then
    # Serial: the integration tests start podman services and pull real images; parallel
    # runs only make their timings noisy. Tests without a TIMEOUT property get 10 minutes.
    run_step "ctest" ctest --test-dir "$build" --output-on-failure --timeout 600
    if [ -d "$state" ]; then
        echo "scripts/test.sh: the registry fixture was not cleaned up; removing it" >&2
        bash tests/support/registry-down.sh "$state"
        record "fixture cleanup" FAILED 0
    fi
else
    record "ctest" SKIPPED 0
fi

# ---- 4. formatting --------------------------------------------------------------------------
format_check() {
    local files=() f bad=()
    if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        # Tracked files, and new ones not ignored yet (so a file is checked before its commit).
        while IFS= read -r -d '' f; do
            [ -f "$f" ] && files+=("$f")
        done < <(git ls-files -z --cached --others --exclude-standard -- \
            '*.c' '*.h' '*.cc' '*.cpp' '*.hpp' '*.hh' '*.cxx' '*.hxx')
    else
        while IFS= read -r -d '' f; do
            files+=("$f")
        done < <(find . \( -path './build*' -o -path './.git' -o -path '*/target' \) -prune -o \
            -type f \( -name '*.c' -o -name '*.h' -o -name '*.cc' -o -name '*.cpp' \
            -o -name '*.hpp' -o -name '*.hh' \) -print0)
    fi
    if [ "${#files[@]}" -eq 0 ]; then
        echo "no C/C++ files found" >&2
        return 1
    fi
    for f in "${files[@]}"; do
        if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
            bad+=("$f")
        fi
    done
    echo "${#files[@]} files checked with $(clang-format --version)"
    if [ "${#bad[@]}" -ne 0 ]; then
        echo "these files need clang-format -i:" >&2
        printf '  %s\n' "${bad[@]}" >&2
        return 1
    fi
}
run_step "clang-format" format_check

# ---- 5. summary -----------------------------------------------------------------------------
echo
echo "==================== podpull: scripts/test.sh summary ===================="
for i in "${!step_names[@]}"; do
    printf '  %-24s %-8s %5ss\n' "${step_names[$i]}" "${step_results[$i]}" "${step_times[$i]}"
done
echo "==========================================================================="
if [ "$failed" -ne 0 ]; then
    echo "RESULT: FAILED"
    exit 1
fi
echo "RESULT: PASSED"
exit 0
