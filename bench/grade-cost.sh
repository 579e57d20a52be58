#!/usr/bin/env bash
# What grading one solved submission of the real workbook costs with the
# sandbox on, side by side with what the same machine takes for a bare
# `cargo test` of that submission's lesson crates after touching their
# files (the learner's own way of checking everything), in one run.
#
#   bench/grade-cost.sh            ROUNDS=3 by default
#
# Both sides are warm: the grading work folder has graded once (dependencies
# compiled, reference solutions checked), the clone has been tested once.
# Each round changes every editable file of the submission (a comment), so
# every lesson is compiled again on both sides, as for a new submission.
# The grading side is the submission's own time in the report (`seconds`:
# taking its files, and every lesson's build, program and checks, each in
# the sandbox), not the batch's fixed cost (checking the reference
# solutions once per batch). The times are wall-clock: note the load.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${ROUNDS:-3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$root"
cargo build --quiet -p checker
checker="${CARGO_TARGET_DIR:-$root/target}/debug/checker"
work="$root/target/bench-grade-cost"
packages=$(cd exercises && for d in */; do grep -m1 '^name' "$d/Cargo.toml" | cut -d'"' -f2; done)

# A learner's clone with every lesson solved.
sub="$tmp/learner"
mkdir -p "$sub"
git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$sub"
cp -r "$sub/solutions/." "$sub/exercises/"
clone_target="$root/target/bench-grade-cost-clone"

touch_editable() {
    (cd "$root/solutions" && find . -type f) | while read -r file; do
        printf '\n// round %s\n' "$1" >>"$sub/exercises/$file"
    done
}

grade_once() {
    "$checker" --workbook "$root" grade --jobs 1 --work-dir "$work" \
        --format json "$sub" 2>/dev/null |
        python3 -c 'import json,sys; s=json.load(sys.stdin)["submissions"][0]; print("%.1f %d/%d" % (s["seconds"], s["score"], s["max_score"]))'
}

cargo_test_once() {
    local start end
    start=$(date +%s.%N)
    # shellcheck disable=SC2046
    (cd "$sub" && CARGO_TARGET_DIR="$clone_target" cargo build --quiet -p checker 2>/dev/null &&
        CARGO_TARGET_DIR="$clone_target" "$clone_target/debug/checker" build-c >/dev/null &&
        CARGO_TARGET_DIR="$clone_target" cargo test --quiet $(printf -- '-p %s ' $packages) >/dev/null 2>&1) || true
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.1f}')"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "warming up (dependencies, reference solutions, the clone's own build)..."
grade_once >/dev/null
cargo_test_once >/dev/null
echo "round  grade one submission (s, score)  bare cargo test of its lessons (s)"
for round in $(seq 1 "$rounds"); do
    touch_editable "$round"
    graded=$(grade_once)
    tested=$(cargo_test_once)
    printf '%5s  %32s  %34s\n' "$round" "$graded" "$tested"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
