#!/usr/bin/env bash
# What a memory check costs, valgrind against AddressSanitizer, side by side:
# for each lesson with memory checks (3, 4, 7 to 10), its solution's memory
# check is built both ways in a scratch copy, then its test program is run
# RUNS times (default 5) and the median wall time printed, with the build
# time of each mode once. Needs valgrind and a C compiler with ASan (gcc or
# clang). Numbers from a loaded machine mean little: say where they ran.
#
#   bash bench/memcheck-cost.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-5}
command -v valgrind >/dev/null || { echo "valgrind is needed for the comparison" >&2; exit 2; }

scratch=$root/target/bench-memcheck/workbook
rm -rf "$scratch"
mkdir -p "$scratch"
git ls-files -z | xargs -0 cp --parents -t "$scratch"
for solution in solutions/*/; do
  cp -r "$solution". "$scratch/exercises/$(basename "$solution")/"
done
trap 'rm -rf "$scratch"' EXIT
export CARGO_TARGET_DIR=$root/target/bench-memcheck/cargo

# lesson package, then the check that re-runs a test under the tool.
checks=(
  "abi_add abi_add valgrind_finds_no_invalid_access"
  "api_add api_add valgrind_finds_no_invalid_access"
  "c_strings memory valgrind_finds_no_memory_mistakes"
  "callbacks visiting valgrind_finds_no_invalid_access"
  "handles memory valgrind_finds_no_memory_mistakes"
)

# The test program `test` of `package`, built in the mode the environment says.
program() {
  local package=$1 test=$2
  (cd "$scratch" && cargo test -q -p "$package" --test "$test" --no-run --message-format=json 2>/dev/null) |
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
  plain=$(program "$package" "$test")
  asan=$(env "${asan_env[@]}" bash -c "$(declare -f program); scratch=$scratch; program $package $test")
  printf '%-10s %-34s %12s %12s\n' "$package" "$check" \
    "$(FFI_WORKBOOK_MEMCHECK=valgrind median_ms "$plain" "$check")" \
    "$(median_ms "$asan" "$check")"
done
echo "(median of $runs runs each; a whole check: the test program, and the tool's re-run of one test in it)"
