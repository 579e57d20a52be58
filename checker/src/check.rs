//! Checks one lesson: build its C, compile its crate and tests with a single
//! cargo call, run its program, run its tests, and turn what happened into a
//! verdict with the part of the output that matters.
//!
//! Learner code only ever runs in child processes (see process.rs), so a
//! segfault or an endless loop in it can never take the checker down.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cargo_metadata::Message;
use cargo_metadata::diagnostic::DiagnosticLevel;

use crate::c_build::{self, CBuildError};
use crate::process::{self, Ending, Limits, RunOutput};
use crate::verdict::{Report, Stage, Verdict};
use crate::workbook::Lesson;

/// Where and how to check: one per workbook copy (the learner's, a scratch
/// copy of the solutions, a submission being graded).
#[derive(Debug, Clone)]
pub struct CheckEnv {
    /// The workspace root of the copy being checked.
    pub root: PathBuf,
    /// Where the C artifacts are built and found.
    pub c_dir: PathBuf,
    /// Where lesson programs write the files they make.
    pub out_dir: PathBuf,
    /// A shared cargo target folder, so dependencies compile once.
    pub target_dir: Option<PathBuf>,
    /// Limits for the learner's program and the lesson's tests.
    pub limits: Limits,
    /// How long cargo may take to compile.
    pub build_timeout: Duration,
    /// Ask cargo for coloured diagnostics.
    pub color: bool,
    /// Let insta write `.snap.new` files for differing snapshots (authors' review).
    pub write_new_snapshots: bool,
}

/// The most of a run's output we show before cutting it.
const SHOWN_LINES: usize = 80;

impl CheckEnv {
    /// The usual environment for the learner's own workbook at `root`.
    pub fn for_workbook(root: &Path, limits: Limits) -> CheckEnv {
        CheckEnv {
            root: root.to_path_buf(),
            c_dir: root.join("build"),
            out_dir: root.join("build").join("output"),
            target_dir: None,
            limits,
            build_timeout: Duration::from_secs(900),
            color: false,
            write_new_snapshots: false,
        }
    }

    /// The same environment for a copy of the workbook at `root`: its own C
    /// and output folders, and `target_dir` for cargo (a copy never shares
    /// the learner's target folder: cargo names a path package's artifacts
    /// relative to its workspace, so two copies would reuse each other's).
    pub fn in_copy(&self, root: &Path, target_dir: PathBuf) -> CheckEnv {
        CheckEnv {
            root: root.to_path_buf(),
            c_dir: root.join("build"),
            out_dir: root.join("build").join("output"),
            target_dir: Some(target_dir),
            ..self.clone()
        }
    }

    fn cargo(&self) -> Command {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command.current_dir(&self.root);
        if let Some(target) = &self.target_dir {
            command.env("CARGO_TARGET_DIR", target);
        }
        self.learner_env(&mut command);
        command
    }

    /// The environment every learner-code process gets.
    fn learner_env(&self, command: &mut Command) {
        command
            .env(workbook_support::C_DIR_ENV, &self.c_dir)
            .env(workbook_support::OUTPUT_DIR_ENV, &self.out_dir)
            .env("RUST_BACKTRACE", "0")
            // Snapshots are compared, never written or waved through: a learner's
            // environment must not be able to turn a mismatch into a pass.
            .env_remove("INSTA_FORCE_PASS")
            .env_remove("INSTA_UPDATE")
            .env_remove("INSTA_SNAPSHOT_PATH")
            .env(
                "INSTA_UPDATE",
                if self.write_new_snapshots {
                    "new"
                } else {
                    "no"
                },
            )
            .env("INSTA_WORKSPACE_ROOT", &self.root)
            .env("LC_ALL", "C");
        if !self.color {
            command.env("NO_COLOR", "1").env("CLICOLOR_FORCE", "0");
        }
        // On Windows, PATH: how a program finds the C's DLLs (there is no rpath).
        command.envs(c_build::library_search_env(&self.c_dir));
    }
}

/// Runs every step of the check for `lesson` and reports the first problem.
pub fn check_lesson(env: &CheckEnv, lesson: &Lesson) -> Report {
    let start = Instant::now();
    let mut report = run_steps(env, lesson);
    report.elapsed = start.elapsed();
    report
}

fn report(verdict: Verdict, details: impl Into<String>) -> Report {
    Report {
        verdict,
        details: details.into(),
        program_output: None,
        elapsed: Duration::ZERO,
    }
}

fn run_steps(env: &CheckEnv, lesson: &Lesson) -> Report {
    // 1. The C this lesson calls.
    if let Err(err) = c_build::build_all(&env.root.join("csrc"), &env.c_dir, &lesson.c_needs) {
        let verdict = match err {
            CBuildError::Compile { .. } => Verdict::CBuildFailed,
            CBuildError::MissingSource(_) => Verdict::CBuildFailed,
            CBuildError::NoCompiler(_) | CBuildError::Io(_) => Verdict::Environment,
        };
        return report(verdict, err.to_string());
    }

    // 2. One cargo call compiles the crate, its program and its tests.
    let artifacts = match compile(env, lesson) {
        Ok(artifacts) => artifacts,
        Err(report) => return report,
    };

    // 3. The learner's program. When it crashes or reports an error, the
    // checks still run: their messages say what is wrong far more precisely
    // than a signal or an exit code does.
    let mut program_output = None;
    let mut program_failure: Option<Report> = None;
    if let Some(program) = &artifacts.program {
        let mut command = Command::new(program);
        command.current_dir(lesson.exercise_dir(&env.root));
        env.learner_env(&mut command);
        let run = match process::run(&mut command, env.limits) {
            Ok(run) => run,
            Err(err) => {
                return report(
                    Verdict::Environment,
                    format!("Could not start {}: {err}", program.display()),
                );
            }
        };
        match abnormal_ending(&run, Stage::Program, env.limits, |run| {
            run.stderr.contains("panicked at")
        }) {
            None => program_output = Some(run.stdout),
            Some(verdict) => {
                let mut shown = String::new();
                append_section(&mut shown, "Your program printed", &run.stdout);
                append_section(&mut shown, "On stderr", &run.stderr);
                // A panic already names its line (usually a `todo!()` the checks
                // would only hit again); a hang or a flood they would repeat.
                if matches!(
                    verdict,
                    Verdict::Panicked { .. } | Verdict::TimedOut { .. } | Verdict::Flooded { .. }
                ) {
                    return report(verdict, shown);
                }
                program_failure = Some(report(verdict, shown));
            }
        }
    }

    // 4. The lesson's checks.
    let checks = run_checks(env, lesson, &artifacts.tests);
    match (program_failure, checks) {
        (None, None) => {
            let mut passed = report(Verdict::Passed, String::new());
            passed.program_output = program_output;
            passed
        }
        (None, Some(mut failed)) => {
            failed.program_output = program_output;
            failed
        }
        // A crash of the program is the verdict; what the checks
        // found comes after it.
        (Some(mut failure), Some(failed))
            if !matches!(failure.verdict, Verdict::ExitedWithError { .. }) =>
        {
            // Only checks that failed with a message add to it (checks that
            // crashed the same way say nothing new).
            if matches!(failed.verdict, Verdict::Failed | Verdict::Panicked { .. }) {
                failure.details.push_str("\nWhat the checks found:\n");
                failure.details.push_str(&failed.details);
            }
            failure
        }
        // A program that merely reported an error: the checks say why.
        (Some(failure), Some(mut failed)) => {
            failed.details.push_str("\n\n");
            failed.details.push_str(&failure.details);
            failed
        }
        (Some(failure), None) => failure,
    }
}

/// Runs the lesson's test programs; `None` when every check passes.
fn run_checks(env: &CheckEnv, lesson: &Lesson, tests: &[PathBuf]) -> Option<Report> {
    for test in tests {
        let mut command = Command::new(test);
        command.current_dir(lesson.exercise_dir(&env.root));
        env.learner_env(&mut command);
        let run = match process::run(&mut command, env.limits) {
            Ok(run) => run,
            Err(err) => {
                return Some(report(
                    Verdict::Environment,
                    format!("Could not start {}: {err}", test.display()),
                ));
            }
        };
        if run.success() {
            continue;
        }
        let failures = test_failures(&run.stdout);
        let shown = if failures.is_empty() {
            let mut shown = String::new();
            append_section(&mut shown, "The checks printed", &run.stdout);
            append_section(&mut shown, "On stderr", &run.stderr);
            shown
        } else {
            failures.clone()
        };
        let panicked_in_learner_code = |_: &RunOutput| panics_in(&failures, lesson);
        let verdict =
            match abnormal_ending(&run, Stage::Checks, env.limits, panicked_in_learner_code) {
                Some(Verdict::ExitedWithError { code: 101, .. }) => Verdict::Failed,
                Some(verdict) => verdict,
                None => Verdict::Failed,
            };
        return Some(report(verdict, shown));
    }
    None
}

/// A run's verdict if it did not end well; `None` when it exited with 0.
/// `panicked` tells a learner-code panic from an ordinary exit code 101.
fn abnormal_ending(
    run: &RunOutput,
    stage: Stage,
    limits: Limits,
    panicked: impl Fn(&RunOutput) -> bool,
) -> Option<Verdict> {
    match run.ending {
        Ending::Exited(0) => None,
        Ending::Exited(101) if panicked(run) => Some(Verdict::Panicked { stage }),
        Ending::Exited(code) => Some(Verdict::ExitedWithError { stage, code }),
        Ending::Signaled(signal) => Some(Verdict::Crashed { stage, signal }),
        Ending::TimedOut => Some(Verdict::TimedOut {
            stage,
            seconds: limits.timeout.as_secs_f64().ceil() as u64,
        }),
        Ending::Flooded => Some(Verdict::Flooded {
            stage,
            kib: limits.output_cap / 1024,
        }),
    }
}

/// The executables one cargo call produced for a lesson.
struct Artifacts {
    program: Option<PathBuf>,
    tests: Vec<PathBuf>,
}

fn compile(env: &CheckEnv, lesson: &Lesson) -> Result<Artifacts, Report> {
    let mut command = env.cargo();
    let format = if env.color {
        "--message-format=json-diagnostic-rendered-ansi"
    } else {
        "--message-format=json"
    };
    command.args(["test", "--no-run", "--quiet", format, "-p", &lesson.package]);
    let limits = Limits {
        timeout: env.build_timeout,
        output_cap: 64 << 20,
    };
    let run = process::run(&mut command, limits).map_err(|err| {
        report(
            Verdict::Environment,
            format!("Could not run cargo: {err}. Is the Rust toolchain installed (rustup.rs)?"),
        )
    })?;
    match run.ending {
        Ending::TimedOut => {
            return Err(report(
                Verdict::TimedOut {
                    stage: Stage::Compile,
                    seconds: env.build_timeout.as_secs(),
                },
                "Compiling took too long. If you changed build.rs, look for a loop in it.",
            ));
        }
        Ending::Flooded => {
            return Err(report(
                Verdict::Flooded {
                    stage: Stage::Compile,
                    kib: limits.output_cap / 1024,
                },
                "The build printed far too much: does build.rs print in a loop?",
            ));
        }
        _ => {}
    }

    let mut errors = Vec::new();
    let mut has_integration_tests = false;
    let mut artifacts = Artifacts {
        program: None,
        tests: Vec::new(),
    };
    for message in Message::parse_stream(run.stdout.as_bytes()).flatten() {
        match message {
            Message::CompilerMessage(msg) => {
                if matches!(
                    msg.message.level,
                    DiagnosticLevel::Error | DiagnosticLevel::Ice
                ) && let Some(rendered) = msg.message.rendered
                    // The library is compiled twice (as itself and as its test
                    // harness), so each error would otherwise show twice.
                    && !errors.contains(&rendered)
                {
                    errors.push(rendered);
                }
            }
            Message::CompilerArtifact(artifact) => {
                let Some(executable) = artifact.executable else {
                    continue;
                };
                let ours = artifact.target.name == lesson.package
                    || artifact
                        .package_id
                        .repr
                        .contains(&format!("#{}@", lesson.package))
                    || artifact.package_id.repr.contains(&lesson.dir_name);
                if !ours {
                    continue;
                }
                if artifact.profile.test {
                    has_integration_tests |= artifact.target.is_test();
                    artifacts.tests.push(executable.into_std_path_buf());
                } else if artifact.target.is_bin() && artifact.target.name == lesson.package {
                    artifacts.program = Some(executable.into_std_path_buf());
                }
            }
            _ => {}
        }
    }
    if run.success() {
        if !has_integration_tests {
            // Without tests/ there is nothing to check (and cargo does not even
            // build the program): a lesson must never pass by having no checks.
            return Err(report(
                Verdict::Environment,
                format!(
                    "Lesson {} has no checks: exercises/{}/tests/ is missing or empty. \
                     It belongs to the workbook: restore it with \
                     `git checkout -- exercises/{}/tests`.",
                    lesson.number, lesson.dir_name, lesson.dir_name
                ),
            ));
        }
        artifacts.tests.sort();
        return Ok(artifacts);
    }
    let details = if errors.is_empty() {
        let stderr = cargo_stderr(&run.stderr);
        if !stderr.contains("failed to run custom build command") {
            // No compiler message and no build script at fault: cargo refused
            // the workspace itself (a manifest, the lock file). Not the lesson.
            return Err(report(
                Verdict::Environment,
                format!(
                    "cargo could not build the workspace:\n{}",
                    cut(&stderr, SHOWN_LINES)
                ),
            ));
        }
        // A build script (build.rs) that failed: its own words.
        cut(&stderr, SHOWN_LINES)
    } else {
        let total = errors.len();
        let mut shown: String = errors
            .iter()
            .take(3)
            .map(|e| e.trim_end().to_string() + "\n\n")
            .collect();
        if total > 3 {
            shown.push_str(&format!("... and {} more errors.\n", total - 3));
        }
        cut(&shown, SHOWN_LINES)
    };
    Err(report(Verdict::CompileError, details))
}

/// cargo's stderr without its progress lines.
fn cargo_stderr(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|line| {
            let trimmed = line.trim_start();
            !(trimmed.starts_with("Compiling ")
                || trimmed.starts_with("Finished ")
                || trimmed.starts_with("Blocking waiting")
                || trimmed.starts_with("Building ["))
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The "failures:" part of libtest's output: each failing test's own output.
fn test_failures(stdout: &str) -> String {
    let Some(start) = stdout.find("\nfailures:\n") else {
        return String::new();
    };
    let body = &stdout[start + "\nfailures:\n".len()..];
    let end = body.find("\nfailures:\n").unwrap_or(body.len());
    let names_end = body[end..]
        .find("\ntest result:")
        .map(|i| end + i)
        .unwrap_or(body.len());
    let mut text = body[..end].trim().to_string();
    let names = body[end..names_end].trim();
    if !names.is_empty() {
        text.push_str("\n\n");
        text.push_str(names);
    }
    cut(&text, SHOWN_LINES)
}

/// Did any failing test panic inside one of the learner's own files?
fn panics_in(failures: &str, lesson: &Lesson) -> bool {
    failures.lines().any(|line| {
        let Some(rest) = line.split("panicked at ").nth(1) else {
            return false;
        };
        let path = rest.split(':').next().unwrap_or("");
        lesson
            .editable_paths()
            .any(|editable| Path::new(path).ends_with(&editable))
    })
}

fn append_section(out: &mut String, title: &str, text: &str) {
    if text.trim().is_empty() {
        return;
    }
    out.push_str(title);
    out.push_str(":\n");
    out.push_str(&cut(text, SHOWN_LINES));
    if !out.ends_with('\n') {
        out.push('\n');
    }
}

/// At most `max` lines of `text`, saying how many were left out.
pub fn cut(text: &str, max: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= max {
        return text.to_string();
    }
    let mut shown = lines[..max].join("\n");
    shown.push_str(&format!("\n... ({} more lines)\n", lines.len() - max));
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workbook::Lesson;

    fn lesson() -> Lesson {
        Lesson {
            number: 1,
            dir_name: "01_pointers".into(),
            name: "pointers".into(),
            package: "pointers".into(),
            title: "Pointers".into(),
            editable: vec!["src/lib.rs".into()],
            c_needs: vec![],
            hints: vec![String::new()],
            rank: vec![],
            advice: vec![],
        }
    }

    const LIBTEST_OUTPUT: &str = "\nrunning 2 tests\ntest a ... ok\ntest b ... FAILED\n\nfailures:\n\n---- b stdout ----\n\nthread 'b' panicked at exercises/01_pointers/src/lib.rs:7:5:\nnot yet implemented\n\n\nfailures:\n    b\n\ntest result: FAILED. 1 passed; 1 failed\n";

    #[test]
    fn failures_section_is_extracted() {
        let failures = test_failures(LIBTEST_OUTPUT);
        assert!(failures.starts_with("---- b stdout ----"), "{failures}");
        assert!(failures.contains("not yet implemented"));
        assert!(failures.ends_with("b"));
        assert!(!failures.contains("test result"));
    }

    #[test]
    fn panics_are_located_in_learner_code_or_in_the_checks() {
        assert!(panics_in(&test_failures(LIBTEST_OUTPUT), &lesson()));
        let in_tests = LIBTEST_OUTPUT.replace("src/lib.rs", "tests/check.rs");
        assert!(!panics_in(&test_failures(&in_tests), &lesson()));
    }

    #[test]
    fn long_output_is_cut_with_a_count() {
        let text: String = (0..100).map(|i| format!("{i}\n")).collect();
        let shown = cut(&text, 10);
        assert_eq!(shown.lines().count(), 11);
        assert!(shown.ends_with("(90 more lines)\n"));
    }
}
