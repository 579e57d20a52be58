#!/usr/bin/env bash
# The learner's loop, timed side by side in one run (numbers for the README's
# "Timings" section; goals from issue 10 in brackets):
#
#   1. fresh clone to the first verdict, cold target folder   [<= 40 s on 2 cores]
#   2. save -> verdict in the watch loop, lessons 1 and 2     [<= 0.5 s, and <= 0.15 s
#      against a bare `cargo test -p CRATE` of the same change  above the bare cargo test]
#   3. `verify` of the six solved lessons, warm               [<= 3 s]
#   4. the idle watch loop's CPU over 10 s                    [< 1% of a core]
#   5. the watch loop ends when its terminal goes (tmux kill-session)
#
#   bench/learner-loop.sh [--warm]    --warm: skip 1 and reuse the last clone,
#                                     updated to HEAD
#
# Runs in a clone of HEAD under $TMPDIR (the cargo registry stays warm: no
# download is timed). The watch loop runs in tmux at 120x40; a save is timed
# from the file write to the verdict on screen (capture-pane every 10 ms).
# Numbers from a shared machine are noisy: run it twice, keep the second.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${TMPDIR:-/tmp}/ffi-workbook-bench
clone=$work/workbook
session=ffi-bench-$$
now() { date +%s.%N; }
elapsed() { printf '%.2f' "$(echo "$(now) - $1" | bc)"; }
say() { printf '%-58s %s\n' "$1" "$2"; }

if [[ ${1:-} != --warm || ! -d $clone ]]; then
    rm -rf "$work"
    mkdir -p "$work"
    git clone -q "$root" "$clone"
    cd "$clone"
    start=$(now)
    cargo run -q -p checker </dev/null >"$work/first.txt" 2>&1 || true
    grep -q "Lesson 1/" "$work/first.txt" || { cat "$work/first.txt"; exit 1; }
    say "fresh clone to first verdict (cold, $(nproc) cores)" "$(elapsed "$start") s"
fi
cd "$clone"
git checkout -q -- exercises
# --warm: the kept clone brought up to this HEAD (its target folder stays).
git pull -q "$root" HEAD
rm -rf .workbook
cargo build -q -p checker
checker=$clone/target/debug/checker

# Polls the tmux screen until it shows $1; prints the seconds since $2.
wait_screen() {
    local pattern=$1 since=$2 deadline=$(( $(date +%s) + 120 ))
    until tmux capture-pane -p -t "$session" | grep -q -- "$pattern"; do
        if (( $(date +%s) > deadline )); then
            echo "timed out waiting for '$pattern'" >&2
            tmux capture-pane -p -t "$session" >&2
            return 1
        fi
        sleep 0.01
    done
    elapsed "$since"
}

# 2a. The bare cargo test of each change first (the watch loop is not
# running yet, so the two never wait on each other's cargo lock): the
# exercise built once, then the solution saved over it and tested.
declare -A bare
lessons=$(ls exercises | head -n 2)
for lesson in $lessons; do
    crate=$(sed -n 's/^name = "\(.*\)"/\1/p' "exercises/$lesson/Cargo.toml" | head -1)
    cargo test -q -p "$crate" >/dev/null 2>&1 || true
    cp "solutions/$lesson/src/lib.rs" "exercises/$lesson/src/lib.rs"
    start=$(now)
    cargo test -q -p "$crate" >/dev/null 2>&1 || true
    bare[$lesson]=$(elapsed "$start")
    git checkout -q -- "exercises/$lesson"
done

# 2b. Save -> verdict. The loop starts on lesson 1 (failing); a save of the
# solution must turn it to PASS; `n` moves to lesson 2, and the same again.
tmux kill-session -t "$session" 2>/dev/null || true
tmux new-session -d -s "$session" -x 120 -y 40 "cd '$clone' && '$checker'"
wait_screen "FAIL" "$(now)" >/dev/null
pid=$(pgrep -f "^$checker\$" | head -1)
for lesson in $lessons; do
    number=${lesson%%_*}; number=${number#0}
    if [[ $number == 2 ]]; then
        tmux send-keys -t "$session" n
        wait_screen "Lesson 2: " "$(now)" >/dev/null
        wait_screen "FAIL" "$(now)" >/dev/null
    fi
    # Both sides compile the lesson crate anew (a save gives the file a new
    # modification time) and run its checks; the loop also runs the program.
    start=$(now)
    cp "solutions/$lesson/src/lib.rs" "exercises/$lesson/src/lib.rs"
    loop_s=$(wait_screen "PASS passed" "$start")
    say "save -> verdict, lesson $number: watch loop / bare cargo test" "$loop_s s / ${bare[$lesson]} s"
done

# 4. Idle CPU: utime + stime of the loop over 10 s, in clock ticks.
sleep 2
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(ticks)
sleep 10
after=$(ticks)
hz=$(getconf CLK_TCK)
say "idle watch loop CPU over 10 s" "$(echo "scale=2; ($after - $before) * 100 / ($hz * 10)" | bc) % of a core"

# 5. The terminal goes away: the loop must end.
tmux kill-session -t "$session"
sleep 2
if kill -0 "$pid" 2>/dev/null; then
    say "watch loop after its terminal closed" "STILL RUNNING (pid $pid)"
    kill "$pid"
else
    say "watch loop after its terminal closed" "ended"
fi

# 3. verify, warm: every lesson solved, checked once to build, then timed.
for lesson in solutions/*/; do
    cp -r "$lesson." "exercises/$(basename "$lesson")/"
done
"$checker" verify >/dev/null 2>&1 || true
start=$(now)
"$checker" verify >"$work/verify.txt" 2>&1 || true
total=$(elapsed "$start")
# The first six lessons' own times, as verify reports them, and the one
# cargo call that compiled every lesson together.
six=$( (grep -E '^(PASS|FAIL) +[1-6] ' "$work/verify.txt"; grep 'compiled together' "$work/verify.txt") |
    sed -n 's/.*(\([0-9.]*\) s).*$/\1/p' | paste -sd+ | bc)
say "verify, every solved lesson, warm (first six lessons + compiling)" "$total s ($six s)"
grep -E '^(PASS|FAIL) ' "$work/verify.txt"
git checkout -q -- exercises
