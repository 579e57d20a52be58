//! Grading as a class is run: lessons not started told from crashes, git
//! submissions graded at a deadline against their own first commit, the
//! same report from two gradings, a regraded student replacing their row,
//! lesson subsets, and the housekeeping around it (`clean`, messages).
//!
//! Grades against the fixture workbook in tests/fixtures/grading, in the
//! work folder tests/grade.rs uses (batches take turns through its lock),
//! so the dependencies compile once for both.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use common::{copy_dir, grading_fixture, solved_clone as solved, submission, verdicts, write};

fn work_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("grade-work")
}

fn grade(args: &[&str]) -> assert_cmd::assert::Assert {
    let mut command = Command::cargo_bin("checker").unwrap();
    command
        .arg("--workbook")
        .arg(grading_fixture())
        .args(["--timeout", "3", "grade", "--work-dir"])
        .arg(work_dir());
    if !common::tool_available("bwrap", "grading in the sandbox (these run unconfined)") {
        command.arg("--unconfined");
    }
    command
        .args(args)
        .env_remove("CARGO_TARGET_DIR")
        .timeout(std::time::Duration::from_secs(900))
        .assert()
}

fn clone_of(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    copy_dir(&grading_fixture(), &path);
    path
}

/// Lesson `dir`'s reference files copied over the exercise in `root`.
fn solve(root: &Path, dir: &str) {
    copy_dir(
        &root.join("solutions").join(dir),
        &root.join("exercises").join(dir),
    );
}

fn git(repo: &Path, args: &[&str], date: &str) -> String {
    let output = Std::new("git")
        .arg("-C")
        .arg(repo)
        .args(["-c", "user.name=Student", "-c", "user.email=s@example.com"])
        .args(args)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_DATE", date)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

fn commit(repo: &Path, message: &str, date: &str) -> String {
    git(repo, &["add", "-A"], date);
    git(repo, &["commit", "-q", "-m", message], date);
    git(repo, &["rev-parse", "HEAD"], date)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A report without what two gradings may differ in: the timings, and the
/// probes' seed, which each batch draws afresh (so no learner can know it).
fn without_timings(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("seconds");
            map.remove("median_seconds");
            map.remove("probe_seed");
            map.values_mut().for_each(without_timings);
        }
        Value::Array(items) => items.iter_mut().for_each(without_timings),
        _ => {}
    }
}

fn flags_of(sub: &Value, kind: &str) -> Vec<String> {
    (sub["flags"].as_array().unwrap().iter())
        .filter(|f| f["kind"] == kind)
        .map(|f| f["path"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_class_graded_twice_at_a_deadline_gives_one_traceable_report() {
    let tmp = tempfile::tempdir().unwrap();
    let class = tmp.path().join("class");
    std::fs::create_dir(&class).unwrap();

    let untouched = clone_of(&class, "untouched");
    let partly = clone_of(&class, "partly");
    solve(&partly, "01_answer");
    // The same code, laid out and commented differently.
    let copy_a = solved(&class, "copy_a");
    let copy_b = solved(&class, "copy_b");
    write(
        &copy_b,
        "exercises/01_answer/src/lib.rs",
        "// mine\npub fn answer()   -> i32 {\n\n42 }\n",
    );
    let broken = clone_of(&class, "broken");
    write(
        &broken,
        "exercises/01_answer/src/lib.rs",
        "pub fn answer( -> i32 {",
    );

    // A student's repository: its template (an older copy of the course,
    // whose lesson 1 test has a comment the instructor's has since lost),
    // lesson 1 solved before the deadline, lesson 2 after.
    let repo = clone_of(&class, "repo");
    let test_file = "exercises/01_answer/tests/check.rs";
    let older = format!(
        "// as the template had it\n{}",
        std::fs::read_to_string(repo.join(test_file)).unwrap()
    );
    write(&repo, test_file, &older);
    git(&repo, &["init", "-q"], "2026-01-01T09:00:00Z");
    let start = commit(&repo, "template", "2026-01-01T09:00:00Z");
    solve(&repo, "01_answer");
    let before = commit(&repo, "lesson 1", "2026-01-10T12:00:00Z");
    solve(&repo, "02_greeting");
    let after = commit(&repo, "lesson 2", "2026-01-20T12:00:00Z");
    assert_ne!(before, after);
    // The same files with no history (copy_dir leaves .git out): the old
    // test comment is a change.
    let files = class.join("files");
    copy_dir(&repo, &files);
    let _ = std::fs::remove_dir_all(files.join(".git"));

    let subs: Vec<String> = [
        &untouched, &partly, &copy_a, &copy_b, &broken, &repo, &files,
    ]
    .iter()
    .map(|p| p.to_string_lossy().into_owned())
    .collect();
    let out = |name: &str| tmp.path().join(name).to_string_lossy().into_owned();
    let mut graded = Vec::new();
    for run in ["first.json", "second.json"] {
        let mut args = vec!["--before", "2026-01-15T00:00Z", "--out"];
        let path = out(run);
        args.push(&path);
        args.extend(subs.iter().map(String::as_str));
        grade(&args).success().stderr(predicate::str::contains(
            "--before 2026-01-15T00:00Z: 6 of the submissions have no git history",
        ));
        graded.push(read_json(Path::new(&path)));
    }
    let report = graded[0].clone();

    // Not started is not crashed, and it is counted apart.
    let untried = ["not_attempted", "not_attempted", "not_attempted"];
    assert_eq!(verdicts(submission(&report, "untouched")), untried);
    assert_eq!(submission(&report, "untouched")["score"], 0);
    assert_eq!(
        verdicts(submission(&report, "partly")),
        ["passed", "not_attempted", "not_attempted"]
    );
    assert_eq!(
        verdicts(submission(&report, "broken")),
        ["compile_error", "not_attempted", "not_attempted"]
    );
    let summary = &report["summary"]["lessons"];
    assert_eq!(summary[1]["not_attempted"], 4, "{summary:#}");
    assert_eq!(summary[0]["not_attempted"], 1);
    assert_eq!(summary[0]["attempted"], 6);

    // The repository is graded at its last commit before the deadline,
    // against its own first commit: the template's old comment is not the
    // student's change; without the history it looks like one.
    let repo_sub = submission(&report, "repo");
    assert_eq!(
        verdicts(repo_sub),
        ["passed", "not_attempted", "not_attempted"]
    );
    assert_eq!(repo_sub["git"]["commit"], before.as_str());
    assert_eq!(repo_sub["git"]["start"], start.as_str());
    assert!(
        repo_sub["git"]["date"]
            .as_str()
            .unwrap()
            .starts_with("2026-01-10T12:00:00"),
        "{repo_sub:#}"
    );
    assert!(
        flags_of(repo_sub, "protected_file_changed").is_empty(),
        "{repo_sub:#}"
    );
    let files_sub = submission(&report, "files");
    assert_eq!(verdicts(files_sub), ["passed", "passed", "not_attempted"]);
    assert_eq!(flags_of(files_sub, "protected_file_changed"), [test_file]);
    assert!(files_sub["git"].is_null());
    assert_eq!(report["before"], "2026-01-15T00:00Z");

    // Provenance: the grader, the checks' fingerprint, on the batch and on
    // every submission.
    let checks = report["checks"].as_str().unwrap();
    assert!(checks.starts_with("fnv1a64:"), "{checks}");
    assert!(report["grader"].as_str().unwrap().starts_with("checker "));
    for sub in report["submissions"].as_array().unwrap() {
        assert_eq!(sub["checks"], checks);
    }
    // The same code, reformatted, has the same hash; other code another.
    let hash = |name: &str| submission(&report, name)["files_hash"].clone();
    assert_eq!(hash("copy_a"), hash("copy_b"));
    assert_ne!(hash("copy_a"), hash("partly"));
    // The compile error names its file relative to the workbook, not the
    // grading workspace; failed checks are listed by name elsewhere.
    let broken_l1 = &submission(&report, "broken")["lessons"][0];
    let feedback = broken_l1["feedback"].as_str().unwrap();
    assert!(
        feedback.contains("exercises/01_answer/src/lib.rs"),
        "{feedback}"
    );
    let work = work_dir().canonicalize().unwrap();
    for sub in report["submissions"].as_array().unwrap() {
        for lesson in sub["lessons"].as_array().unwrap() {
            for key in ["detail", "feedback"] {
                let text = lesson[key].as_str().unwrap();
                assert!(
                    !text.contains(&*work.to_string_lossy()) && !text.contains("job-0/"),
                    "{}: {text}",
                    sub["name"]
                );
            }
        }
    }

    // Graded twice, the reports are the same, timings aside.
    let (mut a, mut b) = (graded[0].clone(), graded[1].clone());
    without_timings(&mut a);
    without_timings(&mut b);
    assert_eq!(a, b);

    // A regraded student replaces their row; the rest stay as they were.
    solve(&partly, "02_greeting");
    let regrade = out("partly.json");
    let partly_path = partly.to_string_lossy().into_owned();
    grade(&[
        "--before",
        "2026-01-15T00:00Z",
        "--out",
        &regrade,
        &partly_path,
    ])
    .success();
    let merged = out("merged.json");
    let first = out("first.json");
    Command::cargo_bin("checker")
        .unwrap()
        .args(["merge", &first, "--replace", &regrade, "--out", &merged])
        .assert()
        .success()
        .stderr(predicate::str::contains("Replaced partly"));
    let merged = read_json(Path::new(&merged));
    assert_eq!(
        verdicts(submission(&merged, "partly")),
        ["passed", "passed", "not_attempted"]
    );
    assert_eq!(submission(&merged, "repo"), submission(&report, "repo"));
    assert_eq!(merged["submissions"].as_array().unwrap().len(), subs.len());
}

#[test]
fn a_lesson_subset_is_graded_alone_and_bad_requests_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let alice = solved(tmp.path(), "alice");
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let wrong = tmp.path().join("wrong_layout");
    write(&wrong, "homework/src/lib.rs", "pub fn x() {}\n");
    let json = tmp
        .path()
        .join("subset.json")
        .to_string_lossy()
        .into_owned();
    let (alice, empty_s, wrong_s) = (
        alice.to_string_lossy().into_owned(),
        empty.to_string_lossy().into_owned(),
        wrong.to_string_lossy().into_owned(),
    );
    grade(&[
        "--lessons",
        "2-3",
        "--out",
        &json,
        &alice,
        &empty_s,
        &wrong_s,
    ])
    .success();
    let report = read_json(Path::new(&json));
    let numbers: Vec<u64> = (report["lessons"].as_array().unwrap().iter())
        .map(|l| l["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 3]);
    assert_eq!(report["max_score"], 2);
    assert_eq!(verdicts(submission(&report, "alice")), ["passed", "passed"]);
    // What was found, said.
    let error = |name: &str| {
        submission(&report, name)["error"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        error("empty").contains("the submission is empty"),
        "{}",
        error("empty")
    );
    assert!(
        error("wrong_layout").contains("found: homework/ (holding src/)"),
        "{}",
        error("wrong_layout")
    );

    grade(&["--lessons", "2-9", &alice])
        .code(2)
        .stderr(predicate::str::contains("there is no lesson 4"));
    grade(&["--lessons", "two", &alice])
        .code(2)
        .stderr(predicate::str::contains("write lesson numbers and ranges"));
    grade(&["--before", "next friday", &alice])
        .code(2)
        .stderr(predicate::str::contains("is not a deadline"));
    grade(&["--format", "gradescope", &alice, &empty_s])
        .code(2)
        .stderr(predicate::str::contains("one submission at a time"));
    let html = tmp.path().join("class.html").to_string_lossy().into_owned();
    if cfg!(feature = "class-report") {
        grade(&["--lessons", "2", "--out", &html, &alice]).success();
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(page.contains("<svg") && page.contains(">alice<"), "{page}");
    } else {
        grade(&["--out", &html, &alice])
            .code(2)
            .stderr(predicate::str::contains("--features class-report"));
    }
}

#[test]
fn clean_lists_and_removes_only_grading_work_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    write(&work, "job-0/target/big", &"x".repeat(5000));
    write(&work, ".lock", "");
    let other = tmp.path().join("photos");
    write(&other, "cat.jpg", "meow");
    let clean = |dir: &Path, dry: bool| {
        let mut command = Command::cargo_bin("checker").unwrap();
        command.arg("clean").arg("--work-dir").arg(dir);
        if dry {
            command.arg("--dry-run");
        }
        command.assert()
    };
    clean(&other, false)
        .code(2)
        .stderr(predicate::str::contains("is not a grading work folder"));
    assert!(other.join("cat.jpg").exists());
    clean(&work, true)
        .success()
        .stdout(predicate::str::contains("5.0 kB"))
        .stdout(predicate::str::contains("would be removed"));
    assert!(work.exists());
    clean(&work, false)
        .success()
        .stdout(predicate::str::contains("Freed 5.0 kB in 1 folder"));
    assert!(!work.exists());
}
