#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# scripts/test.sh - the one command that builds podpull and runs every check.
#
#   1. installs the build and test dependencies (scripts/install-deps.sh; needs root), and
#      makes (once per machine, cached in /var/cache/podpull/peers) the podman releases the
#      suite runs on beside the host's 4.3.1: 5.4, 5.8 and 6.1 (scripts/podman-peers.sh); a
#      release that cannot be made fails the run
#   2. configures build/ (Ninja, RelWithDebInfo, warnings as errors) and builds it; then,
#      while step 3 runs, builds build-asan/, build-tsan/ and build-fuzz/ in the background at
#      the lowest CPU and I/O priority (the tests spend much of their time waiting on podman
#      and a throttled registry, and the builds take about a quarter of the run otherwise)
#   3. runs ctest: unit tests, the export check, the integration suites once per podman
#      release (NAME@podman-4.3 ... NAME@podman-6.1) against a private registry (the ctest
#      fixture starts and removes it), the C tests, the C harness under valgrind memcheck,
#      and the replay of every fuzz corpus and regression input
#   4. in build-asan/, built with AddressSanitizer + UndefinedBehaviorSanitizer
#      (-DPODPULL_SANITIZE=address,undefined), runs ctest, with leak
#      detection on and any sanitizer report fatal (the tests it leaves out, and why, are in
#      docs/reliability.md); its real-pull suites run on the host's podman 4.3.1 only, the
#      releases having all run in step 3
#   5. in build-tsan/, built with ThreadSanitizer (-DPODPULL_SANITIZE=thread), where ctest
#      holds only the unit tests and the [concurrency] cases, runs them (podman 4.3.1 and
#      6.1); any report fails
#   6. runs each libFuzzer target of build-fuzz/ (clang, -DPODPULL_FUZZ=ON) for 30 s, two at a
#      time (tests/fuzz/run-fuzzers.sh; PODPULL_FUZZ_SECONDS changes it)
#   6b. builds the Debian packages (in the background of step 3, scripts/build-debs.sh, with
#      lintian) and installs them into a fresh Debian 12 chroot made by mmdebstrap, where a C
#      and a CMake host are built and run (tests/packaging/debian-install.sh)
#   7. checks that every C/C++ file of the repository is clang-formatted, and that every source
#      file carries its SPDX-License-Identifier line (scripts/check-spdx.sh)
#   8. prints the output of every test that failed (again, so that it is at the end of the
#      log), then a summary; exits nonzero if any step failed
#
# Leaves nothing behind but build/ (the packages in build/debs/), build-asan/, build-tsan/,
# build-fuzz/, the cache of podman releases and that of the install test's base chroot
# (/var/cache/podpull/): the registry, its images and every podman storage the tests create live in
# temporary directories that the tests and the fixture remove; new fuzz inputs go to a
# temporary directory too.
# Environment: PODPULL_SKIP_DEPS=1 skips the apt part of step 1 (for a machine that has every
# package; the podman releases are still checked, and made if missing);
# PODPULL_SKIP_ASAN=1, PODPULL_SKIP_TSAN=1, PODPULL_SKIP_FUZZ=1 and PODPULL_SKIP_DEBS=1 skip
# steps 4, 5, 6 and 6b.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
# Every part of the tree is built, and a missing dependency fails the configure step rather
# than leaving a part out (CMakeLists.txt: PODPULL_BUILD_TESTS, _CLI and _BENCH default to AUTO).
every_part="-DPODPULL_BUILD_TESTS=ON -DPODPULL_BUILD_CLI=ON -DPODPULL_BUILD_BENCH=ON -DPODPULL_BUILD_MAN=ON -DPODPULL_BUILD_DOCS=ON"
build="$repo/build"
state="$build/test-registry" # the fixture's state dir (tests/support/fixture.cmake)
asan_build="$repo/build-asan"
asan_state="$asan_build/test-registry"
tsan_build="$repo/build-tsan"
tsan_state="$tsan_build/test-registry"
fuzz_build="$repo/build-fuzz"
debs="$build/debs" # the Debian packages (scripts/build-debs.sh)
fuzz_seconds=${PODPULL_FUZZ_SECONDS:-30}
# The sanitizer builds compile at -O1 with line tables only (-g1): what ASan and TSan ask for,
# and enough for their reports' stack traces, at 60 % of the compile time of -O2 -g (the
# largest share of the whole run). build/ keeps -O2 -g: the ABI check reads its types.
sanitizer_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG")

declare -a step_names=() step_results=() step_times=() failed_ctest_dirs=()
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

# kill_tree PID: PID and everything it started (the background builds' cmake and ninja).
kill_tree() {
    local child
    for child in $(pgrep -P "$1"); do
        kill_tree "$child"
    done
    kill "$1" 2>/dev/null || true
}
# If we are interrupted while ctest runs, the fixture's cleanup may not have run.
cleanup() {
    local dir
    if [ -n "${later_pid:-}" ] && kill -0 "$later_pid" 2>/dev/null; then
        kill_tree "$later_pid"
        wait "$later_pid" 2>/dev/null
    fi
    if [ -n "${later_logs:-}" ]; then
        rm -rf "$later_logs"
    fi
    for dir in "$state" "$asan_state" "$tsan_state"; do
        if [ -d "$dir" ]; then
            bash "$repo/tests/support/registry-down.sh" "$dir" || true
        fi
    done
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
if [ "${PODPULL_SKIP_DEPS:-0}" = "1" ] && [ "$(id -u)" -ne 0 ]; then
    record "podman releases" SKIPPED 0
else
    run_step "podman releases" bash scripts/podman-peers.sh
fi

# ---- 2. configure and build -----------------------------------------------------------------
configure() {
    # An old build dir made with another generator cannot be reused.
    if [ -f "$build/CMakeCache.txt" ] &&
        ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$build/CMakeCache.txt"; then
        echo "build/ was configured with another generator; starting it afresh"
        rm -rf "$build"
    fi
    cmake -S . -B "$build" -G Ninja -DPODPULL_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        $every_part
}
built=0
if run_step "configure" configure; then
    if run_step "build" cmake --build "$build" -j2; then
        built=1
    fi
else
    record "build" SKIPPED 0
fi


# ---- 2b. the later stages' builds, behind the tests -----------------------------------------
# The configurations of steps 4-6 (their comments say why each is what it is).
asan_configure() {
    if [ -f "$asan_build/CMakeCache.txt" ] &&
        ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$asan_build/CMakeCache.txt"; then
        rm -rf "$asan_build"
    fi
    cmake -S . -B "$asan_build" -G Ninja -DPODPULL_WERROR=ON "${sanitizer_flags[@]}" \
        -DPODPULL_SANITIZE=address,undefined $every_part -DPODPULL_TEST_RELEASES=4.3 \
        -DPODPULL_FIXTURE_OS_IMAGE=OFF
}
tsan_configure() {
    if [ -f "$tsan_build/CMakeCache.txt" ] &&
        ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$tsan_build/CMakeCache.txt"; then
        rm -rf "$tsan_build"
    fi
    cmake -S . -B "$tsan_build" -G Ninja -DPODPULL_WERROR=ON "${sanitizer_flags[@]}" \
        -DPODPULL_SANITIZE=thread $every_part "-DPODPULL_TEST_RELEASES=4.3;6.1" \
        -DPODPULL_FIXTURE_OS_IMAGE=OFF
}
fuzz_configure() {
    if [ -f "$fuzz_build/CMakeCache.txt" ] &&
        ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$fuzz_build/CMakeCache.txt"; then
        rm -rf "$fuzz_build"
    fi
    CC=clang CXX=clang++ cmake -S . -B "$fuzz_build" -G Ninja -DPODPULL_WERROR=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPODPULL_FUZZ=ON
}
later_logs=$(mktemp -d)
later_build() { # later_build NAME COMMAND...: run_step's work, for the background job
    local name=$1 start rc
    shift
    start=$SECONDS
    "$@" >"$later_logs/$name.log" 2>&1
    rc=$?
    echo "$name|$([ "$rc" -eq 0 ] && echo PASSED || echo FAILED)|$((SECONDS - start))" \
        >>"$later_logs/results"
    return "$rc"
}
later_builds() {
    # Everything this job starts inherits the lowest priorities, so ctest's podman and its
    # timings come first.
    renice -n 19 -p "$BASHPID" >/dev/null
    ionice -c 3 -p "$BASHPID" 2>/dev/null || true
    # The install test's base chroot (step 6b) is mostly a download: made beside the builds.
    local base_pid=
    if [ "${PODPULL_SKIP_DEBS:-0}" != "1" ]; then
        later_build "debian base chroot" bash tests/packaging/debian-install.sh --prepare &
        base_pid=$!
    fi
    if [ "${PODPULL_SKIP_ASAN:-0}" != "1" ]; then
        later_build "asan+ubsan configure" asan_configure &&
            later_build "asan+ubsan build" cmake --build "$asan_build" -j2
    fi
    if [ "${PODPULL_SKIP_TSAN:-0}" != "1" ]; then
        # Everything: the entries registered under TSan (tests/CMakeLists.txt) need the unit,
        # integration, hardening and fake-service binaries, the SIGINT host, the podpull
        # command and the bench's stream check; naming them here would drift.
        later_build "tsan configure" tsan_configure &&
            later_build "tsan build" cmake --build "$tsan_build" -j2
    fi
    if [ "${PODPULL_SKIP_FUZZ:-0}" != "1" ]; then
        later_build "fuzz configure" fuzz_configure &&
            later_build "fuzz build" cmake --build "$fuzz_build" -j2
    fi
    if [ "${PODPULL_SKIP_DEBS:-0}" != "1" ]; then
        later_build "debian packages" bash scripts/build-debs.sh "$debs"
        [ -z "$base_pid" ] || wait "$base_pid"
    fi
    return 0
}
later_pid=
if [ "$built" -eq 1 ]; then
    later_builds &
    later_pid=$!
fi
# built NAME: whether the background job built NAME (after join_later_builds).
built_later() {
    grep -q "^$1|PASSED|" "$later_logs/results" 2>/dev/null
}
join_later_builds() {
    local start=$SECONDS name result seconds
    [ -n "$later_pid" ] || return 0
    wait "$later_pid"
    record "waiting for the later builds" PASSED $((SECONDS - start))
    [ -f "$later_logs/results" ] || return 0
    while IFS='|' read -r name result seconds; do
        echo
        echo "==> $name (built alongside ctest)"
        cat "$later_logs/$name.log"
        [ "$result" = PASSED ] || echo "==> $name FAILED" >&2
        record "$name (alongside)" "$result" "$seconds"
    done <"$later_logs/results"
}

# ---- 3. tests -------------------------------------------------------------------------------
if [ "$built" -eq 1 ]; then
    # Serial: the integration tests start podman services and pull real images; parallel
    # runs only make their timings noisy. Tests without a TIMEOUT property get 10 minutes.
    run_step "ctest" ctest --test-dir "$build" --output-on-failure --timeout 600 ||
        failed_ctest_dirs+=("$build")
    if [ -d "$state" ]; then
        echo "scripts/test.sh: the registry fixture was not cleaned up; removing it" >&2
        bash tests/support/registry-down.sh "$state"
        record "fixture cleanup" FAILED 0
    fi
else
    record "ctest" SKIPPED 0
fi

join_later_builds

# ---- 4. the suite under ASan + UBSan --------------------------------------------------------
# Every target (library, tools, tests, the C harness) is instrumented, so each executable loads
# the ASan runtime first and the C harness's dlopen of the instrumented library works as is.
# Left out, because what runs them is not instrumented and would have to LD_PRELOAD libasan:
#   podpull_install  builds a consumer of the install tree with its own, plain CMake project
#   podpull_rust     cargo builds and runs Rust test binaries (and cargo's build scripts)
#   podpull_rust_*   the same per podman release: bootc's events, and the crate's example host
#   podpull_abi      abidiff of this library against the baseline: the same check as build/,
#                    and sanitizer instrumentation is not part of the ABI
# And, to keep the run short, one that adds no code path to the ones here:
#   podpull_exact_credentials_tests  the planted-credentials matrix: its pulls take the
#                    [auth] suite's paths (the plan's header, the auth file at fd 4)
# A sanitizer report fails the test (halt_on_error; -fno-sanitize-recover=all for UBSan).
asan_excluded='^(podpull_install|podpull_rust|podpull_rust_.+|podpull_abi|podpull_exact_credentials_tests@.+)$'
asan_ctest() {
    ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        ctest --test-dir "$asan_build" --output-on-failure --timeout 900 -E "$asan_excluded"
}
if [ "${PODPULL_SKIP_ASAN:-0}" = "1" ]; then
    record "asan+ubsan build" SKIPPED 0
    record "asan+ubsan ctest" SKIPPED 0
elif built_later "asan+ubsan build"; then
    run_step "asan+ubsan ctest" asan_ctest || failed_ctest_dirs+=("$asan_build")
    if [ -d "$asan_state" ]; then
        echo "scripts/test.sh: the ASan run's registry fixture was not cleaned up; removing it" >&2
        bash tests/support/registry-down.sh "$asan_state"
        record "asan fixture cleanup" FAILED 0
    fi
else
    record "asan+ubsan ctest" SKIPPED 0
fi

# ---- 5. the concurrency cases under ThreadSanitizer ----------------------------------------
# With PODPULL_SANITIZE=thread, tests/CMakeLists.txt registers only the unit tests and the
# test cases tagged [concurrency] (several threads or clients at once, cross-thread cancel),
# so only their binaries are built. halt_on_error: the first report fails the test. The
# suppressions file holds only reports inside libraries that are known false positives, each
# with the reason it is safe.
tsan_ctest() {
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$repo/tests/tsan/suppressions.txt" \
        ctest --test-dir "$tsan_build" --output-on-failure --timeout 1200
}
if [ "${PODPULL_SKIP_TSAN:-0}" = "1" ]; then
    record "tsan build" SKIPPED 0
    record "tsan ctest" SKIPPED 0
elif built_later "tsan build"; then
    run_step "tsan ctest" tsan_ctest || failed_ctest_dirs+=("$tsan_build")
    if [ -d "$tsan_state" ]; then
        echo "scripts/test.sh: the TSan run's registry fixture was not cleaned up; removing it" >&2
        bash tests/support/registry-down.sh "$tsan_state"
        record "tsan fixture cleanup" FAILED 0
    fi
else
    record "tsan ctest" SKIPPED 0
fi

# ---- 6. fuzzing -----------------------------------------------------------------------------
# clang 14's libFuzzer with ASan + UBSan; only podpull_core and the targets are built. Each
# target runs $fuzz_seconds s from its committed corpus; a crash fails the step and its input is kept in
# build-fuzz/fuzz-artifacts/ (docs/reliability.md says how it becomes a regression file).
if [ "${PODPULL_SKIP_FUZZ:-0}" = "1" ]; then
    record "fuzz build" SKIPPED 0
    record "fuzz run" SKIPPED 0
elif built_later "fuzz build"; then
    run_step "fuzz run (6 x $fuzz_seconds s)" bash tests/fuzz/run-fuzzers.sh "$fuzz_build" \
        "$fuzz_seconds"
else
    record "fuzz run (6 x $fuzz_seconds s)" SKIPPED 0
fi

# ---- 6b. the Debian packages ---------------------------------------------------------------
# Built alongside ctest from a clean copy of the tree (scripts/build-debs.sh: dpkg-buildpackage,
# the symbols file checked at level 4, lintian --fail-on error), then installed into a fresh
# Debian 12 chroot, where a pkg-config host and a CMake host are built and run, and podpull
# --version and podpull(1) checked (tests/packaging/debian-install.sh).
if [ "${PODPULL_SKIP_DEBS:-0}" = "1" ]; then
    record "debian install" SKIPPED 0
elif built_later "debian packages" && built_later "debian base chroot"; then
    run_step "debian install" bash tests/packaging/debian-install.sh "$debs" "$repo"
else
    record "debian install" SKIPPED 0
fi

# ---- 7. formatting --------------------------------------------------------------------------
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
# And that every source file names its license (the data files it exempts are listed there).
run_step "SPDX lines" bash scripts/check-spdx.sh

# ---- 8. what failed, then the summary -------------------------------------------------------
# ctest printed each failing test's output where it ran, hours of log ago; print it again
# here (its last lines), so whoever reads only the end of the log sees why.
failed_test_output() { # failed_test_output BUILD_DIR: for a ctest run that failed
    local dir=$1/Testing/Temporary name section
    [ -s "$dir/LastTestsFailed.log" ] || return 0
    while IFS=: read -r _ name; do
        section=$(awk -v name="$name" '
            /^[0-9]+\/[0-9]+ Testing: / { on = (substr($0, index($0, ": ") + 2) == name); next }
            /^Test time = / { on = 0 }
            on' "$dir/LastTest.log")
        echo
        echo "---- $1: $name failed; where it says so (Catch2, cargo, the scripts):"
        grep -E -A 20 -m 4 'FAILED|panicked at|^FAIL|: error:' <<<"$section" | head -n 100
        echo "---- and the end of its output:"
        tail -n 8 <<<"$section"
    done <"$dir/LastTestsFailed.log"
}
for dir in "${failed_ctest_dirs[@]}"; do
    failed_test_output "$dir"
done

# ---- 9. summary -----------------------------------------------------------------------------
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
