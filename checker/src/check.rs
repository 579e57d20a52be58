//! Checks one lesson: build its C, compile its crate and tests (compile.rs),
//! run its program, run every one of its test programs, and turn what
//! happened into a verdict with the part of the output that matters.
//!
//! A pass is a positive result: every test the lesson's test programs list
//! reported `ok` (libtest.rs), not merely an exit code of 0. Learner code only
//! ever runs in child processes (process/), so a segfault or an endless loop
//! in it can never take the checker down; when grading, each of those
//! processes also runs in a sandbox (sandbox.rs).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::c_build::{self, CBuildError};
use crate::compile::{Compiled, TestProgram, compile};
use crate::libtest::{self, Judgement};
use crate::process::{self, Ending, Limits, RunOutput};
use crate::sandbox::{Sandbox, Step};
use crate::verdict::{Report, Stage, Verdict};
use crate::workbook::{Lesson, check_matches};

/// The tests each of a lesson's test programs must report, by (package,
/// test file name): when grading, taken from the reference solutions' run,
/// so that nothing a submission's code does can shorten the list.
pub type ExpectedTests = BTreeMap<(String, String), BTreeSet<String>>;

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
    /// Grading: every step that runs learner code runs in this sandbox.
    pub sandbox: Option<Arc<Sandbox>>,
    /// Grading: the tests each test program must report (else each test
    /// program's own `--list` says).
    pub expected: Option<Arc<ExpectedTests>>,
    /// Learner code may write the target folder: a build script the learner
    /// writes or feeds runs while cargo has it writable, or nothing is
    /// confined at all. rustc's incremental caches there are then not used:
    /// rustc reuses what they hold without checking who wrote it.
    pub learner_writes_target: bool,
}

/// How a failing check's own section starts in a report's details.
const FAILED_CHECK_HEADING: &str = "--- check `";

/// The most of a run's output we show before cutting it.
pub(crate) const SHOWN_LINES: usize = 80;

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
            sandbox: None,
            expected: None,
            learner_writes_target: false,
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

    /// The cargo folder where this copy's build output goes.
    pub fn target(&self) -> PathBuf {
        self.target_dir
            .clone()
            .unwrap_or_else(|| self.root.join("target"))
    }

    /// A cargo command for this copy, with the environment every check gives
    /// it (also used by the first-build warm-up, so both share one build).
    pub fn cargo(&self) -> Command {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command.current_dir(&self.root);
        if let Some(target) = &self.target_dir {
            command.env("CARGO_TARGET_DIR", target);
        }
        if self.sandbox.is_some() {
            // No network in the sandbox: everything was fetched beforehand.
            command.arg("--offline");
        }
        if self.learner_writes_target {
            command.env("CARGO_INCREMENTAL", "0");
        }
        self.learner_env(&mut command);
        command
    }

    /// The environment every learner-code process gets.
    pub(crate) fn learner_env(&self, command: &mut Command) {
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

    /// Runs learner code: in the sandbox when grading.
    pub(crate) fn run(
        &self,
        command: Command,
        step: Step,
        limits: Limits,
    ) -> std::io::Result<RunOutput> {
        match &self.sandbox {
            Some(sandbox) => sandbox.run(&command, step, self, limits),
            None => process::run(&mut { command }, limits),
        }
    }
}

/// Runs every step of the check for `lesson` and reports what it found.
pub fn check_lesson(env: &CheckEnv, lesson: &Lesson) -> Report {
    check_compiled(env, lesson, &mut Compiled::default())
}

/// The same, for a lesson that may have been compiled ahead with others
/// (`compile::compile_together`); one that was not is compiled now.
pub fn check_compiled(env: &CheckEnv, lesson: &Lesson, compiled: &mut Compiled) -> Report {
    let start = Instant::now();
    let mut report = run_steps(env, lesson, compiled);
    report.elapsed = start.elapsed();
    report
}

pub(crate) fn report(verdict: Verdict, details: impl Into<String>) -> Report {
    Report {
        verdict,
        details: details.into(),
        program_output: None,
        elapsed: Duration::ZERO,
        listed: Vec::new(),
        warnings: Vec::new(),
        failed_checks: Vec::new(),
    }
}

fn run_steps(env: &CheckEnv, lesson: &Lesson, compiled: &mut Compiled) -> Report {
    // 0. Code that reads files from outside its lesson is never compiled.
    let reaches =
        crate::reach::outside_reaches(&env.root, &lesson.exercise_dir(&env.root), &lesson.editable);
    if !reaches.is_empty() {
        let mut found = report(Verdict::ReachesOutside, reaches.join("\n"));
        found.warnings = reaches;
        return found;
    }

    // 1. The C this lesson calls.
    if let Err(err) = c_build::build_all(&env.root.join("csrc"), &env.c_dir, &lesson.c_needs) {
        let verdict = match err {
            CBuildError::Compile { .. } => Verdict::CBuildFailed,
            CBuildError::MissingSource(_) => Verdict::CBuildFailed,
            CBuildError::NoCompiler(_) | CBuildError::Io(_) => Verdict::Environment,
        };
        return report(verdict, err.to_string());
    }

    // 2. One cargo call compiles the crate, its program and its tests (or
    // did, with other lessons'). The compiled checks are fingerprinted as
    // they are built, so that a change to them is seen.
    let compiled = match compiled.take(lesson) {
        Some(compiled) => compiled,
        None => compile(env, lesson),
    };
    let artifacts = match compiled {
        Ok(artifacts) => artifacts,
        Err(report) => return report,
    };

    // 3. The learner's program, first: its code runs before any test
    // program starts, so whatever it changes of them is seen (their
    // fingerprints) before they run. When it crashes or reports an error,
    // the checks still run: their messages say what is wrong far more
    // precisely than a signal or an exit code does.
    let mut warnings = Vec::new();
    let mut program_output = None;
    let mut program_failure: Option<Report> = None;
    if let Some(program) = &artifacts.program {
        let mut command = Command::new(program);
        command.current_dir(lesson.exercise_dir(&env.root));
        env.learner_env(&mut command);
        let run = match env.run(command, Step::Run, env.limits) {
            Ok(run) => run,
            Err(err) => {
                return report(
                    Verdict::Environment,
                    format!("Could not start {}: {err}", program.display()),
                );
            }
        };
        if run.strays > 0 {
            warnings.push(format!(
                "the lesson's program left {} process{} running; they were ended",
                run.strays,
                if run.strays == 1 { "" } else { "es" }
            ));
        }
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
                    Verdict::Panicked { .. }
                        | Verdict::TimedOut { .. }
                        | Verdict::Flooded { .. }
                        | Verdict::OutOfMemory { .. }
                ) {
                    let mut stopped = report(verdict, shown);
                    stopped.warnings = warnings;
                    return stopped;
                }
                program_failure = Some(report(verdict, shown));
            }
        }
    }

    // 4. Every one of the lesson's test programs, side by side (together
    // they take as long as the slowest, a test under valgrind, not the sum),
    // each saying something of its own even after another failed.
    let test_runs: Vec<_> = std::thread::scope(|scope| {
        let runs: Vec<_> = artifacts
            .tests
            .iter()
            .map(|test| scope.spawn(move || run_test_program(env, lesson, test)))
            .collect();
        runs.into_iter().map(joined).collect()
    });
    let mut failures = Vec::new();
    let mut listed = Vec::new();
    for (test, result) in artifacts.tests.iter().zip(test_runs) {
        // One test program's code may have changed another's while they ran
        // side by side (where nothing makes them read-only): whatever that
        // one then reported, or failed to start, it is not a verdict.
        let result = if test.changed_since_built() {
            Ok(tampered(test))
        } else {
            result
        };
        match result {
            Ok(result) => {
                failures.extend(result.failures);
                warnings.extend(result.warnings);
                listed.push((test.target.clone(), result.expected));
            }
            Err(environment) => return *environment,
        }
    }
    if failures.is_empty() && listed.iter().all(|(_, tests)| tests.is_empty()) {
        return report(
            Verdict::Environment,
            format!(
                "Lesson {} has no checks: its test files in exercises/{}/tests/ hold no tests. \
                 They belong to the workbook: restore them with \
                 `git checkout -- exercises/{}/tests`.",
                lesson.number, lesson.dir_name, lesson.dir_name
            ),
        );
    }
    let mut failed_checks: Vec<String> = (failures.iter())
        .map(|f| match &f.test {
            Some(test) => format!("{}::{test}", f.target),
            None => f.target.clone(),
        })
        .collect();
    failed_checks.sort();
    failed_checks.dedup();
    let checks = summarize(lesson, failures);

    let mut result = match (program_failure, checks) {
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
            // crashed the same way say nothing new): valgrind's findings,
            // an assertion about the memory C wrote.
            if matches!(failed.verdict, Verdict::Failed | Verdict::Panicked { .. })
                || failed.details.contains(FAILED_CHECK_HEADING)
            {
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
    };
    result.listed = listed;
    result.warnings = warnings;
    result.failed_checks = failed_checks;
    result
}

/// What a thread of a scope returned (its panic goes on in the caller).
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// One thing that went wrong in the checks: a failing test, or a test
/// program that did not finish its report.
#[derive(Debug, Clone)]
struct Failure {
    /// The test file's name (`steps` for tests/steps.rs).
    target: String,
    /// The test's name; None when the whole test program went wrong.
    test: Option<String>,
    verdict: Verdict,
    /// What to show: the test's output, or what happened to the program.
    text: String,
    /// The editable file a panic happened in.
    panicked_in: Option<PathBuf>,
}

/// What one test program's run found.
struct TestProgramResult {
    expected: BTreeSet<String>,
    failures: Vec<Failure>,
    warnings: Vec<String>,
}

/// What a test program that is not what cargo built says: nothing that
/// counts, and that it was changed.
fn tampered(test: &TestProgram) -> TestProgramResult {
    let file = format!("tests/{}.rs", test.target);
    TestProgramResult {
        expected: BTreeSet::new(),
        failures: vec![Failure {
            target: test.target.clone(),
            test: None,
            verdict: Verdict::Tampered,
            text: format!("The compiled program of {file} changed on disk after it was built."),
            panicked_in: None,
        }],
        warnings: vec![format!(
            "the compiled program of {file} was changed while the lesson ran"
        )],
    }
}

/// Runs one test program and judges its report against the tests it must
/// hold. Err only for what is not the learner's (it could not be started).
fn run_test_program(
    env: &CheckEnv,
    lesson: &Lesson,
    test: &TestProgram,
) -> Result<TestProgramResult, Box<Report>> {
    let file = format!("tests/{}.rs", test.target);
    let whole = |verdict: Verdict, text: String| Failure {
        target: test.target.clone(),
        test: None,
        verdict,
        text,
        panicked_in: None,
    };
    if test.changed_since_built() {
        return Ok(tampered(test));
    }
    let mut result = TestProgramResult {
        expected: BTreeSet::new(),
        failures: Vec::new(),
        warnings: Vec::new(),
    };
    let start_command = || {
        let mut command = Command::new(&test.path);
        command.current_dir(lesson.exercise_dir(&env.root));
        env.learner_env(&mut command);
        command
    };
    let cannot_start = |err: std::io::Error| {
        Box::new(report(
            Verdict::Environment,
            format!("Could not start {}: {err}", test.path.display()),
        ))
    };

    // The tests it must report: the reference run's list when grading, else
    // its own list.
    let key = (lesson.package.clone(), test.target.clone());
    result.expected = match env.expected.as_ref().and_then(|e| e.get(&key)) {
        Some(expected) => expected.clone(),
        None => {
            let mut command = start_command();
            command.args(["--list", "--format", "terse"]);
            let run = env
                .run(command, Step::Run, env.limits)
                .map_err(cannot_start)?;
            if let Some(verdict) = abnormal_ending(&run, Stage::Checks, env.limits, |_| false) {
                let mut text = String::new();
                append_section(&mut text, "Listing its checks printed", &run.stdout);
                append_section(&mut text, "On stderr", &run.stderr);
                result.failures.push(whole(verdict, text));
                return Ok(result);
            }
            libtest::parse_list(&run.stdout)
        }
    };
    if result.expected.is_empty() {
        return Ok(result);
    }

    let run = env
        .run(start_command(), Step::Run, env.limits)
        .map_err(cannot_start)?;
    if run.strays > 0 {
        result.warnings.push(format!(
            "{file} left {} process{} running; they were ended",
            run.strays,
            if run.strays == 1 { "" } else { "es" }
        ));
    }
    let parsed = libtest::parse_report(&run.stdout);
    let judgement = libtest::judge(&parsed, &result.expected, run.success());
    // Each failing test, with its own output.
    if let Judgement::Failed(names) = &judgement {
        for name in names {
            let text = parsed
                .failure_output
                .get(name)
                .map(|text| without_maintainer_advice(text))
                .unwrap_or_else(|| "This check did not run to the end (it was ignored).".into());
            let panicked_in = panic_location(&text, lesson);
            result.failures.push(Failure {
                target: test.target.clone(),
                test: Some(name.clone()),
                verdict: if panicked_in.is_some() {
                    Verdict::Panicked {
                        stage: Stage::Checks,
                    }
                } else {
                    Verdict::Failed
                },
                text,
                panicked_in,
            });
        }
    }
    // How the program itself ended, when that is news.
    let unfinished: Vec<&String> = result
        .expected
        .iter()
        .filter(|name| !parsed.results.iter().any(|(n, _)| n == *name))
        .collect();
    let running = if unfinished.is_empty() || unfinished.len() == result.expected.len() {
        String::new()
    } else {
        format!(
            "\nChecks that had not reported yet: {}.",
            unfinished
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut output = String::new();
    append_section(
        &mut output,
        "The checks printed",
        &without_maintainer_advice(&run.stdout),
    );
    append_section(&mut output, "On stderr", &run.stderr);
    let ending = match run.ending {
        Ending::Exited(0) | Ending::Exited(101) => None,
        _ => abnormal_ending(&run, Stage::Checks, env.limits, |_| false),
    };
    match (ending, &judgement) {
        (Some(verdict), _) => result.failures.insert(
            0,
            whole(verdict, format!("{file} stopped early.{running}\n{output}")),
        ),
        (None, Judgement::Unreported(_)) => result.failures.insert(
            0,
            whole(
                Verdict::EndedEarly,
                format!(
                    "{file} ended before its checks finished: {} of {} never reported.{running}\n{output}",
                    unfinished.len(),
                    result.expected.len()
                ),
            ),
        ),
        (None, Judgement::Inconsistent(why)) => {
            result
                .warnings
                .push(format!("the report of {file} does not add up: {why}"));
            result.failures.insert(
                0,
                whole(
                    Verdict::ReportMismatch,
                    format!("The report of {file} does not add up: {why}.\n{output}"),
                ),
            );
        }
        (None, _) => {}
    }
    Ok(result)
}

/// The failures, most telling first, as one report; None when there are none.
/// A test program that did not finish comes before single failing tests; then
/// the manifest's `rank` decides; then file and test name.
fn summarize(lesson: &Lesson, mut failures: Vec<Failure>) -> Option<Report> {
    if failures.is_empty() {
        return None;
    }
    let rank = |f: &Failure| {
        let name = f.test.as_deref().unwrap_or("");
        lesson
            .rank
            .iter()
            .position(|pattern| check_matches(pattern, &f.target, name))
            .unwrap_or(lesson.rank.len())
    };
    // Then by file and name: tests run on threads, so the order they were
    // found in differs from one run to the next, and so would the report.
    failures.sort_by(|a, b| {
        (a.test.is_some(), rank(a), &a.target, &a.test).cmp(&(
            b.test.is_some(),
            rank(b),
            &b.target,
            &b.test,
        ))
    });
    let mut details = String::new();
    for failure in &failures {
        let file = format!("tests/{}.rs", failure.target);
        match &failure.test {
            Some(name) => details.push_str(&format!(
                "{FAILED_CHECK_HEADING}{name}` ({file}) failed ---\n"
            )),
            None => details.push_str(&format!("--- {file} ---\n")),
        }
        details.push_str(&cut(failure.text.trim_end(), 40));
        details.push('\n');
        for advice in advice_for(lesson, failure) {
            details.push_str(&format!("Hint: {advice}\n"));
        }
        details.push('\n');
    }
    Some(report(
        failures[0].verdict.clone(),
        cut(&details, 4 * SHOWN_LINES),
    ))
}

/// The manifest's advice for this failure: by check, then by the file a
/// panic happened in.
fn advice_for<'l>(lesson: &'l Lesson, failure: &Failure) -> Vec<&'l str> {
    let name = failure.test.as_deref().unwrap_or("");
    lesson
        .advice
        .iter()
        .filter(|advice| {
            advice
                .check
                .as_deref()
                .is_some_and(|pattern| check_matches(pattern, &failure.target, name))
                || advice
                    .file
                    .as_ref()
                    .is_some_and(|file| failure.panicked_in.as_ref() == Some(file))
        })
        .map(|advice| advice.text.as_str())
        .collect()
}

/// insta's advice to snapshot maintainers ("run `cargo insta review`") is
/// not for learners, who must never update snapshots.
fn without_maintainer_advice(text: &str) -> String {
    text.lines()
        .filter(|line| !crate::summary::is_maintainer_advice(line))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// A run's verdict if it did not end well; `None` when it exited with 0.
/// `panicked` tells a learner-code panic from an ordinary exit code 101.
fn abnormal_ending(
    run: &RunOutput,
    stage: Stage,
    limits: Limits,
    panicked: impl Fn(&RunOutput) -> bool,
) -> Option<Verdict> {
    let out_of_memory = || {
        limits.memory.is_some()
            && run.stderr.contains("memory allocation of")
            && run.stderr.contains("failed")
    };
    match run.ending {
        Ending::Exited(0) => None,
        Ending::Exited(101) if panicked(run) => Some(Verdict::Panicked { stage }),
        Ending::Exited(code) => Some(Verdict::ExitedWithError { stage, code }),
        Ending::Signaled(_) if out_of_memory() => Some(Verdict::OutOfMemory {
            stage,
            mib: limits.memory.unwrap_or(0) >> 20,
        }),
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

/// What identifies a file's contents without reading them: a file replaced
/// or rewritten gets a new inode or change time, which no one can set back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fingerprint {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
    #[cfg(unix)]
    changed: (i64, i64),
}

impl Fingerprint {
    pub fn of(path: &Path) -> Option<Fingerprint> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Some(Fingerprint {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: (meta.dev(), meta.ino()),
            #[cfg(unix)]
            changed: (meta.ctime(), meta.ctime_nsec()),
        })
    }
}
/// The editable file (relative to the lesson's crate) a panic in `text`
/// happened in, if it happened in one.
fn panic_location(text: &str, lesson: &Lesson) -> Option<PathBuf> {
    text.lines().find_map(|line| {
        let rest = line.split("panicked at ").nth(1)?;
        let path = Path::new(rest.split(':').next().unwrap_or(""));
        lesson
            .editable
            .iter()
            .find(|file| {
                path.ends_with(Path::new("exercises").join(&lesson.dir_name).join(file))
                    || path == file.as_path()
            })
            .cloned()
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
    use crate::workbook::{Advice, Lesson};

    /// Tests finish on threads in any order: the report must not follow it.
    #[test]
    fn failures_are_reported_in_one_order_whatever_order_they_finished_in() {
        let failure = |target: &str, test: &str, verdict: Verdict| Failure {
            target: target.into(),
            test: Some(test.into()),
            verdict,
            text: format!("{test} went wrong"),
            panicked_in: None,
        };
        let found = vec![
            failure("steps", "b_second", Verdict::Failed),
            failure(
                "steps",
                "a_first",
                Verdict::Panicked {
                    stage: Stage::Checks,
                },
            ),
            failure("abi", "z_last", Verdict::Failed),
        ];
        let lesson = Lesson::for_tests("08_x");
        let one = summarize(&lesson, found.clone()).unwrap();
        let mut reversed = found;
        reversed.reverse();
        let other = summarize(&lesson, reversed).unwrap();
        assert_eq!(one.details, other.details);
        assert_eq!(one.verdict, other.verdict);
        let order: Vec<usize> = ["abi::z_last", "a_first", "b_second"]
            .iter()
            .map(|name| one.details.find(name.rsplit("::").next().unwrap()).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{}", one.details);
    }

    fn lesson() -> Lesson {
        Lesson {
            editable: vec!["src/abi.rs".into(), "src/pure.rs".into()],
            rank: vec!["steps::abi_".into(), "steps::pure_".into()],
            advice: vec![
                Advice {
                    check: Some("steps::abi_".into()),
                    file: None,
                    text: "look at src/abi.rs".into(),
                },
                Advice {
                    check: None,
                    file: Some("src/pure.rs".into()),
                    text: "which index is the row?".into(),
                },
            ],
            ..Lesson::for_tests("06_evolve")
        }
    }

    fn failure(target: &str, test: Option<&str>, verdict: Verdict, text: &str) -> Failure {
        Failure {
            target: target.into(),
            test: test.map(String::from),
            verdict,
            text: text.into(),
            panicked_in: panic_location(text, &lesson()),
        }
    }

    #[test]
    fn panics_are_located_in_learner_code_or_in_the_checks() {
        let text = "thread 'x' panicked at exercises/06_evolve/src/pure.rs:7:5:\nboom";
        assert_eq!(panic_location(text, &lesson()), Some("src/pure.rs".into()));
        let text = "thread 'x' panicked at exercises/06_evolve/tests/steps.rs:7:5:\nboom";
        assert_eq!(panic_location(text, &lesson()), None);
    }

    #[test]
    fn failures_are_ranked_by_the_manifest_with_their_advice() {
        let found = summarize(
            &lesson(),
            vec![
                failure(
                    "program",
                    Some("the_program_agrees"),
                    Verdict::Failed,
                    "differs",
                ),
                failure(
                    "steps",
                    Some("pure_step_on_a_wide_grid"),
                    Verdict::Panicked {
                        stage: Stage::Checks,
                    },
                    "thread 'p' panicked at exercises/06_evolve/src/pure.rs:3:1:\nindex",
                ),
                failure(
                    "steps",
                    Some("abi_step_matches"),
                    Verdict::Failed,
                    "abi differs",
                ),
            ],
        )
        .unwrap();
        assert_eq!(found.verdict, Verdict::Failed);
        let abi = found.details.find("`abi_step_matches`").unwrap();
        let pure = found.details.find("`pure_step_on_a_wide_grid`").unwrap();
        let program = found.details.find("`the_program_agrees`").unwrap();
        assert!(abi < pure && pure < program, "{}", found.details);
        assert!(found.details.contains("Hint: look at src/abi.rs"));
        assert!(found.details.contains("Hint: which index is the row?"));
        // Advice stays with its own failure.
        assert_eq!(found.details.matches("Hint:").count(), 2);
    }

    #[test]
    fn a_test_program_that_did_not_finish_comes_first() {
        let found = summarize(
            &lesson(),
            vec![
                failure(
                    "steps",
                    Some("abi_step_matches"),
                    Verdict::Failed,
                    "abi differs",
                ),
                failure("program", None, Verdict::EndedEarly, "ended"),
            ],
        )
        .unwrap();
        assert_eq!(found.verdict, Verdict::EndedEarly);
    }

    #[test]
    fn insta_maintainer_advice_is_not_shown() {
        let text = "Snapshot: program_output\n-old\n+new\nTo update snapshots run `cargo insta review`\nStopped on the first failure. Run `cargo insta test` to run all snapshots.\n";
        let shown = without_maintainer_advice(text);
        assert!(shown.contains("+new"));
        assert!(!shown.contains("insta"));
    }

    #[test]
    fn long_output_is_cut_with_a_count() {
        let text: String = (0..100).map(|i| format!("{i}\n")).collect();
        let shown = cut(&text, 10);
        assert_eq!(shown.lines().count(), 11);
        assert!(shown.ends_with("(90 more lines)\n"));
    }
}
