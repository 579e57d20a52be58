#!/usr/bin/env bash
# Measures what the dependency profile ([profile.dev.package."*"] opt-level)
# costs and buys: a fresh clone to the first verdict (cold target folder), and
# the warm check of the solved lessons 5 and 6 (lesson 6's program steps a
# heat equation, the one lesson whose run time depends on optimised
# dependencies: png, and insta in the tests).
#
#   bench/profile.sh [OPT_LEVELS...]      default: "1 0"
#
# Each level gets its own fresh clone of HEAD and its own cold target folder;
# the cargo registry (downloaded crates) stays warm. The numbers go to stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
levels=${*:-"1 0"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
for level in $levels; do
    clone="$work/opt$level"
    git clone -q "$root" "$clone"
    # The profile line as the level asks; level "none" removes the section.
    sed -i "s/^opt-level = .*/opt-level = $level/" "$clone/Cargo.toml"
    cd "$clone"
    start=$(now)
    cargo run -q -p checker -- run 1 >/dev/null 2>&1 || true
    first=$(echo "$(now) - $start" | bc)
    # Solve lessons 5 and 6, then time their checks warm (the second run).
    for lesson in 05_fibonacci 06_evolve; do
        cp -r "solutions/$lesson/." "exercises/$lesson/"
    done
    for lesson in 5 6; do cargo run -q -p checker -- run $lesson >/dev/null 2>&1 || true; done
    l5=$( { /usr/bin/time -f %e cargo run -q -p checker -- run 5 >/dev/null; } 2>&1 | tail -1)
    l6=$( { /usr/bin/time -f %e cargo run -q -p checker -- run 6 >/dev/null; } 2>&1 | tail -1)
    l6b=$( { /usr/bin/time -f %e cargo run -q -p checker -- run 6 >/dev/null; } 2>&1 | tail -1)
    printf 'opt-level %s: fresh clone to first verdict %.1f s; warm check lesson 5 %s s, lesson 6 %s s / %s s\n' \
        "$level" "$first" "$l5" "$l6" "$l6b"
    cd "$root"
    rm -rf "$clone"
done
