//! `checker template DIR`: writes the learners' repository, the one GitHub
//! Classroom copies for every student, from the instructor's workbook.
//!
//! It holds what a learner needs (the checker, the exercises, the lessons'
//! text, `csrc/`, `support/`) and nothing that holds an answer or only
//! serves the course's authors. The files are the ones git has committed
//! (`git archive HEAD`): build output, a learner's progress and whatever an
//! instructor tried in their own clone never leak into it. Files under
//! `template/` replace the workbook's at the same path (the learners'
//! README). Before anything is written, every file is checked for a copy
//! of a reference answer; one found stops the command.
//!
//! DIR must be new or empty: the command never writes over anyone's files.
//! It is the instructor's command: in a learners' repository (no
//! `solutions/`) it says so and stops.
//!
//! The learners' README, `template/README.md`, is made from the lessons'
//! manifests by [`student_readme`]; `checker/tests/template.rs` fails when
//! the committed file differs, and rewrites it when run with `UPDATE=1`.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};

use crate::commands::Context;
use crate::workbook::{Workbook, git};

/// The folder whose files replace the workbook's in the template.
pub const OVERLAY: &str = "template";

/// What the template leaves out, and why. A folder ends with `/`.
pub const LEFT_OUT: &[(&str, &str)] = &[
    ("solutions/", "the reference answers"),
    (
        "checker/tests/",
        "the checker's own tests: their fixture workbooks hold solutions, and they check the \
         reference answers",
    ),
    (".ci/", "the authors' CI, which runs those tests"),
    (
        "bench/",
        "the authors' benchmarks, which grade the checker's test fixtures",
    ),
    (
        ".github/workflows/",
        "the authors' CI and the instructor's class grading (grade-class.yml needs the \
         instructor's token): of the workflows, the learners get classroom.yml alone",
    ),
    ("AUTHORING.md", "for course authors"),
    (
        "template/",
        "its files replace the workbook's in the template",
    ),
];

/// One file of the template.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Relative to the repository's root, with `/`.
    pub path: String,
    pub contents: Vec<u8>,
    pub executable: bool,
}

/// The one workflow the learners' repository keeps: Classroom's autograding.
pub const LEARNERS_WORKFLOW: &str = ".github/workflows/classroom.yml";

fn left_out(path: &str) -> bool {
    if path == LEARNERS_WORKFLOW {
        return false;
    }
    LEFT_OUT
        .iter()
        .any(|(entry, _)| match entry.strip_suffix('/') {
            Some(folder) => path.starts_with(entry) || path == folder,
            None => path == *entry,
        })
}

pub fn run(context: &Context, dir: &Path) -> Result<ExitCode> {
    let workbook = &context.workbook;
    if !workbook.root.join("solutions").is_dir() {
        bail!(
            "`checker template` is the instructor's command: it makes the learners' repository \
             from the instructor's workbook, the one with solutions/. {} has no solutions/: it \
             is a learners' repository, made by this command already. There is nothing to do \
             here; `cargo run -p checker` starts the course.",
            workbook.root.display()
        );
    }
    refuse_unless_empty(dir)?;
    let committed = committed_files(&workbook.root)?;
    let uncommitted = uncommitted_changes(&workbook.root);
    let files = template_files(workbook, committed)?;
    write_files(dir, &files)?;
    if !uncommitted.is_empty() {
        eprintln!(
            "note: the template holds the last commit; these changes are not committed and are \
             not in it: {}",
            uncommitted.join(", ")
        );
    }
    println!(
        "Wrote the learners' repository, {} files, to {}.\n\
         Left out: {}.\n\n\
         Next: make it a repository, push it to GitHub, and mark it as a template \
         (Settings, \"Template repository\"); make the Classroom assignment from it:\n\
         \x20   cd {} && git init && git add -A && git commit -m \"FFI Workbook\"\n\
         Keep this repository ({}), with solutions/, for yourself: grade the class from it.",
        files.len(),
        dir.display(),
        LEFT_OUT
            .iter()
            .filter(|(path, _)| *path != "template/")
            .map(|(path, _)| match *path {
                ".github/workflows/" => "every workflow but classroom.yml",
                path => path,
            })
            .collect::<Vec<_>>()
            .join(", "),
        dir.display(),
        workbook.root.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The template is written only into a new or empty folder.
fn refuse_unless_empty(dir: &Path) -> Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                bail!(
                    "{} exists and is not empty: the template is written only into a new or \
                     empty folder, never over files",
                    dir.display()
                );
            }
            Ok(())
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) if dir.is_file() => Err(err)
            .with_context(|| format!("{} is a file; the template needs a folder", dir.display())),
        Err(err) => Err(err).with_context(|| format!("reading {}", dir.display())),
    }
}

/// Every file git has committed, with its contents: `git archive HEAD`.
pub fn committed_files(root: &Path) -> Result<Vec<TemplateFile>> {
    if git(root, &["rev-parse", "--verify", "--quiet", "HEAD"]).is_err() {
        bail!(
            "the template is made from the workbook's git history, and {} is not a git clone \
             with a commit; clone the workbook with git",
            root.display()
        );
    }
    let tar = git(root, &["archive", "--format=tar", "HEAD"])?;
    let mut archive = tar::Archive::new(tar.as_slice());
    let mut files = Vec::new();
    for entry in archive.entries().context("reading git's archive")? {
        let mut entry = entry.context("reading git's archive")?;
        let kind = entry.header().entry_type();
        let path = entry.path().context("reading git's archive")?.into_owned();
        if kind.is_dir() || kind.is_pax_global_extensions() {
            continue;
        }
        if !kind.is_file() {
            bail!(
                "{} is a link or special file in git; the template holds plain files only",
                path.display()
            );
        }
        // git writes plain relative paths; anything else is not a workbook.
        if !path.components().all(|c| matches!(c, Component::Normal(_))) {
            bail!("git's archive has an unexpected path, {}", path.display());
        }
        let executable = entry.header().mode().is_ok_and(|mode| mode & 0o111 != 0);
        let mut contents = Vec::new();
        entry
            .read_to_end(&mut contents)
            .context("reading git's archive")?;
        files.push(TemplateFile {
            path: path.to_string_lossy().replace('\\', "/"),
            contents,
            executable,
        });
    }
    Ok(files)
}

/// Tracked files that differ from the last commit.
fn uncommitted_changes(root: &Path) -> Vec<String> {
    let Ok(out) = git(
        root,
        &["status", "--porcelain", "--untracked-files=no", "-z"],
    ) else {
        return Vec::new();
    };
    out.split(|&b| b == 0)
        .filter(|line| line.len() > 3)
        .map(|line| String::from_utf8_lossy(&line[3..]).into_owned())
        .collect()
}

/// The template's files: the committed ones, less what is left out, with
/// `template/`'s files in place of the workbook's. Fails if one of them
/// holds a reference answer.
pub fn template_files(
    workbook: &Workbook,
    committed: Vec<TemplateFile>,
) -> Result<Vec<TemplateFile>> {
    let overlay_prefix = format!("{OVERLAY}/");
    let overlay: Vec<TemplateFile> = committed
        .iter()
        .filter_map(|file| {
            let path = file.path.strip_prefix(&overlay_prefix)?;
            Some(TemplateFile {
                path: path.to_string(),
                ..file.clone()
            })
        })
        .collect();
    if !overlay.iter().any(|f| f.path == "README.md") {
        bail!(
            "{}/README.md is missing (or not committed): it is the learners' README, which the \
             template needs",
            OVERLAY
        );
    }
    let answers = answers(workbook, &committed);
    let mut files: Vec<TemplateFile> = committed
        .into_iter()
        .filter(|file| !left_out(&file.path))
        .filter(|file| !overlay.iter().any(|o| o.path == file.path))
        .collect();
    files.extend(overlay);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let leaks: Vec<String> = files
        .iter()
        .flat_map(|file| {
            let text = normalized(&file.contents);
            answers
                .iter()
                .filter(move |(_, answer)| contains(&text, answer))
                .map(move |(answer_path, _)| format!("{} holds {answer_path}", file.path))
        })
        .collect();
    if !leaks.is_empty() {
        bail!(
            "the template would hold reference answers, so nothing was written: {}. Commit \
             the exercises as learners should get them (`checker reset`), or leave the file \
             out of the template",
            leaks.join("; ")
        );
    }
    Ok(files)
}

/// Every lesson's committed reference answers (its editable files in
/// `solutions/`), line endings normalised and trimmed.
fn answers(workbook: &Workbook, committed: &[TemplateFile]) -> Vec<(String, Vec<u8>)> {
    let mut answers = Vec::new();
    for lesson in &workbook.lessons {
        for file in &lesson.editable {
            let path = Path::new("solutions")
                .join(&lesson.dir_name)
                .join(file)
                .to_string_lossy()
                .replace('\\', "/");
            if let Some(found) = committed.iter().find(|f| f.path == path) {
                let text = normalized(&found.contents);
                if !text.is_empty() {
                    answers.push((path, text));
                }
            }
        }
    }
    answers
}

/// CRLF as LF, surrounding whitespace trimmed: a copy is a copy whatever
/// git's line-ending settings did to it.
fn normalized(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &byte) in bytes.iter().enumerate() {
        if byte == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            continue;
        }
        out.push(byte);
    }
    let start = out
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(out.len());
    let end = out
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    out[start..end].to_vec()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// What the learners' README says of one lesson, read from its manifest and
/// its checks.
struct LessonFacts {
    number: u32,
    name: String,
    title: String,
    /// The manifest's `description`, without its "Lesson N: " start.
    what: String,
    /// Its checks run valgrind (a test file names it).
    valgrind: bool,
    /// Its build script runs bindgen, which loads libclang.
    libclang: bool,
}

fn lesson_facts(workbook: &Workbook) -> Result<Vec<LessonFacts>> {
    let mut facts = Vec::new();
    for lesson in &workbook.lessons {
        let dir = lesson.exercise_dir(&workbook.root);
        let manifest_path = dir.join("Cargo.toml");
        let manifest: toml::Table = toml::from_str(
            &std::fs::read_to_string(&manifest_path)
                .with_context(|| format!("reading {}", manifest_path.display()))?,
        )
        .with_context(|| format!("reading {}", manifest_path.display()))?;
        let description = manifest
            .get("package")
            .and_then(|p| p.get("description"))
            .and_then(|d| d.as_str())
            .with_context(|| {
                format!(
                    "{} has no `description`: the learners' README lists it",
                    manifest_path.display()
                )
            })?;
        let what = description
            .split_once(": ")
            .filter(|(start, _)| start.starts_with("Lesson "))
            .map_or(description, |(_, rest)| rest)
            .to_string();
        let libclang = manifest
            .get("build-dependencies")
            .and_then(|b| b.as_table())
            .is_some_and(|b| b.contains_key("bindgen"));
        let mut valgrind = false;
        if let Ok(entries) = std::fs::read_dir(dir.join("tests")) {
            for entry in entries {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "rs") {
                    valgrind |= std::fs::read_to_string(&path)?.contains("valgrind");
                }
            }
        }
        facts.push(LessonFacts {
            number: lesson.number,
            name: lesson.name.clone(),
            title: lesson.title.clone(),
            what,
            valgrind,
            libclang,
        });
    }
    Ok(facts)
}

/// "3, 4 and 7": numbers in words, for a sentence.
fn listed(numbers: &[u32]) -> String {
    let words: Vec<String> = numbers.iter().map(u32::to_string).collect();
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// The learners' README (`template/README.md`), from the lessons' manifests:
/// their numbers, names and descriptions, the tools each needs, and the
/// commands.
pub fn student_readme(workbook: &Workbook) -> Result<String> {
    let facts = lesson_facts(workbook)?;
    let count = facts.len();
    let valgrind: Vec<u32> = facts
        .iter()
        .filter(|f| f.valgrind)
        .map(|f| f.number)
        .collect();
    let libclang: Vec<u32> = facts
        .iter()
        .filter(|f| f.libclang)
        .map(|f| f.number)
        .collect();
    let first = &facts[0].name;
    // The mdBook version the authors' .ci/book installs (lessons/tests/book.rs
    // holds every install command to it).
    let ci_book = workbook.root.join(".ci/book");
    let mdbook = std::fs::read_to_string(&ci_book)
        .with_context(|| format!("reading {}", ci_book.display()))?
        .lines()
        .find_map(|line| line.strip_prefix("MDBOOK_VERSION=\"${MDBOOK_VERSION:-"))
        .and_then(|rest| rest.strip_suffix("}\""))
        .map(str::to_string)
        .with_context(|| format!("{} sets no MDBOOK_VERSION", ci_book.display()))?;
    let mut table = String::from(
        "| # | lesson | title | you write | needs too |\n| --- | --- | --- | --- | --- |\n",
    );
    for f in &facts {
        // Beyond Rust and a C compiler, which every lesson needs.
        let mut needs = Vec::new();
        if f.valgrind {
            needs.push("valgrind (memory checks)");
        }
        if f.libclang {
            needs.push("libclang");
        }
        table.push_str(&format!(
            "| {} | `{}` | {} | {} | {} |\n",
            f.number,
            f.name,
            f.title,
            f.what.replace('|', "\\|"),
            needs.join(", ")
        ));
    }
    let valgrind_line = if valgrind.is_empty() {
        String::new()
    } else {
        format!(
            "valgrind (Linux: `sudo apt install valgrind`), where installed, adds the memory \
             checks of lessons {}: a leak, a double free or a read of freed memory often leaves \
             every value right, and only valgrind sees it. Without it those checks are skipped, \
             and the verdict says so.",
            listed(&valgrind)
        )
    };
    let libclang_line = if libclang.is_empty() {
        String::new()
    } else {
        format!(
            "{} {} needs libclang, which `bindgen` loads to read C headers (Debian/Ubuntu `sudo \
             apt install libclang-dev`, Fedora `sudo dnf install clang-devel`, macOS \
             `xcode-select --install`, Windows `winget install LLVM.LLVM`); without it that \
             lesson stops with a message saying what to install, and the others are unaffected.",
            if libclang.len() == 1 {
                "Lesson"
            } else {
                "Lessons"
            },
            listed(&libclang)
        )
    };
    let tools = [valgrind_line, libclang_line]
        .into_iter()
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    Ok(format!(
        r#"<!-- Made by `checker template` from the lessons' manifests: edit checker/src/template.rs (student_readme), then run the template test with UPDATE=1. -->
# The FFI Workbook: calling C from Rust

A graded, self-paced course in {count} lessons on calling C from Rust. Each
lesson is a small Rust crate with gaps to fill in; a checker builds the C,
runs the lesson's checks against your code and tells you what is right, what
is wrong and where to look.

## Start

You need the Rust toolchain (rustup.rs), a C compiler (`gcc` or `clang` on
Linux, Apple Clang on macOS, MSVC's Build Tools on Windows) and git.

{tools}

```sh
cargo run -p checker      # the watch loop (or, without a terminal, your status once)
```

The first run compiles the checker and the lessons' dependencies, and says
so; after that a check takes about a second for a small lesson. In a
terminal, the checker shows the current lesson, its verdict and your
progress, re-checks every time you save, and answers single keys: `h` one
more hint level, `l` the list of lessons, `t` the lesson's text, `r`
re-check, `n` the next lesson (once this one passes), `q` quit.

## The lessons

{table}
Every lesson has the same places, found by its name:

| what | where |
| --- | --- |
| the exercise (edit the files its `Cargo.toml` lists as `editable`) | `exercises/NN_name/` |
| its checks and snapshots (do not edit) | `exercises/NN_name/tests/` |
| the C it calls | `csrc/` |
| the lesson text | `lessons/src/NN_name.md` |

## The checker's commands

`LESSON` is a number or a name (`1`, `{first}`). Exit codes: 0 success,
1 checks failed, 2 usage or environment errors (with what to install or run).

| command | what it does |
| --- | --- |
| `cargo run -p checker` | the watch loop in a terminal; in a pipe, the status once |
| `cargo run -p checker -- list` | every lesson and its state |
| `cargo run -p checker -- run LESSON` | check one lesson once and show the verdict |
| `cargo run -p checker -- hint LESSON` | the lesson's first hint level; `--level N` the next ones, `--all` every one; only the last shows code |
| `cargo run -p checker -- lesson LESSON` | the lesson's text, in the terminal |
| `cargo run -p checker -- verify` | check every lesson in order; exit 0 only if all pass |
| `cargo run -p checker -- reset LESSON` | restore the exercise as shipped, after asking (or `--yes`); your version is kept under `.workbook/backups/` |
| `cargo run -p checker -- build-c` | build the C programs and libraries from `csrc/` into `build/` |

Global options: `--timeout SECONDS` (how long your program and each lesson's
tests may run, default 20) and `--workbook DIR`.

## Running the tests yourself

Each lesson is an ordinary crate: `cargo run -p {first}` runs its program
and `cargo test -p {first}` its checks, with cargo's own output (build the C
first with `cargo run -p checker -- build-c`, or `make`). A bare
`cargo test` at the root tests the checker and compiles the book's examples;
it passes on a fresh copy and does not touch your exercises, which are
checked one lesson at a time.

## Reading the book

The lesson texts form a book in `lessons/` ([start here](lessons/src/introduction.md);
every page is plain Markdown and reads fine on GitHub too). To read it in a
browser: `cargo install mdbook --locked --version {mdbook}` once, then
`mdbook serve lessons --open`. The checker shows a lesson's page in the
terminal: `cargo run -p checker -- lesson {first}`, or `t` in the watch loop.

## Your repository and your grade

This repository is your own copy of the course, made from your instructor's
template. It has no reference solutions: the answers stay with your
instructor.

Each time you push, `.github/workflows/classroom.yml` grades your work with
the same checker (the Actions tab shows the score, a line per lesson, and
why a lesson did not pass). Only the files each lesson asks you to edit are
graded: tests, snapshots, `Cargo.toml`s and `csrc/` always come from the
original, and a change to them is flagged to your instructor, whose own run
is the grade that counts.
"#
    ))
}

fn write_files(dir: &Path, files: &[TemplateFile]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for file in files {
        let path: PathBuf = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, &file.contents)
            .with_context(|| format!("writing {}", path.display()))?;
        #[cfg(unix)]
        if file.executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_place_that_holds_answers_is_left_out() {
        for answers in crate::workbook::ANSWER_PATHS {
            assert!(
                LEFT_OUT
                    .iter()
                    .any(|(path, _)| path.trim_end_matches('/') == *answers),
                "{answers} holds answers but the template keeps it"
            );
        }
    }

    #[test]
    fn leaves_out_answers_and_the_authors_files() {
        for path in [
            "solutions/01_pointers/src/lib.rs",
            "checker/tests/grade.rs",
            "checker/tests/fixtures/grading/solutions/01_answer/src/lib.rs",
            ".ci/run",
            ".github/workflows/grade-class.yml",
            ".github/workflows/ci.yml",
            "AUTHORING.md",
            "template/README.md",
            "bench/grade-scale.sh",
        ] {
            assert!(left_out(path), "{path}");
        }
        for path in [
            "README.md",
            "checker/src/main.rs",
            "exercises/01_pointers/src/lib.rs",
            "lessons/src/01_pointers.md",
            ".github/workflows/classroom.yml",
            "solutions.md",
        ] {
            assert!(!left_out(path), "{path}");
        }
    }

    #[test]
    fn finds_an_answer_whatever_its_line_endings() {
        let answer = normalized(b"\n  fn f() {\r\n    1\r\n}\n\n");
        assert_eq!(answer, b"fn f() {\n    1\n}");
        assert!(contains(
            &normalized(b"// copied\nfn f() {\n    1\n}\n"),
            &answer
        ));
        assert!(!contains(&normalized(b"fn f() {\n    2\n}\n"), &answer));
        assert!(!contains(b"anything", b""));
    }

    /// The real workbook's template: the answers are gone, the learners'
    /// README replaces the authors', and a solved exercise is refused.
    #[test]
    fn the_workbooks_template_holds_no_answer() {
        let workbook = Workbook::load(&crate::workbook::source_workbook()).unwrap();
        if !workbook.root.join(OVERLAY).is_dir() {
            // A learners' repository: the template is made from the
            // instructor's workbook, which this is not (checker/tests/template.rs
            // runs this test in a fresh template to prove it passes there).
            eprintln!("not the instructor's workbook: no {OVERLAY}/ to make a template from");
            return;
        }
        let Ok(committed) = committed_files(&workbook.root) else {
            // Not a git clone (a source archive): nothing to make a template from.
            return;
        };
        let files = template_files(&workbook, committed.clone()).unwrap();
        assert!(files.iter().all(|f| !left_out(&f.path)));
        let readme = files.iter().find(|f| f.path == "README.md").unwrap();
        let overlay = committed
            .iter()
            .find(|f| f.path == "template/README.md")
            .unwrap();
        assert_eq!(readme.contents, overlay.contents);
        for needed in [
            "Cargo.toml",
            "Cargo.lock",
            "checker/src/main.rs",
            "support/src/lib.rs",
            "csrc/pointers.c",
            "exercises/01_pointers/src/lib.rs",
            "lessons/src/01_pointers.md",
            ".github/workflows/classroom.yml",
        ] {
            assert!(files.iter().any(|f| f.path == needed), "{needed}");
        }

        let mut solved = committed;
        let answer = solved
            .iter()
            .find(|f| f.path == "solutions/01_pointers/src/lib.rs")
            .unwrap()
            .contents
            .clone();
        solved
            .iter_mut()
            .find(|f| f.path == "exercises/01_pointers/src/lib.rs")
            .unwrap()
            .contents = answer;
        let err = template_files(&workbook, solved).unwrap_err().to_string();
        assert!(
            err.contains("exercises/01_pointers/src/lib.rs holds solutions/01_pointers/src/lib.rs"),
            "{err}"
        );
    }

    /// Classroom's autograding reports one test per lesson: a new lesson
    /// needs its step in classroom.yml, or learners never see its point.
    #[test]
    fn classroom_autograding_reports_every_lesson() {
        let root = crate::workbook::source_workbook();
        let workbook = Workbook::load(&root).unwrap();
        let workflow = std::fs::read_to_string(root.join(LEARNERS_WORKFLOW)).unwrap();
        let runners: Vec<String> = workbook
            .lessons
            .iter()
            .map(|lesson| format!("lesson-{}", lesson.number))
            .collect();
        for lesson in &workbook.lessons {
            let n = lesson.number;
            for needed in [
                format!("id: lesson-{n}\n"),
                format!("select(.number == {n}) | .verdict == \"passed\""),
                format!("LESSON-{n}_RESULTS: \"${{{{ steps.lesson-{n}.outputs.result }}}}\""),
            ] {
                assert!(workflow.contains(&needed), "classroom.yml lacks {needed:?}");
            }
        }
        assert!(
            workflow.contains(&format!("runners: {}\n", runners.join(","))),
            "classroom.yml's reporter must list {}",
            runners.join(",")
        );
    }
}
