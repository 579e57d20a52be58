#!/usr/bin/env python3
"""How much of each lesson's answer a learner can read before the last hint.

Usage: python3 bench/answer-leak.py [WORKBOOK_ROOT] [--max PERCENT]

For each lesson (exercises/NN_name/), the *answer lines* are the code lines
of the reference solution's editable files (solutions/NN_name/FILE) that the
exercise's copy of FILE does not already hold: what the learner has to write.
A line is normalised before anything is compared:

- whitespace is collapsed to nothing (so a line re-wrapped or re-indented on a
  page, or split over several comment lines, is still found);
- a trailing `// comment` is cut off, and so are a trailing `;` or `,`;
- skipped: blank lines, comment lines (`//`, `///`, `//!`, `/*`, ` * `),
  lone braces and brackets (`}`, `});`, `)]`, ...), and trivial lines shorter
  than 8 characters once squeezed (`Ok(())`, `None`, `x,`, `*a = b`... say
  nothing on their own), and `use` lines (an import names an API, which the
  page is there to name).

An answer line is *readable* when its normalised form is a substring of the
normalised text a learner can read before the last hint:

- the comments of the exercise's Rust files (src/**/*.rs, build.rs and any
  other .rs at the crate's top, e.g. binding_options.rs);
- the lesson's page, lessons/src/NN_name.md (all of it: prose and examples);
- every hint level but the last (from lessons/hints/NN_name.toml, or, on an
  older workbook, the `hints` of the exercise's Cargo.toml).

It prints, per lesson, the readable lines over all answer lines, and the
totals (all lessons, Part I = lessons 1-6, Part II = lessons 7-11). With
`--max P` it exits 1 when a lesson is above P percent. With `-v` it lists the
readable lines and where each was found.
"""

import re
import sys
import tomllib
from pathlib import Path

MIN_CHARS = 8
LONE = re.compile(r"^[\]\[(){};,]*$")


def squeeze(text):
    return re.sub(r"\s+", "", text)


def code_of(line):
    # A `//` inside a string is rare in these lessons; cutting there only makes
    # a line less likely to count as readable.
    at = line.find("//")
    return line if at < 0 else line[:at]


def answer_key(line):
    """The normalised form of one solution line, or None if it is skipped."""
    stripped = line.strip()
    if not stripped or stripped.startswith(("//", "/*", "*", "use ", "pub use ")):
        return None
    key = squeeze(code_of(stripped)).rstrip(";,")
    if LONE.match(key) or len(key) < MIN_CHARS:
        return None
    return key


def comments_of(source):
    """Every `//` comment's text in a Rust file, one string."""
    out = []
    for line in source.splitlines():
        at = line.find("//")
        if at >= 0:
            out.append(line[at:].lstrip("/!"))
    return "\n".join(out)


def hints_of(root, dir_name):
    path = root / "lessons" / "hints" / f"{dir_name}.toml"
    if path.is_file():
        return tomllib.loads(path.read_text())["hints"]
    manifest = tomllib.loads((root / "exercises" / dir_name / "Cargo.toml").read_text())
    return manifest["package"]["metadata"]["workbook"]["hints"]


def lesson_figures(root, dir_name):
    exercise = root / "exercises" / dir_name
    manifest = tomllib.loads((exercise / "Cargo.toml").read_text())
    editable = manifest["package"]["metadata"]["workbook"]["editable"]

    answers = []
    for rel in editable:
        given = {answer_key(l) for l in (exercise / rel).read_text().splitlines()}
        solution = root / "solutions" / dir_name / rel
        for number, line in enumerate(solution.read_text().splitlines(), 1):
            key = answer_key(line)
            if key is not None and key not in given:
                answers.append((f"{rel}:{number}", line.strip(), key))

    sources = {}
    rust_files = sorted(exercise.glob("src/**/*.rs")) + sorted(exercise.glob("*.rs"))
    sources["comments"] = squeeze("\n".join(comments_of(p.read_text()) for p in rust_files))
    page = root / "lessons" / "src" / f"{dir_name}.md"
    sources["page"] = squeeze(page.read_text()) if page.is_file() else ""
    hints = hints_of(root, dir_name)
    sources["hints"] = squeeze("\n".join(hints[:-1]))

    readable = []
    for where, line, key in answers:
        found = [name for name, text in sources.items() if key in text]
        if found:
            readable.append((where, line, found))
    return answers, readable


def main(argv):
    args = [a for a in argv if not a.startswith("-")]
    verbose = "-v" in argv
    limit = None
    if "--max" in argv:
        limit = float(argv[argv.index("--max") + 1])
        args = [a for a in args if a != argv[argv.index("--max") + 1]]
    root = Path(args[0]) if args else Path(__file__).resolve().parent.parent
    lessons = sorted(
        p.name for p in (root / "exercises").iterdir() if re.match(r"^\d+_", p.name)
    )

    totals = {"all": [0, 0], "Part I (1-6)": [0, 0], "Part II (7-11)": [0, 0]}
    over = []
    print(f"{'lesson':<24} {'readable':>8} {'answer':>7} {'share':>6}")
    for dir_name in lessons:
        answers, readable = lesson_figures(root, dir_name)
        share = 100 * len(readable) / len(answers) if answers else 0.0
        print(f"{dir_name:<24} {len(readable):>8} {len(answers):>7} {share:>5.0f}%")
        if verbose:
            for where, line, found in readable:
                print(f"    {where:<24} [{', '.join(found)}] {line}")
        part = "Part I (1-6)" if int(dir_name.split("_")[0]) <= 6 else "Part II (7-11)"
        for key in ("all", part):
            totals[key][0] += len(readable)
            totals[key][1] += len(answers)
        if limit is not None and share > limit:
            over.append(dir_name)
    print()
    for name, (r, a) in totals.items():
        print(f"{name:<24} {r:>8} {a:>7} {100 * r / a if a else 0:>5.0f}%")
    if over:
        print(f"\nabove {limit:g}%: {', '.join(over)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
