#!/usr/bin/env bash
# Runs the libFuzzer harnesses of the dosecurate-fuzz binary one after another, FUZZ_SECONDS each,
# then prints executions per second and total executions per harness (docs/fuzzing.md).
#
#   Fuzz/run-fuzz.sh BINARY [HARNESS...]        (default: every harness)
#
# Environment: FUZZ_SECONDS (default 600), FUZZ_WORK (default .build-fuzz: corpus/, artifacts/,
# logs/ under it), FUZZ_EXTRA_FLAGS (more libFuzzer flags, e.g. -jobs=2 or -seed=1).
#
# Each run reads the committed seeds (Fuzz/Corpus/<harness>), the minimised corpus of the long runs
# (Fuzz/Minimised/<harness>, when there is one) and the reproducers of earlier crashes
# (Fuzz/Crashes/<harness>, so a crash that comes back fails at once), and writes new inputs to the
# working corpus FUZZ_WORK/corpus/<harness>, kept between runs. A crash, timeout or out-of-memory
# leaves its input in FUZZ_WORK/artifacts/<harness>/ and makes the script exit 1 after the last
# harness has run.
set -uo pipefail
# A trap goes to libFuzzer's handler (which saves the input), not to the Swift runtime's backtracer.
export SWIFT_BACKTRACE=enable=no
# The archive harnesses write each input to a scratch file under TMPDIR: on a disk file system the
# writeback costs more than the parse (npz-archive ran 2.4x faster on /dev/shm), so memory it is.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi

binary=${1:?usage: run-fuzz.sh BINARY [HARNESS...]}
shift
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
seconds=${FUZZ_SECONDS:-600}
work=${FUZZ_WORK:-.build-fuzz}
all_harnesses=(npy-header npz-archive pickle delivery-archive json-record safetensors acceptance-protocol)
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=("${all_harnesses[@]}")

# Longest input per harness: room for the largest realistic header or container the reader
# handles, without making every mutation slow.
max_len() {
    case $1 in
        npy-header) echo 4096 ;;
        npz-archive | delivery-archive) echo 65536 ;;
        pickle) echo 32768 ;;
        json-record | acceptance-protocol) echo 16384 ;;
        safetensors) echo 8192 ;;
        *) echo "run-fuzz.sh: unknown harness $1" >&2; exit 2 ;;
    esac
}

dictionary() {
    case $1 in
        npy-header) echo npy.dict ;;
        npz-archive) echo zip.dict ;;
        delivery-archive) echo delivery.dict ;;
        pickle) echo pickle.dict ;;
        json-record) echo json.dict ;;
        safetensors) echo safetensors.dict ;;
        acceptance-protocol) echo acceptance-protocol.dict ;;
    esac
}

# Swift symbols in a stack trace, readable when the toolchain's demangler is on PATH.
demangle() { if command -v swift-demangle >/dev/null; then swift-demangle --simplified; else cat; fi; }

# The value of libFuzzer's final `stat::NAME:` line in a log, or "-".
stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1 | grep . || echo -; }

failed=()
summary=()
for harness in "${harnesses[@]}"; do
    length=$(max_len "$harness") || exit 2
    corpus="$work/corpus/$harness"
    artifacts="$work/artifacts/$harness"
    log="$work/logs/$harness.log"
    mkdir -p "$corpus" "$artifacts" "$work/logs"
    inputs=("$corpus" "$fuzz_dir/Corpus/$harness")
    [ -d "$fuzz_dir/Minimised/$harness" ] && inputs+=("$fuzz_dir/Minimised/$harness")
    [ -d "$fuzz_dir/Crashes/$harness" ] && inputs+=("$fuzz_dir/Crashes/$harness")
    echo "== $harness: ${seconds}s, -max_len=$length, log $log"
    # shellcheck disable=SC2086 # FUZZ_EXTRA_FLAGS is a list of flags
    DOSECURATE_FUZZ_TARGET=$harness "$binary" \
        -max_total_time="$seconds" -max_len="$length" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -dict="$fuzz_dir/Dictionaries/$(dictionary "$harness")" \
        -artifact_prefix="$artifacts/" ${FUZZ_EXTRA_FLAGS:-} "${inputs[@]}" >"$log" 2>&1
    status=$?
    runs=$(stat number_of_executed_units "$log")
    speed=$(stat average_exec_per_sec "$log")
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo -)
    if [ "$status" -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $status)"
        failed+=("$harness")
        echo "-- $harness failed; the end of its log:"
        grep -E 'ERROR: (libFuzzer|AddressSanitizer)|Swift runtime failure|Fatal error|^SUMMARY|#[0-9]+ .* /.*Sources/|Test unit written' "$log" \
            | head -30 | demangle
        ls -1 "$artifacts"
    fi
    summary+=("$(printf '%-20s %12s %14s %8s %8s  %s' "$harness" "$speed" "$runs" "$coverage" \
        "$(find "$corpus" -type f | wc -l)" "$result")")
done

echo
printf '%-20s %12s %14s %8s %8s  %s\n' harness "exec/s" executions cov corpus result
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]} (inputs under $work/artifacts/, logs under $work/logs/)"
    exit 1
fi
