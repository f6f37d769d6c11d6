#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# tests/fuzz/run-fuzzers.sh BUILD_DIR [SECONDS] - runs every libFuzzer target of BUILD_DIR (a
# -DPODPULL_FUZZ=ON build) for SECONDS (default 60) each, two at a time (the CI machine has
# two cores), from its committed seed corpus and regression inputs. New corpus entries go to a
# temporary directory that is removed afterwards; a crashing input is kept in
# BUILD_DIR/fuzz-artifacts/ for a regression file (tests/fuzz/regressions/<target>/).
# Prints each target's executions, executions per second and coverage; exits 1 if any failed.
set -uo pipefail

build=${1:?usage: run-fuzzers.sh BUILD_DIR [SECONDS]}
seconds=${2:-60}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
targets=(reference registry_auth libpod_line jsonmessage_line pull_session http_response)
declare -A dict=(
    [reference]=reference.dict [registry_auth]=registry_auth.dict [libpod_line]=ndjson.dict
    [jsonmessage_line]=ndjson.dict [pull_session]=ndjson.dict [http_response]=http.dict)

scratch=$(mktemp -d "${TMPDIR:-/tmp}/podpull-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
artifacts="$build/fuzz-artifacts"
logs="$build/fuzz-logs"
mkdir -p "$artifacts" "$logs"

run_one() { # run_one TARGET: one libFuzzer run; its log in $logs/TARGET.log
    local name=$1 inputs=("$here/corpus/$1")
    [ -d "$here/regressions/$name" ] && inputs+=("$here/regressions/$name")
    mkdir -p "$scratch/$name"
    # The first corpus dir receives new inputs: the scratch one, never the committed ones.
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb: the default 2 GiB, explicit.
    "$build/tests/fuzz/fuzz_$name" "$scratch/$name" "${inputs[@]}" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -dict="$here/dict/${dict[$name]}" -artifact_prefix="$artifacts/$name-" \
        >"$logs/$name.log" 2>&1
}

failed=0
report() { # report TARGET STATUS
    local name=$1 status=$2 log="$logs/$1.log" execs rate cov
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
    if [ "$status" -eq 0 ]; then
        printf '  %-18s PASSED  %10s execs  %7s/s  %s  corpus %s seeds + %s new\n' "$name" \
            "${execs:-?}" "${rate:-?}" "${cov:-?}" "$(find "$here/corpus/$name" -type f | wc -l)" \
            "$(find "$scratch/$name" -type f | wc -l)"
    else
        failed=1
        echo "  $name FAILED (exit $status); its log, $log, ends with:" >&2
        tail -40 "$log" >&2
        ls "$artifacts" | grep "^$name-" | sed 's/^/  crashing input: /' >&2
    fi
}

echo "running ${#targets[@]} fuzz targets for ${seconds} s each, two at a time"
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    a=${targets[$i]} b=${targets[$((i + 1))]:-}
    run_one "$a" &
    pid_a=$!
    if [ -n "$b" ]; then
        run_one "$b" &
        pid_b=$!
    fi
    wait "$pid_a"
    report "$a" $?
    if [ -n "$b" ]; then
        wait "$pid_b"
        report "$b" $?
    fi
done
exit "$failed"
