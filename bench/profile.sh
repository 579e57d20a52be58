#!/usr/bin/env bash
# Measures what the dependency profile ([profile.dev.package."*"] opt-level
# and debug info) costs and buys: a fresh clone to the first verdict (cold
# target folder), and the warm check of the solved lessons 5 and 6 (lesson
# 6's program steps a heat equation, the one lesson whose run time depends on
# optimised dependencies: png, and insta in the tests).
#
#   bench/profile.sh [CHOICES...]      default: "head debug all1 all0"
#
#   head   the profile as committed in Cargo.toml
#   debug  as committed, but dependencies keep their debug info
#   all1   every dependency at opt-level 1 ([profile.dev.package."*"])
#   all0   no dependency optimised (every [profile.dev.package.*] removed)
#
# Each level gets its own fresh clone of HEAD and its own cold target folder;
# the cargo registry (downloaded crates) stays warm. The numbers go to stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
levels=${*:-"head debug all1 all0"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
for level in $levels; do
    clone="$work/opt$level"
    git clone -q "$root" "$clone"
    case $level in
        head) ;;
        debug) sed -i '/^\[profile.dev.package."\*"\]$/,/^debug = false$/d' "$clone/Cargo.toml" ;;
        all1) sed -i 's/^debug = false$/debug = false\nopt-level = 1/' "$clone/Cargo.toml" ;;
        all0) sed -i '/^\[profile.dev.package\.[a-z]/,/^opt-level/d' "$clone/Cargo.toml" ;;
        *) echo "unknown choice $level" >&2; exit 2 ;;
    esac
    cd "$clone"
    # Wall time, and CPU time (user + system, all cores): on a shared
    # machine the CPU time is the steadier of the two.
    /usr/bin/time -o "$work/time" -f "%e %U %S" cargo run -q -p checker -- run 1 \
        >/dev/null 2>&1 || true
    # (time writes "Command exited with non-zero status 1" first: lesson 1
    # fails on a fresh clone, as it should.)
    read -r first user system < <(tail -n 1 "$work/time")
    cpu=$(echo "$user + $system" | bc)
    # Solve lessons 5 and 6, then time their checks warm (the second run).
    for lesson in 05_fibonacci 06_evolve; do
        cp -r "solutions/$lesson/." "exercises/$lesson/"
    done
    for lesson in 5 6; do cargo run -q -p checker -- run $lesson >/dev/null 2>&1 || true; done
    timed() {
        /usr/bin/time -o "$work/time" -f "%e" cargo run -q -p checker -- run "$1" \
            >/dev/null 2>&1 || true
        tail -n 1 "$work/time"
    }
    l5=$(timed 5)
    l6=$(timed 6)
    l6b=$(timed 6)
    printf '%s: fresh clone to first verdict %s s (CPU %s s); warm check lesson 5 %s s, lesson 6 %s s / %s s\n' \
        "$level" "$first" "$cpu" "$l5" "$l6" "$l6b"
    cd "$root"
    rm -rf "$clone"
done
