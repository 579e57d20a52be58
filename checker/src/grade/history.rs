//! Where a submission came from and what it started as: its git history
//! (the commit graded, its date, the template commit it began from), the
//! fingerprint of the checks a batch is graded against, whether a lesson
//! was left as shipped, and a hash of each lesson's code for telling
//! identical submissions apart.
//!
//! A submission's git repository is the learner's: its config, hooks and
//! attributes are theirs. Only plumbing that runs nothing the repository
//! names is used (`rev-list`, `ls-tree`, `cat-file` without filters),
//! with no system or user config, and a repository that borrows objects
//! from elsewhere (`objects/info/alternates`, a `commondir`, a `.git`
//! file pointing away) is refused: its blobs must be its own.

use std::collections::BTreeSet;
use std::hash::Hasher as _;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::report::{Flag, FlagKind, Provenance};
use super::submission::{Caps, safe_entry_path};
use super::workspace::same_text;
use crate::scratch::walk_files;
use crate::workbook::{Lesson, Workbook};

/// A git submission laid out for grading: the commit's files, and its first
/// commit's (the starting point its protected files are compared with).
pub struct Trees {
    pub provenance: Provenance,
    pub graded: PathBuf,
    pub start: PathBuf,
}

/// Whether `folder` is a git repository's work tree (a real `.git` folder).
pub fn is_repository(folder: &Path) -> bool {
    std::fs::symlink_metadata(folder.join(".git")).is_ok_and(|m| m.is_dir())
}

/// A date `--before` takes: `YYYY-MM-DD`, optionally `THH:MM[:SS]` and a
/// zone (`Z`, `+01:00`). Anything else is refused, rather than left to
/// git, which reads a typo as some other date without a word.
pub fn check_deadline(text: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "`{text}` is not a deadline: write a date, 2026-03-01, or a date and time, \
             2026-03-01T23:59 (add Z or +01:00 for a time zone; without one, this machine's)"
        )
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts[..] else {
        return Err(bad());
    };
    if !(digits(y) && y.len() == 4 && digits(m) && m.len() == 2 && digits(d) && d.len() == 2) {
        return Err(bad());
    }
    let (month, day): (u32, u32) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(bad());
    }
    if let Some(time) = time {
        let clock = time.trim_end_matches('Z');
        let clock = match clock.find(['+', '-']) {
            Some(at) => {
                let zone = &clock[at + 1..];
                let (zh, zm) = zone.split_once(':').unwrap_or((zone, "00"));
                if !(digits(zh) && zh.len() == 2 && digits(zm) && zm.len() == 2) {
                    return Err(bad());
                }
                &clock[..at]
            }
            None => clock,
        };
        let fields: Vec<&str> = clock.split(':').collect();
        if !(2..=3).contains(&fields.len()) || !fields.iter().all(|f| digits(f) && f.len() == 2) {
            return Err(bad());
        }
        let (h, mi): (u32, u32) = (
            fields[0].parse().unwrap_or(99),
            fields[1].parse().unwrap_or(99),
        );
        if h > 23 || mi > 59 {
            return Err(bad());
        }
    }
    Ok(text.to_string())
}

/// git, with nothing from this machine's or user's config, and none of the
/// repository's own config that could run a program.
fn git(repo: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("--git-dir")
        .arg(repo.join(".git"))
        .args([
            "--no-replace-objects",
            "-c",
            "safe.directory=*",
            "-c",
            "core.fsmonitor=false",
            "-c",
            "core.hooksPath=/dev/null",
        ])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_ALTERNATE_OBJECT_DIRECTORIES")
        .env_remove("GIT_OBJECT_DIRECTORY")
        .stdin(Stdio::null());
    command
}

fn run_git(repo: &Path, args: &[&str]) -> Result<String, String> {
    let output = git(repo).args(args).output().map_err(|err| {
        format!("git could not be run ({err}); install git to grade repositories")
    })?;
    if !output.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.first().unwrap_or(&""),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The repository's commit to grade (the last before `before`, or HEAD),
/// its date and first commit, and both commits' files written under `dir`.
pub fn open(repo: &Path, before: Option<&str>, dir: &Path) -> Result<Trees, String> {
    let git_dir = repo.join(".git");
    for borrowed in [
        "objects/info/alternates",
        "objects/info/http-alternates",
        "commondir",
    ] {
        if std::fs::symlink_metadata(git_dir.join(borrowed)).is_ok() {
            return Err(format!(
                "its git repository borrows from elsewhere (.git/{borrowed}); submit a plain clone"
            ));
        }
    }
    let commit = match before {
        Some(date) => {
            let found = run_git(
                repo,
                &["rev-list", "-1", &format!("--before={date}"), "HEAD"],
            )?;
            let found = found.trim().to_string();
            if found.is_empty() {
                return Err(format!("it has no commit before the deadline {date}"));
            }
            found
        }
        None => run_git(repo, &["rev-parse", "--verify", "HEAD^{commit}"])?
            .trim()
            .to_string(),
    };
    let shown = run_git(repo, &["rev-list", "--no-walk", "--format=%cI", &commit])?;
    let date = shown.lines().nth(1).unwrap_or("").trim().to_string();
    // The oldest root commit: the template the repository was made from.
    let roots = run_git(repo, &["rev-list", "--max-parents=0", &commit])?;
    let start = roots.lines().last().unwrap_or("").trim().to_string();
    if start.is_empty() {
        return Err("its git history has no first commit".into());
    }
    let graded = dir.join("graded");
    let start_dir = dir.join("start");
    for (id, into) in [(&commit, &graded), (&start, &start_dir)] {
        if into.exists() {
            std::fs::remove_dir_all(into)
                .map_err(|e| format!("clearing {}: {e}", into.display()))?;
        }
        export(repo, id, into)?;
    }
    Ok(Trees {
        provenance: Provenance {
            commit,
            date,
            start,
        },
        graded,
        start: start_dir,
    })
}

/// Whether a path of the tree matters to grading: the lessons, the C, the
/// support crate, the workspace manifest.
fn graded_path(path: &str) -> bool {
    path == "Cargo.toml"
        || ["exercises/", "csrc/", "support/"]
            .iter()
            .any(|area| path.starts_with(area))
}

/// Writes commit `id`'s files (the graded areas only; no links, no
/// submodules) under `into`, through `cat-file --batch` (no filters run).
fn export(repo: &Path, id: &str, into: &Path) -> Result<(), String> {
    let listing = run_git(repo, &["ls-tree", "-r", "-z", "--full-tree", id])?;
    let caps = Caps::DEFAULT;
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for entry in listing.split('\0').filter(|e| !e.is_empty()) {
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let fields: Vec<&str> = meta.split(' ').collect();
        if fields.len() != 3 || fields[1] != "blob" || !fields[0].starts_with("100") {
            continue;
        }
        if !graded_path(path) {
            continue;
        }
        let rel = safe_entry_path(path)
            .map_err(|e| e.0)?
            .ok_or_else(|| format!("its commit has a path that cannot be used: {path}"))?;
        files.push((fields[2].to_string(), rel));
        if files.len() > caps.files {
            return Err(format!("its commit has more than {} files", caps.files));
        }
    }
    std::fs::create_dir_all(into).map_err(|e| format!("creating {}: {e}", into.display()))?;
    let mut child = git(repo)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("git could not be run: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let ids: Vec<String> = files.iter().map(|(id, _)| id.clone()).collect();
    // Written on a thread: git answers as it reads, and a full pipe each
    // way would stop both.
    let writer = std::thread::spawn(move || {
        for id in ids {
            if writeln!(stdin, "{id}").is_err() {
                break;
            }
        }
    });
    let mut reader = BufReader::new(child.stdout.take().expect("piped"));
    let mut total: u64 = 0;
    let mut result = Ok(());
    for (id, rel) in &files {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 {
            result = Err(format!("git stopped before {}", rel.display()));
            break;
        }
        let size: Option<u64> = header
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse().ok())
            .filter(|_| header.starts_with(id.as_str()));
        let Some(size) = size else {
            result = Err(format!(
                "git could not read {}: {}",
                rel.display(),
                header.trim()
            ));
            break;
        };
        total += size;
        if total > caps.bytes {
            result = Err(format!(
                "its commit holds more than {} MiB",
                caps.bytes >> 20
            ));
            break;
        }
        let mut contents = vec![0; size as usize];
        let mut newline = [0u8; 1];
        if reader.read_exact(&mut contents).is_err() || reader.read_exact(&mut newline).is_err() {
            result = Err(format!("git stopped in {}", rel.display()));
            break;
        }
        let path = into.join(rel);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if let Err(err) = std::fs::write(&path, &contents) {
            result = Err(format!("writing {}: {err}", path.display()));
            break;
        }
    }
    drop(reader);
    let _ = child.kill();
    let _ = child.wait();
    let _ = writer.join();
    result
}

/// The fingerprint of everything a grade rests on besides the learners'
/// files: each lesson's protected files (tests, snapshots, manifests), the
/// C, the support crate, the workspace manifest, and which files are
/// editable. Line endings do not count (as when comparing submissions).
pub fn fingerprint(workbook: &Workbook) -> String {
    let editable: BTreeSet<PathBuf> = (workbook.lessons.iter())
        .flat_map(|lesson| lesson.editable_paths())
        .collect();
    let mut hasher = fnv::FnvHasher::default();
    let mut areas: Vec<PathBuf> = (workbook.lessons.iter())
        .map(|lesson| Path::new("exercises").join(&lesson.dir_name))
        .collect();
    areas.extend(["csrc", "support", "Cargo.toml"].map(PathBuf::from));
    for area in areas {
        let mut files = Vec::new();
        walk_files(&workbook.root, &area, true, &mut files);
        for rel in files {
            let name = rel.to_string_lossy().replace('\\', "/");
            hasher.write(name.as_bytes());
            hasher.write_u8(0);
            if editable.contains(&rel) {
                // Which files are the learner's counts; their contents do not.
                hasher.write(b"editable");
            } else if let Ok(bytes) = std::fs::read(workbook.root.join(&rel)) {
                hasher.write(&without_cr(&bytes));
            }
            hasher.write_u8(0);
        }
    }
    format!("fnv1a64:{:016x}", hasher.finish())
}

fn without_cr(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

/// Code with no whitespace and no `//` comments: reformatting or
/// re-commenting copied code does not make it different.
pub fn normalised(code: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(code);
    let mut out = Vec::with_capacity(code.len());
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("");
        out.extend(line.bytes().filter(|b| !b.is_ascii_whitespace()));
    }
    out
}

/// A hash of the lesson's editable files in the submission, normalised;
/// none when it has none of them.
pub fn lesson_hash(submission: &Path, lesson: &Lesson) -> Option<String> {
    let mut hasher = fnv::FnvHasher::default();
    let mut any = false;
    let mut paths: Vec<PathBuf> = lesson.editable_paths().collect();
    paths.sort();
    for rel in paths {
        if let Ok(bytes) = std::fs::read(submission.join(&rel)) {
            any = true;
            hasher.write(rel.to_string_lossy().as_bytes());
            hasher.write_u8(0);
            hasher.write(&normalised(&bytes));
            hasher.write_u8(0);
        }
    }
    any.then(|| format!("{:016x}", hasher.finish()))
}

/// The hash of a submission's lesson hashes (none if it has no lesson files).
pub fn submission_hash<'a>(lessons: impl Iterator<Item = Option<&'a str>>) -> Option<String> {
    let mut hasher = fnv::FnvHasher::default();
    let mut any = false;
    for hash in lessons {
        if let Some(hash) = hash {
            any = true;
            hasher.write(hash.as_bytes());
        }
        hasher.write_u8(0);
    }
    any.then(|| format!("{:016x}", hasher.finish()))
}

/// Whether the submission left `lesson` as the learner got it: each of its
/// editable files absent or the same as the starting point's (`start`: the
/// repository's first commit, else the instructor's exercises), line
/// endings aside. A starting point that is already solved (an instructor's
/// copy holding the answers) decides nothing: the lesson is checked.
pub fn untouched(workbook: &Workbook, lesson: &Lesson, submission: &Path, start: &Path) -> bool {
    let mut same_as_answer = true;
    for rel in lesson.editable_paths() {
        let shipped = std::fs::read(start.join(&rel)).ok();
        let theirs = std::fs::read(submission.join(&rel)).ok();
        match (&shipped, &theirs) {
            (_, None) => {}
            (Some(a), Some(b)) if same_text(a, b) => {}
            _ => return false,
        }
        let file = rel.strip_prefix(Path::new("exercises").join(&lesson.dir_name));
        let answer = file
            .ok()
            .and_then(|file| std::fs::read(lesson.solution_dir(&workbook.root).join(file)).ok());
        same_as_answer &= matches!((&shipped, &answer), (Some(a), Some(b)) if same_text(a, b));
    }
    !same_as_answer
}

/// The flags of a comparison with the instructor's current copy, less those
/// that the learner's own starting point explains: a file the instructor
/// changed, added or removed after the template went out, which the learner
/// left as they got it.
pub fn relative_to_start(flags: Vec<Flag>, submission: &Path, start: &Path) -> Vec<Flag> {
    flags
        .into_iter()
        .filter(|flag| {
            let Some(path) = &flag.path else {
                return true;
            };
            let (theirs, started) = (
                std::fs::read(submission.join(path)).ok(),
                std::fs::read(start.join(path)).ok(),
            );
            let as_started = match (&theirs, &started) {
                (Some(a), Some(b)) => same_text(a, b),
                (None, None) => true,
                _ => false,
            };
            match flag.kind {
                FlagKind::ProtectedFileChanged
                | FlagKind::ProtectedFileDeleted
                | FlagKind::FileNotTaken => !as_started,
                _ => true,
            }
        })
        .collect()
}

/// Feedback with the grading workspace's paths made workbook-relative
/// (`exercises/01_x/src/lib.rs`, not `.../grade-HASH/job-0/exercises/...`).
pub fn workbook_relative(text: &str, roots: &[&Path]) -> String {
    let mut text = text.to_string();
    for root in roots {
        let root = root.to_string_lossy();
        if root.is_empty() {
            continue;
        }
        let prefix = format!("{}/", root.trim_end_matches('/'));
        text = text.replace(&prefix, "");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_are_dates_or_refused() {
        for good in [
            "2026-03-01",
            "2026-03-01T23:59",
            "2026-03-01T23:59:30Z",
            "2026-03-01T08:00+01:00",
            "2026-03-01 08:00",
        ] {
            assert_eq!(check_deadline(good).as_deref(), Ok(good), "{good}");
        }
        for bad in [
            "tomorrow",
            "2026-3-1",
            "2026-13-01",
            "2026-03-01T25:00",
            "",
            "2026-03-01T8",
        ] {
            let err = check_deadline(bad).unwrap_err();
            assert!(err.contains("is not a deadline"), "{bad}: {err}");
        }
    }

    #[test]
    fn normalising_ignores_layout_and_comments_not_code() {
        assert_eq!(
            normalised(b"fn f() {\r\n    1 + 1 // add\n}\n"),
            normalised(b"fn f(){1+1}")
        );
        assert_ne!(normalised(b"fn f(){1+1}"), normalised(b"fn f(){1+2}"));
    }

    fn put(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_lesson_as_shipped_is_untouched_unless_shipped_solved() {
        let tmp = tempfile::tempdir().unwrap();
        let (wb, sub) = (tmp.path().join("wb"), tmp.path().join("sub"));
        let mut lesson = Lesson::for_tests("01_x");
        lesson.editable = vec![PathBuf::from("src/lib.rs")];
        let workbook = Workbook {
            root: wb.clone(),
            lessons: vec![lesson.clone()],
        };
        put(&wb, "exercises/01_x/src/lib.rs", "todo!()\n");
        put(&wb, "solutions/01_x/src/lib.rs", "42\n");
        put(&sub, "exercises/01_x/src/lib.rs", "todo!()\r\n");
        assert!(
            untouched(&workbook, &lesson, &sub, &wb),
            "line endings aside"
        );
        put(&sub, "exercises/01_x/src/lib.rs", "todo!() // started\n");
        assert!(!untouched(&workbook, &lesson, &sub, &wb));
        // Shipped solved (an instructor's copy with the answers): checked.
        put(&wb, "exercises/01_x/src/lib.rs", "42\n");
        put(&sub, "exercises/01_x/src/lib.rs", "42\n");
        assert!(!untouched(&workbook, &lesson, &sub, &wb));
    }

    #[test]
    fn flags_the_starting_point_explains_are_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let (sub, start) = (tmp.path().join("sub"), tmp.path().join("start"));
        let test = "exercises/01_x/tests/t.rs";
        put(&sub, test, "old test\n");
        put(&start, test, "old test\n");
        put(&sub, "csrc/x.c", "changed by the student\n");
        put(&start, "csrc/x.c", "as shipped\n");
        let flag = |kind, path: &str| Flag::new(kind, Some(Path::new(path)), "x".into());
        let flags = vec![
            flag(FlagKind::ProtectedFileChanged, test),
            flag(FlagKind::ProtectedFileChanged, "csrc/x.c"),
            // Added by the instructor after the template: absent from both.
            flag(FlagKind::ProtectedFileDeleted, "csrc/new.c"),
            flag(FlagKind::Suspicious, test),
        ];
        let kept: Vec<(FlagKind, Option<String>)> = relative_to_start(flags, &sub, &start)
            .into_iter()
            .map(|f| (f.kind, f.path))
            .collect();
        assert_eq!(
            kept,
            [
                (FlagKind::ProtectedFileChanged, Some("csrc/x.c".into())),
                (FlagKind::Suspicious, Some(test.into())),
            ]
        );
    }

    #[test]
    fn the_fingerprint_follows_the_checks_not_the_learners_files() {
        let tmp = tempfile::tempdir().unwrap();
        let wb = tmp.path().to_path_buf();
        let mut lesson = Lesson::for_tests("01_x");
        lesson.editable = vec![PathBuf::from("src/lib.rs")];
        let workbook = Workbook {
            root: wb.clone(),
            lessons: vec![lesson],
        };
        put(&wb, "exercises/01_x/src/lib.rs", "todo!()\n");
        put(&wb, "exercises/01_x/tests/t.rs", "assert!(true);\n");
        let first = fingerprint(&workbook);
        put(&wb, "exercises/01_x/src/lib.rs", "42\n");
        assert_eq!(
            fingerprint(&workbook),
            first,
            "the learner's file does not count"
        );
        put(&wb, "exercises/01_x/tests/t.rs", "assert!(true);\r\n");
        assert_eq!(fingerprint(&workbook), first, "nor line endings");
        put(&wb, "exercises/01_x/tests/t.rs", "assert!(false);\n");
        assert_ne!(fingerprint(&workbook), first, "a test does");
    }

    fn git_in(repo: &Path, args: &[&str]) {
        let status = Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(["-c", "user.name=S", "-c", "user.email=s@e"])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    /// The learner's repository names programs to run (a smudge filter, an
    /// fsmonitor, hooks): reading it runs none, and a repository that
    /// borrows another's objects is refused.
    #[test]
    fn a_learners_repository_runs_nothing_and_borrows_nothing() {
        if Command::new("git").arg("--version").output().is_err() {
            eprintln!("SKIPPED: git is not installed");
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        let marker = tmp.path().join("ran");
        put(&repo, "exercises/01_x/src/lib.rs", "42\n");
        put(&repo, ".gitattributes", "*.rs filter=evil\n");
        git_in(&repo, &["init", "-q"]);
        git_in(&repo, &["add", "-A"]);
        git_in(&repo, &["commit", "-q", "-m", "one"]);
        let run = format!("touch {}", marker.display());
        for (key, value) in [
            ("filter.evil.smudge", run.as_str()),
            ("filter.evil.clean", run.as_str()),
            ("core.fsmonitor", run.as_str()),
            ("log.showSignature", "true"),
            ("gpg.program", run.as_str()),
        ] {
            git_in(&repo, &["config", key, value]);
        }
        put(
            &repo,
            ".git/hooks/post-checkout",
            &format!("#!/bin/sh\n{run}\n"),
        );
        let trees = open(&repo, None, &tmp.path().join("out")).unwrap();
        assert_eq!(
            std::fs::read_to_string(trees.graded.join("exercises/01_x/src/lib.rs")).unwrap(),
            "42\n"
        );
        assert!(!marker.exists(), "the repository ran a program of its own");
        put(
            &repo,
            ".git/objects/info/alternates",
            "/elsewhere/objects\n",
        );
        let err = open(&repo, None, &tmp.path().join("out")).err().unwrap();
        assert!(err.contains("borrows from elsewhere"), "{err}");
    }

    #[test]
    fn workspace_paths_become_workbook_relative() {
        let text = "error at /c/ffi/grade-1/job-0/exercises/01_x/src/lib.rs:3";
        assert_eq!(
            workbook_relative(text, &[Path::new("/c/ffi/grade-1/job-0")]),
            "error at exercises/01_x/src/lib.rs:3"
        );
    }
}
