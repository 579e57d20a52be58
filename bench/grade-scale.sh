#!/usr/bin/env bash
# How grading's cost grows with the class: 20 and then 40 solved submissions
# of the fixture class (checker/tests/fixtures/grading, three small lessons)
# graded with `--jobs 2` in one run of this script, on one warm work folder.
#
#   bench/grade-scale.sh            JOBS=2 SIZES="20 40" by default
#   bench/grade-scale.sh 300 10     also a class of 300: graded whole, then
#                                   in 10 shards one after another (per-shard
#                                   wall time, the fixed cost per shard, the
#                                   merge), and the class report's size and
#                                   render time (HTML, --features class-report)
#
# It first grades 2 submissions on an empty work folder (the cold start each
# machine pays once: compiling the dependencies in each job's target folder),
# then each size. From the two sizes it derives the cost per submission and
# the fixed cost of a batch (each job checks the reference solutions before
# grading), and what a class of 300 costs on one machine and on 10 shards.
# The times are wall-clock on this machine: note its load (printed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${JOBS:-2}"
sizes=(${SIZES:-20 40})
fixture="$root/checker/tests/fixtures/grading"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$root"
class_size="${1:-}"
shard_count="${2:-10}"
cargo build --quiet -p checker --features class-report
checker="${CARGO_TARGET_DIR:-$root/target}/debug/checker"

# A class of N learners who solved every lesson, each in their own words.
make_class() {
    local n="$1" dir="$2"
    mkdir -p "$dir"
    for i in $(seq -w 1 "$n"); do
        local sub="$dir/student-$i"
        mkdir -p "$sub"
        (cd "$fixture" && tar --exclude=./target -cf - .) | tar -xf - -C "$sub"
        cp -r "$sub/solutions/." "$sub/exercises/"
        # Each learner's files differ (as real ones do), so every lesson of
        # every submission is compiled, not found already built.
        (cd "$sub/solutions" && find . -name '*.rs') | while read -r file; do
            printf '\n// %s\n' "student-$i" >>"$sub/exercises/$file"
        done
    done
}

grade() {
    local class="$1"
    shift
    env -u CARGO_TARGET_DIR "$checker" --workbook "$fixture" --timeout 20 grade \
        --jobs "$jobs" --work-dir "$tmp/work" --out "$tmp/out.csv" "$class"/*/ "$@" >"$tmp/table.txt" 2>"$tmp/err.txt" || {
        cat "$tmp/err.txt" >&2
        exit 1
    }
    # Every learner solved every lesson: anything else is a broken benchmark
    # (the columns: points, verdicts, total, max_score, flags, error, commit, date).
    if tr -d '\r' <"$tmp/out.csv" | grep -v '^submission,' | grep -vq ',passed,passed,passed,3,3,,,,$'; then
        echo "not every submission got full marks:" >&2
        cat "$tmp/out.csv" >&2
        exit 1
    fi
}

seconds() {
    local start end
    start=$(date +%s.%N)
    "$@"
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
make_class 2 "$tmp/class-2"
cold=$(seconds grade "$tmp/class-2")
printf "cold start, 2 submissions, --jobs %s: %.1f s\n" "$jobs" "$cold"

declare -A took
for n in "${sizes[@]}"; do
    make_class "$n" "$tmp/class-$n"
    took[$n]=$(seconds grade "$tmp/class-$n")
    printf "%3d submissions, --jobs %s: %6.1f s\n" "$n" "$jobs" "${took[$n]}"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

small="${sizes[0]}" large="${sizes[1]}"
t_small="${took[$small]}" t_large="${took[$large]}"
per=$(echo "($t_large - $t_small) / ($large - $small)" | bc -l)
fixed=$(echo "$t_small - $small * $per" | bc -l)
ratio=$(echo "$t_large / $t_small" | bc -l)
printf "ratio %d/%d: %.2f (at most 2.1 wanted)\n" "$large" "$small" "$ratio"
printf "per submission: %.2f s; fixed per batch (checking the solutions): %.1f s\n" "$per" "$fixed"
printf "a class of 300, one machine (warm): %.0f s (%.1f min)\n" \
    "$(echo "$fixed + 300 * $per" | bc -l)" "$(echo "($fixed + 300 * $per) / 60" | bc -l)"
printf "a class of 300, 10 shards of 30 (warm, each): %.0f s (%.1f min), plus each runner's cold start\n" \
    "$(echo "$fixed + 30 * $per" | bc -l)" "$(echo "($fixed + 30 * $per) / 60" | bc -l)"
too_slow=0
if [ "$(echo "$ratio > 2.1" | bc -l)" = 1 ]; then too_slow=1; fi

if [ -n "$class_size" ]; then
    echo
    make_class "$class_size" "$tmp/class-big"
    whole=$(seconds grade "$tmp/class-big")
    printf "%d submissions, whole, --jobs %s: %.1f s\n" "$class_size" "$jobs" "$whole"
    total=0
    for k in $(seq 1 "$shard_count"); do
        t=$(seconds grade "$tmp/class-big" --shard "$k/$shard_count" --out "$tmp/shard-$k.json")
        n=$(tr -d '\r' <"$tmp/out.csv" | grep -vc '^submission,' || true)
        printf "shard %d/%d (%d submissions): %.1f s\n" "$k" "$shard_count" "$n" "$t"
        total=$(echo "$total + $t" | bc -l)
    done
    printf "the %d shards one after another: %.1f s; fixed cost per shard: %.1f s\n" \
        "$shard_count" "$total" "$(echo "($total - $whole) / ($shard_count - 1)" | bc -l)"
    quiet() { "$@" >/dev/null; }
    merge_t=$(seconds quiet env -u CARGO_TARGET_DIR "$checker" merge "$tmp"/shard-*.json --out "$tmp/class.json")
    printf "merge: %.2f s\n" "$merge_t"
    html_t=$(seconds quiet env -u CARGO_TARGET_DIR "$checker" merge "$tmp/class.json" --out "$tmp/class.html")
    printf "class report (class.html): %s bytes, %.2f s to write (reading the JSON included)\n" \
        "$(stat -c %s "$tmp/class.html")" "$html_t"
fi

if [ "$too_slow" = 1 ]; then
    echo "FAIL: $large submissions took more than 2.1 times as long as $small" >&2
    exit 1
fi
