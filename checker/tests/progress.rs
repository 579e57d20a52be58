//! The learner's progress as the session keeps it: never lost by a status
//! run, never broken by checkers running at once, never in the way of a
//! verdict, and honest about lessons changed since they passed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use predicates::prelude::*;

use common::{course, solve};

fn progress_file(course: &Path) -> PathBuf {
    course.join(".workbook/progress.json")
}

#[test]
fn a_status_run_keeps_what_was_recorded_for_later_lessons() {
    let course = course("progress-status");
    solve(&course, "02_double");
    common::checker(&course)
        .args(["run", "2"])
        .assert()
        .success();
    // No terminal: the status stops at lesson 1, which fails...
    common::checker(&course)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Lesson 1/2: Greeting"));
    // ... and lesson 2's pass is still there.
    common::checker(&course)
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"2\s+double\s+Doubling\s+passed").unwrap())
        .stdout(predicate::str::contains("[#-] 1/2"));
}

#[test]
fn a_lesson_changed_since_it_passed_needs_a_recheck() {
    let course = course("progress-changed");
    solve(&course, "01_greet");
    common::checker(&course)
        .args(["run", "1"])
        .assert()
        .success();
    common::checker(&course)
        .arg("list")
        .assert()
        .stdout(predicate::str::is_match(r"1\s+greet\s+Greeting\s+passed").unwrap());

    let file = course.join("exercises/01_greet/src/lib.rs");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("\n// an edit after the pass\n");
    std::fs::write(&file, text).unwrap();
    common::checker(&course)
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("needs a re-check"))
        .stdout(predicate::str::contains("[--] 0/2"));

    // The next check decides.
    common::checker(&course)
        .args(["run", "1"])
        .assert()
        .success();
    common::checker(&course)
        .arg("list")
        .assert()
        .stdout(predicate::str::is_match(r"1\s+greet\s+Greeting\s+passed").unwrap());
}

#[test]
fn checkers_running_at_once_never_fail_on_the_progress_file() {
    let course = course("progress-concurrent");
    solve(&course, "01_greet");
    // Built once first, so the 48 runs below mostly wait on each other for
    // the progress file rather than for cargo.
    for lesson in ["1", "2"] {
        let _ = common::checker(&course).args(["run", lesson]).output();
    }
    let program = assert_cmd::cargo::cargo_bin("checker");
    let children: Vec<_> = (0..48)
        .map(|i| {
            std::process::Command::new(&program)
                .arg("--workbook")
                .arg(&course)
                .args(["--timeout", "20", "run", if i % 2 == 0 { "1" } else { "2" }])
                .env_remove("CARGO_TARGET_DIR")
                .env_remove("FFI_WORKBOOK_ROOT")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (i, child) in children.into_iter().enumerate() {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let (code, verdict) = if i % 2 == 0 {
            (0, "PASS passed")
        } else {
            (1, "FAIL panicked")
        };
        assert_eq!(
            output.status.code(),
            Some(code),
            "run {i}: {stdout}\n{stderr}"
        );
        assert!(stdout.contains(verdict), "run {i}: {stdout}");
        assert!(!stderr.contains("warning"), "run {i}: {stderr}");
    }
    let saved = std::fs::read_to_string(progress_file(&course)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&saved).unwrap();
    assert!(json["passed"]["greet"].is_string(), "{saved}");
    assert!(json["passed"].get("double").is_none(), "{saved}");
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(course.join(".workbook"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `run 1` on a solved lesson shows its verdict and exits 0 whatever is in
/// place of the progress file; stderr says what is wrong with it.
fn verdict_despite(course: &Path, warning: &str) {
    common::checker(course)
        .args(["run", "1"])
        .timeout(std::time::Duration::from_secs(300))
        .assert()
        .success()
        .stdout(predicate::str::contains("PASS passed"))
        .stderr(predicate::str::contains(warning));
}

#[test]
fn a_folder_in_place_of_the_progress_file_still_gives_the_verdict() {
    let course = course("progress-folder");
    solve(&course, "01_greet");
    std::fs::create_dir_all(progress_file(&course)).unwrap();
    std::fs::write(course.join(".workbook/progress.json.corrupt"), "old").unwrap();
    verdict_despite(&course, "it is a folder");
    assert!(progress_file(&course).is_dir(), "left alone");
}

#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_the_progress_file_never_hangs() {
    let course = course("progress-fifo");
    solve(&course, "01_greet");
    std::fs::create_dir_all(course.join(".workbook")).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(progress_file(&course))
        .status()
        .unwrap();
    assert!(status.success());
    verdict_despite(&course, "not a regular file");
}

#[test]
fn an_unwritable_progress_folder_still_gives_the_verdict() {
    let course = course("progress-unwritable");
    solve(&course, "01_greet");
    // A file where the folder should be: nothing can be saved, even as root.
    std::fs::write(course.join(".workbook"), "not a folder").unwrap();
    verdict_despite(&course, "could not be saved");
}

#[cfg(unix)]
#[test]
fn a_read_only_progress_folder_still_gives_the_verdict() {
    use std::os::unix::fs::PermissionsExt;
    let course = course("progress-read-only");
    solve(&course, "01_greet");
    let dir = course.join(".workbook");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        // Permissions do not stop root: the folder stays writable, and the
        // verdict must simply be saved.
        common::checker(&course)
            .args(["run", "1"])
            .assert()
            .success()
            .stdout(predicate::str::contains("PASS passed"));
    } else {
        verdict_despite(&course, "could not be saved");
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Lesson code that forges the progress file while it is checked (a pass
/// for every lesson, with the fingerprints of their current files) gains
/// nothing: only the checker records verdicts.
#[test]
fn lesson_code_cannot_record_passes() {
    let course = course("progress-forged");
    // Lesson 2 passed once, then was put back unsolved: no pass on record.
    let unsolved = std::fs::read(course.join("exercises/02_double/src/lib.rs")).unwrap();
    solve(&course, "02_double");
    common::checker(&course)
        .args(["run", "2"])
        .assert()
        .success();
    std::fs::write(course.join("exercises/02_double/src/lib.rs"), &unsolved).unwrap();
    common::checker(&course).args(["run", "2"]).assert().code(1);
    // Lesson 1's code writes a pass for both lessons into the progress file.
    let progress = progress_file(&course);
    let forged = r#"{"version": 2, "passed": {"greet": "FORGED", "double": "FORGED"}}"#;
    let forge = format!(
        "pub fn greeting(name: &str) -> String {{\n    \
         std::fs::write({progress:?}, {forged:?}).unwrap();\n    \
         format!(\"Hello, {{name}}!\")\n}}\n"
    );
    std::fs::write(course.join("exercises/01_greet/src/lib.rs"), forge).unwrap();
    let before = std::fs::read_to_string(&progress).unwrap();
    common::checker(&course)
        .args(["run", "1"])
        .assert()
        .stdout(predicate::str::contains(
            ".workbook/progress.json was changed while the lesson's code ran",
        ));
    let after = std::fs::read_to_string(&progress).unwrap();
    assert!(!after.contains("FORGED"), "{after}");
    assert!(
        !after.contains("\"double\""),
        "lesson 2 never passed: {after}\n(before: {before})"
    );
}

/// A FIFO in place of a lesson file gets a clear message from every
/// command that reads it, and hangs none of them.
#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_a_lesson_file_is_named_and_hangs_nothing() {
    let course = course("progress-fifo-lesson");
    let file = course.join("exercises/01_greet/src/lib.rs");
    std::fs::remove_file(&file).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&file)
            .status()
            .unwrap()
            .success()
    );
    common::checker_with_timeout(&course, 60)
        .arg("list")
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success()
        .stdout(predicate::str::contains("greet"));
    common::checker_with_timeout(&course, 60)
        .args(["run", "1"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL compile error"))
        .stdout(predicate::str::contains(
            "exercises/01_greet/src/lib.rs is not a file (a FIFO, a socket or a device)",
        ));
}
