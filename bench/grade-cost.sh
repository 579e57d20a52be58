#!/usr/bin/env bash
# What grading a solved submission of the real workbook costs with the
# sandbox on, side by side with what the same machine takes for a bare
# `cargo test` of that submission's lesson crates after the same change
# (the learner's own way of checking everything), in one run.
#
#   bench/grade-cost.sh            ROUNDS=3 by default
#
# Each round adds a comment to every editable file, so every lesson crate
# is compiled again on both sides. The grading side grades one batch of
# submissions: round 0 first, compiled where the warm-up compiled the
# exercises as shipped (as for a new student's work after another's), then
# one submission per round, each round 0's files plus that round's comments
# (as a learner's files after an edit). The bare side is a learner's clone,
# with its own target folder, tested once to warm it, then once per round
# after adding the same comments. The grading time is each submission's own
# time in the report (`seconds`: taking its files, every lesson's build,
# program and checks, each in the sandbox); the batch's fixed cost (checking
# the reference solutions, the warm-up) is printed apart. Wall-clock times:
# note the load.
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

# A solved workbook, as git has it, at `$1`.
solved_copy() {
    mkdir -p "$1"
    git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$1"
    cp -r "$1/solutions/." "$1/exercises/"
}

# Adds round `$2`'s comment to every editable file of the copy at `$1`.
comment_round() {
    (cd "$root/solutions" && find . -type f) | while read -r file; do
        printf '\n// round %s\n' "$2" >>"$1/exercises/$file"
    done
}

# The learner's clone keeps its path and its own target folder from run to
# run: the support crate records its folder when it is compiled (where the
# tests look for the C libraries), so a clone at a new path reusing a target
# folder would test against an earlier, deleted clone's build/.
clone="$root/target/bench-grade-cost-learner"
solved_copy "$clone"

cargo_test_once() {
    local start end
    start=$(date +%s.%N)
    # Every test program runs (--no-fail-fast), and every one must pass: a
    # bare run that stopped early would be a cheaper, false comparison.
    # shellcheck disable=SC2046
    if (cd "$clone" && unset CARGO_TARGET_DIR && cargo build --quiet -p checker 2>/dev/null &&
        target/debug/checker build-c >/dev/null &&
        cargo test --quiet --no-fail-fast $(printf -- '-p %s ' $packages) \
            >"$tmp/cargo-test.log" 2>&1); then
        end=$(date +%s.%N)
        python3 -c "print(f'{$end - $start:.1f}')"
    else
        echo "the bare cargo test FAILED; its last lines:" >&2
        tail -n 30 "$tmp/cargo-test.log" >&2
        exit 1
    fi
}

# The submissions: round 0, then one per round with its comments so far.
subs=()
for round in $(seq 0 "$rounds"); do
    sub="$tmp/round-$round"
    solved_copy "$sub"
    for earlier in $(seq 1 "$round"); do
        comment_round "$sub" "$earlier"
    done
    subs+=("$sub")
done

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "grading one batch of $((rounds + 1)) submissions (the reference check and warm-up first)..."
start=$(date +%s.%N)
"$checker" --workbook "$root" grade --jobs 1 --work-dir "$work" --format json "${subs[@]}" \
    >"$tmp/report.json" 2>/dev/null || true
end=$(date +%s.%N)
python3 - "$tmp/report.json" "$start" "$end" >"$tmp/graded" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
subs = report["submissions"]
own = sum(s["seconds"] for s in subs)
print(f"{float(sys.argv[3]) - float(sys.argv[2]) - own:.1f}")
for s in subs:
    print(f"{s['seconds']:.1f} {s['score']}/{s['max_score']}")
EOF
echo "the batch's fixed cost (reference check, warm-up): $(head -n 1 "$tmp/graded") s"
echo "warming the learner's clone up (its own build and one test run)..."
cargo_test_once >/dev/null
echo "round  grade the submission (s, score)  bare cargo test of its lessons (s)"
printf '%5s  %32s  %34s\n' 0 "$(sed -n 2p "$tmp/graded")" "(after another's work)"
for round in $(seq 1 "$rounds"); do
    comment_round "$clone" "$round"
    tested=$(cargo_test_once)
    printf '%5s  %32s  %34s\n' "$round" "$(sed -n "$((round + 2))p" "$tmp/graded")" "$tested"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
