#!/usr/bin/env bash
# What a memory check costs, valgrind against AddressSanitizer, side by side:
# for each lesson with memory checks (3, 4, 7 to 10), its solution's memory
# check is built both ways in two scratch copies, then its test program is
# run RUNS times (default 5) and the median wall time of the check printed
# (the builds are not timed). Needs valgrind and a C compiler with ASan (gcc
# or clang). Numbers from a loaded machine mean little: say where they ran.
#
#   bash bench/memcheck-cost.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-5}
command -v valgrind >/dev/null || { echo "valgrind is needed for the comparison" >&2; exit 2; }

# Two copies, one per mode: each has its own C build (build-c builds it for
# ASan in the ASan one), as a learner's machine has one.
bench=$root/target/bench-memcheck
rm -rf "$bench"
trap 'rm -rf "$bench"' EXIT
for mode in valgrind asan; do
  mkdir -p "$bench/$mode"
  git ls-files -z | xargs -0 cp --parents -t "$bench/$mode"
  for solution in solutions/*/; do
    cp -r "$solution". "$bench/$mode/exercises/$(basename "$solution")/"
  done
  FFI_WORKBOOK_MEMCHECK=$mode cargo run -q -p checker -- --workbook "$bench/$mode" build-c >/dev/null
done
# The workbook's own target folder: the dependencies are built already.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}

# lesson package, then the check that re-runs a test under the tool.
checks=(
  "abi_add abi_add valgrind_finds_no_invalid_access"
  "api_add api_add valgrind_finds_no_invalid_access"
  "c_strings memory valgrind_finds_no_memory_mistakes"
  "callbacks visiting valgrind_finds_no_invalid_access"
  "handles memory valgrind_finds_no_memory_mistakes"
)

# The test program `test` of `package` in the copy `mode`, built in the mode
# the environment says.
program() {
  local mode=$1 package=$2 test=$3
  (cd "$bench/$mode" && cargo test -q -p "$package" --test "$test" --no-run --message-format=json 2>>"$bench/build.log") |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("executable") and m.get("profile", {}).get("test"):
        print(m["executable"])'
}

median_ms() {
  local exe=$1 check=$2 times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$exe" "$check" --exact --test-threads=1 >/dev/null 2>&1 || { echo "FAILED"; return; }
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

# The ASan build environment is the checker's own (memcheck::asan_build_env).
asan_env=(FFI_WORKBOOK_MEMCHECK=asan
  "CFLAGS=-fsanitize=address -fsanitize-recover=address -fno-omit-frame-pointer -g"
  "RUSTFLAGS=-l dylib=asan"
  "CARGO_BUILD_TARGET=$(rustc -vV | sed -n 's/^host: //p')")

printf '%-10s %-34s %12s %12s\n' lesson check "valgrind ms" "ASan ms"
for row in "${checks[@]}"; do
  read -r package test check <<<"$row"
  plain=$(program valgrind "$package" "$test")
  asan=$(env "${asan_env[@]}" bash -c "$(declare -f program); bench=$bench; program asan $package $test")
  [ -n "$plain" ] && [ -n "$asan" ] || { cat "$bench/build.log" >&2; exit 1; }
  printf '%-10s %-34s %12s %12s\n' "$package" "$check" \
    "$(FFI_WORKBOOK_C_DIR=$bench/valgrind/build median_ms "$plain" "$check")" \
    "$(FFI_WORKBOOK_C_DIR=$bench/asan/build median_ms "$asan" "$check")"
done
echo "(median of $runs runs each; a whole check: the test program, and the tool's re-run of one test in it)"
