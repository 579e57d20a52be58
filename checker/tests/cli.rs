//! The checker's command line, as learners and scripts use it: listing,
//! hints, texts, the one-shot status, verify's exit codes, reset and the
//! progress file. Runs against a two-lesson fixture course.

mod common;

use std::path::Path;

use predicates::prelude::*;

use common::{course, solve};

#[test]
fn list_shows_every_lesson_and_rebuilds_missing_progress() {
    let course = course("cli-list");
    common::checker(&course)
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("[--] 0/2"))
        .stdout(predicate::str::is_match(r"1\s+greet\s+Greeting\s+current").unwrap())
        .stdout(predicate::str::is_match(r"2\s+double\s+Doubling\s+to do").unwrap());
    assert!(course.join(".workbook/progress.json").is_file());
}

#[test]
fn a_corrupted_progress_file_is_set_aside_and_rebuilt() {
    let course = course("cli-corrupt");
    solve(&course, "01_greet");
    std::fs::create_dir_all(course.join(".workbook")).unwrap();
    std::fs::write(course.join(".workbook/progress.json"), "{\"passed\": [tru").unwrap();
    common::checker(&course)
        .arg("list")
        .assert()
        .success()
        .stderr(predicate::str::contains("could not be read"))
        .stdout(predicate::str::contains("[#-] 1/2"))
        .stdout(predicate::str::is_match(r"greet\s+Greeting\s+passed").unwrap());
    assert!(course.join(".workbook/progress.json.corrupt").is_file());
}

#[test]
fn hints_and_texts_by_number_or_name() {
    let course = course("cli-hint");
    common::checker(&course)
        .args(["hint", "2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("The double hint"));
    common::checker(&course)
        .args(["lesson", "greet"])
        .assert()
        .success()
        .stdout(predicate::str::contains("The text of the greet lesson."));
}

#[test]
fn an_unknown_lesson_is_a_usage_error_listing_the_lessons() {
    let course = course("cli-unknown");
    common::checker(&course)
        .args(["hint", "99"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("there is no lesson `99`"))
        .stderr(predicate::str::contains("1 (greet), 2 (double)"));
    common::checker(&course).arg("frobnicate").assert().code(2);
}

#[test]
fn not_a_workbook_is_a_clear_error() {
    let empty = tempfile::tempdir().unwrap();
    common::checker(empty.path())
        .arg("list")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no exercises/ folder"));
}

#[test]
fn without_a_terminal_the_status_is_printed_once_with_exit_codes() {
    let course = course("cli-status");
    common::checker(&course)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FFI Workbook [--] 0/2"))
        .stdout(predicate::str::contains(
            "Lesson 1/2: Greeting (exercises/01_greet)",
        ))
        .stdout(predicate::str::contains("FAIL panicked"))
        .stdout(predicate::str::contains("greet Ada"));

    solve(&course, "01_greet");
    common::checker(&course)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("PASS lesson 1 (greet)"))
        .stdout(predicate::str::contains("[#-] 1/2"))
        .stdout(predicate::str::contains("Lesson 2/2: Doubling"));

    solve(&course, "02_double");
    common::checker(&course)
        .assert()
        .success()
        .stdout(predicate::str::contains("[##] 2/2"))
        .stdout(predicate::str::contains("Every lesson passes"));
}

#[test]
fn verify_fails_untouched_and_passes_solutions_without_touching_exercises() {
    let course = course("cli-verify");
    let exercise = course.join("exercises/01_greet/src/lib.rs");
    let before = std::fs::read(&exercise).unwrap();
    common::checker(&course)
        .arg("verify")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL  1 greet"))
        .stdout(predicate::str::contains("0 of 2 lessons pass"));
    common::checker(&course)
        .args(["verify", "--solutions"])
        .assert()
        .success()
        .stdout(predicate::str::contains("PASS  1 greet"))
        .stdout(predicate::str::contains("PASS  2 double"))
        .stdout(predicate::str::contains("2 of 2 reference solutions pass"));
    assert_eq!(
        std::fs::read(&exercise).unwrap(),
        before,
        "exercises are untouched"
    );
}

fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn reset_restores_the_original_and_keeps_the_learners_version() {
    let course = course("cli-reset");
    git(&course, &["init", "-q"]);
    git(&course, &["add", "-A"]);
    git(&course, &["commit", "-qm", "course"]);
    let exercise = course.join("exercises/01_greet/src/lib.rs");
    let original = std::fs::read_to_string(&exercise).unwrap();
    std::fs::write(&exercise, "// my own attempt\n").unwrap();

    // Without a terminal to confirm in, reset refuses unless told --yes.
    common::checker(&course)
        .args(["reset", "greet"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    assert_eq!(
        std::fs::read_to_string(&exercise).unwrap(),
        "// my own attempt\n"
    );

    let assert = common::checker(&course)
        .args(["reset", "greet", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Your version was saved in"));
    assert_eq!(std::fs::read_to_string(&exercise).unwrap(), original);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let backup_dir = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Your version was saved in "))
        .unwrap();
    let backup = Path::new(backup_dir).join("exercises/01_greet/src/lib.rs");
    assert_eq!(
        std::fs::read_to_string(backup).unwrap(),
        "// my own attempt\n"
    );
}

#[test]
fn reset_without_git_history_says_why_and_changes_nothing() {
    let course = course("cli-reset-nogit");
    let exercise = course.join("exercises/01_greet/src/lib.rs");
    std::fs::write(&exercise, "// mine\n").unwrap();
    common::checker(&course)
        .args(["reset", "1", "--yes"])
        .env("GIT_CEILING_DIRECTORIES", course.parent().unwrap())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a git clone"));
    assert_eq!(std::fs::read_to_string(&exercise).unwrap(), "// mine\n");
}

/// Grading on a machine with no C compiler (nor linker: `cc` is both) says
/// so and exits 2: the machine's fault, never a learner's grade.
#[test]
fn grading_without_a_c_compiler_is_an_environment_error_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("workbook");
    common::copy_dir(&common::grading_fixture(), &workbook);
    let bin = common::bin_dir_with(common::rust_only);
    common::checker(&workbook)
        .arg("grade")
        .arg(&workbook)
        .arg("--unconfined")
        .arg("--work-dir")
        .arg(dir.path().join("work"))
        .env("PATH", bin.path())
        .env_remove("CC")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("No C compiler was found"))
        .stderr(predicate::str::contains("build-essential"))
        .stderr(predicate::str::contains("not the learners' fault"));
}
