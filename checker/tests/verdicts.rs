//! Each kind of learner mistake gets its own verdict: one fixture lesson per
//! kind (tests/fixtures/verdicts), checked through the real CLI.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use predicates::prelude::*;

/// One copy of the fixture shared by these tests (each checks its own lesson).
fn fixture() -> &'static PathBuf {
    static COPY: OnceLock<PathBuf> = OnceLock::new();
    COPY.get_or_init(|| common::fresh_copy(&common::verdicts_fixture(), "verdicts-run"))
}

fn run(lesson: &str) -> assert_cmd::assert::Assert {
    common::checker(fixture()).args(["run", lesson]).assert()
}

#[test]
fn a_correct_lesson_passes_and_shows_the_program_output() {
    run("passes")
        .success()
        .stdout(predicate::str::contains("PASS passed"))
        .stdout(predicate::str::contains("the answer is 42"))
        .stdout(predicate::str::contains("solutions/01_passes"));
}

#[test]
fn a_type_error_is_a_compile_error_with_the_compilers_message() {
    let assert = run("2");
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert_eq!(
        stdout.matches("error[E0308]").count(),
        1,
        "each error is shown once, though cargo compiles the library twice:\n{stdout}"
    );
    assert
        .code(1)
        .stdout(predicate::str::contains("FAIL compile error"))
        .stdout(predicate::str::contains("error[E0308]: mismatched types"))
        .stdout(predicate::str::contains(
            "exercises/02_compile_error/src/lib.rs:1",
        ));
}

#[test]
fn a_wrong_value_fails_the_checks_with_the_assertion() {
    run("failed")
        .code(1)
        .stdout(predicate::str::contains("FAIL checks failed"))
        .stdout(predicate::str::contains("the answer should be 42"))
        .stdout(predicate::str::contains("left: 41"));
}

#[test]
fn a_todo_in_the_program_is_a_panic_located_in_the_learners_code() {
    run("panic")
        .code(1)
        .stdout(predicate::str::contains("FAIL panicked"))
        .stdout(predicate::str::contains("while running your program"))
        .stdout(predicate::str::contains(
            "not yet implemented: compute the answer",
        ));
}

#[test]
fn a_todo_reached_from_the_checks_is_still_the_learners_panic() {
    run("panic_in_checks")
        .code(1)
        .stdout(predicate::str::contains("FAIL panicked"))
        .stdout(predicate::str::contains("while running the checks"))
        .stdout(predicate::str::contains("09_panic_in_checks/src/lib.rs"));
}

#[test]
fn a_null_pointer_write_is_a_segfault_with_ffi_advice() {
    run("segfault")
        .code(1)
        .stdout(predicate::str::contains("crashed: SIGSEGV"))
        .stdout(predicate::str::contains("null or dangling pointer"))
        .stdout(predicate::str::contains("before the crash"));
}

#[test]
fn a_crash_inside_the_checks_is_reported_as_such() {
    run("crash_in_checks")
        .code(1)
        .stdout(predicate::str::contains("crashed: SIGSEGV"))
        .stdout(predicate::str::contains("while running the checks"));
}

#[test]
fn an_abort_is_its_own_crash() {
    run("abort")
        .code(1)
        .stdout(predicate::str::contains("crashed: SIGABRT"))
        .stdout(predicate::str::contains("past the end of a buffer"));
}

#[test]
fn an_endless_loop_times_out() {
    run("timeout")
        .code(1)
        .stdout(predicate::str::contains("timed out after 5 s"))
        .stdout(predicate::str::contains("endless loop"));
}

#[test]
fn flooding_output_is_stopped_and_capped() {
    let assert = run("flood")
        .code(1)
        .stdout(predicate::str::contains("printed more than 256 KiB"));
    // What is shown is cut to a screenful, never the whole flood.
    assert!(assert.get_output().stdout.len() < 16 * 1024);
}

#[test]
fn broken_c_is_shown_with_the_c_compilers_message() {
    run("c_error")
        .code(1)
        .stdout(predicate::str::contains("FAIL C build failed"))
        .stdout(predicate::str::contains("'undeclared_factor' undeclared"));
}

#[test]
fn the_c_a_lesson_needs_is_built_before_its_program_runs() {
    run("needs_c")
        .success()
        .stdout(predicate::str::contains("found "));
}

#[test]
fn a_missing_c_compiler_is_an_environment_error_that_says_what_to_install() {
    let copy = common::fresh_copy(&common::verdicts_fixture(), "verdicts-no-cc");
    common::checker(&copy)
        .arg("build-c")
        .env("CC", "/nonexistent/bin/cc")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("No C compiler was found"))
        .stderr(predicate::str::contains("apt install build-essential"));
}

/// The checker on a machine whose PATH has only what `keep` accepts, in a
/// fresh copy of the fixture (nothing of it built yet, so nothing is
/// already there that the missing tool would have made).
fn run_without(copy: &str, keep: impl Fn(&str) -> bool, args: &[&str]) -> (Option<i32>, String) {
    let copy = common::fresh_copy(&common::verdicts_fixture(), copy);
    let bin = common::bin_dir_with(keep);
    let output = common::checker(&copy)
        .args(args)
        .env("PATH", bin.path())
        .env_remove("CC")
        .output()
        .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), printed)
}

/// The machine's fault: exit 2, what to install, and nothing that sends the
/// learner to their code.
fn assert_machine_fault(code: Option<i32>, printed: &str, says: &str) {
    assert_eq!(
        code,
        Some(2),
        "an environment error exits 2. It printed:\n{printed}"
    );
    assert!(printed.contains("FAIL cannot run here"), "{printed}");
    assert!(
        printed.contains(says),
        "it should say `{says}`. It printed:\n{printed}"
    );
    assert!(printed.contains("build-essential"), "{printed}");
    for not in ["Edit:", "hint", "Stuck?"] {
        assert!(
            !printed.contains(not),
            "the machine's fault must not send the learner to their code (`{not}`):\n{printed}"
        );
    }
}

#[test]
fn no_c_compiler_on_path_is_an_environment_error_exit_2() {
    let (code, printed) = run_without(
        "verdicts-path-no-cc",
        common::rust_only,
        &["run", "needs_c"],
    );
    assert_machine_fault(code, &printed, "No C compiler was found");
}

#[test]
fn no_linker_on_path_is_an_environment_error_exit_2() {
    let (code, printed) = run_without("verdicts-path-no-ld", common::rust_only, &["run", "passes"]);
    assert_machine_fault(code, &printed, "Rust needs a linker");
}

#[test]
fn the_status_and_verify_exit_2_for_the_machines_fault_too() {
    let (code, printed) = run_without("verdicts-path-status", common::rust_only, &[]);
    assert_machine_fault(code, &printed, "Rust needs a linker");
    let (code, printed) = run_without("verdicts-path-verify", common::rust_only, &["verify"]);
    assert_eq!(
        code,
        Some(2),
        "verify exits 2 for the machine's fault:\n{printed}"
    );
    // Lesson 2's compile error is found before linking: still the learner's.
    let first = printed
        .split("Lesson 1/14")
        .nth(1)
        .and_then(|rest| rest.split("Lesson 2/14").next())
        .unwrap_or_else(|| panic!("lesson 1's verdict is shown:\n{printed}"));
    assert!(first.contains("Rust needs a linker"), "{printed}");
    assert!(!first.contains("Edit:"), "{printed}");
}

#[test]
fn a_lesson_without_checks_never_passes() {
    run("no_checks")
        .code(2)
        .stdout(predicate::str::contains("FAIL cannot run here"))
        .stdout(predicate::str::contains("has no checks"));
}

#[test]
fn a_failing_build_script_is_the_learners_compile_error() {
    run("build_script_panics")
        .code(1)
        .stdout(predicate::str::contains("FAIL compile error"))
        .stdout(predicate::str::contains(
            "the learner's build.rs went wrong",
        ));
}

#[test]
fn a_broken_workspace_is_an_environment_error_not_the_learners() {
    let copy = common::fresh_copy(&common::verdicts_fixture(), "verdicts-broken-lock");
    std::fs::write(copy.join("Cargo.lock"), "<<<<<<< conflict\n").unwrap();
    common::checker(&copy)
        .args(["run", "passes"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("FAIL cannot run here"))
        .stdout(predicate::str::contains(
            "cargo could not build the workspace",
        ))
        .stdout(predicate::str::contains("lock file"));
}

/// Ctrl-C on the checker must not leave an endless loop running: learner
/// programs run in their own process group, which the terminal's Ctrl-C does
/// not reach, so the checker kills them itself.
#[cfg(unix)]
#[test]
fn interrupting_the_checker_stops_the_learners_program() {
    use std::time::{Duration, Instant};

    let copy = common::fresh_copy(&common::verdicts_fixture(), "verdicts-interrupt");
    // Its own target folder, so the program's path is unique to this test.
    let target = copy.join("target");
    let program = target.join("debug").join("timeout");
    let mut checker = std::process::Command::new(assert_cmd::cargo::cargo_bin("checker"))
        .arg("--workbook")
        .arg(&copy)
        .args(["--timeout", "120", "run", "timeout"])
        .env("CARGO_TARGET_DIR", &target)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let running = || {
        std::process::Command::new("pgrep")
            .arg("-f")
            .arg(&program)
            .output()
            .map(|out| out.status.success())
            .unwrap_or(false)
    };
    let start = Instant::now();
    while !running() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the program never started"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // SAFETY: sends SIGINT to the checker we spawned.
    unsafe { libc::kill(checker.id() as libc::pid_t, libc::SIGINT) };
    let status = checker.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !running(),
        "the learner's endless loop outlived the checker"
    );
}
