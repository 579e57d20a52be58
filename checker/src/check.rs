//! Checks one lesson: build its C, compile its crate and tests (compile.rs),
//! run its program, run every one of its test programs, and turn what
//! happened into a verdict with the part of the output that matters.
//!
//! A pass is a positive result: every test the lesson's test programs list
//! reported `ok` (libtest.rs), not merely an exit code of 0. Learner code only
//! ever runs in child processes (process/), so a segfault or an endless loop
//! in it can never take the checker down; when grading, each of those
//! processes also runs in a sandbox (sandbox.rs).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::c_build::{self, CBuildError};
use crate::compile::{Artifacts, Compiled, TestProgram, compile};
use crate::libtest::{self, Judgement, Listed};
use crate::probe::{self, Observation};
use crate::process::{self, Ending, Limits, RunOutput};
use crate::sandbox::{Sandbox, Step};
use crate::verdict::{Report, Stage, Verdict};
use crate::workbook::{Lesson, check_matches};

/// The tests each of a lesson's test programs must report, and those it
/// may report `ignored`, by (package, test file name): when grading, taken
/// from the reference solutions' run, so that nothing a submission's code
/// does can shorten the lists.
pub type ExpectedTests = BTreeMap<(String, String), Listed>;

/// What the reference solutions' check found, that every submission of a
/// batch is held to.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    pub tests: ExpectedTests,
    /// The batch's probe seed.
    pub probe_seed: u64,
    /// Each probed lesson's observations on that seed, by package.
    pub observed: BTreeMap<String, Vec<Observation>>,
}

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
    /// Grading: what the reference solutions' check found: the tests each
    /// test program must report (else each test program's own `--list`
    /// says), and the observations each lesson's probe must make.
    pub expected: Option<Arc<Reference>>,
    /// Grading: run each lesson's probe on this seed (the reference check
    /// records what it observes; a submission's is compared with that).
    /// None on the learner's side, where there is nothing to compare with.
    pub probe_seed: Option<u64>,
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
            probe_seed: None,
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
            // `cargo run -p checker` gave the checker its own package's
            // folder; a lesson's programs find their workbook from the
            // folder they run in (workbook_support::workbook_root), which
            // for a scratch copy or a submission is not the checker's.
            .env_remove("CARGO_MANIFEST_DIR")
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
        observed: None,
        warnings: Vec::new(),
        skipped: Vec::new(),
        failed_checks: Vec::new(),
        compiler_warnings: Vec::new(),
    }
}

fn run_steps(env: &CheckEnv, lesson: &Lesson, compiled: &mut Compiled) -> Report {
    // 0. Files no compiler can read (a FIFO would hang it, a device never
    // end) are said before anything reads them.
    let unusable = unusable_files(&env.root, &lesson.exercise_dir(&env.root));
    if !unusable.is_empty() {
        return report(
            Verdict::CompileError,
            format!(
                "{}\nA lesson's files must be ordinary source files. `git checkout -- PATH` \
                 restores a file as shipped (`cargo run -p checker -- reset LESSON` the whole \
                 exercise, keeping a backup).",
                unusable.join("\n")
            ),
        );
    }
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
    let mut checked = run_built(env, lesson, &artifacts);
    checked.compiler_warnings = artifacts.warnings;
    checked
}

/// Steps 3 and 4, once the lesson is built.
fn run_built(env: &CheckEnv, lesson: &Lesson, artifacts: &Artifacts) -> Report {
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
        warnings.extend(left_running(&run, "the lesson's program"));
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
    // each saying something of its own even after another failed; and,
    // when grading, the lesson's probe beside them. The probe prints no
    // libtest report: it is never judged as a test program.
    let (probes, tests): (Vec<&TestProgram>, Vec<&TestProgram>) = artifacts
        .tests
        .iter()
        .partition(|test| test.target == probe::TARGET);
    let probe_program = probes.first().copied();
    let (test_runs, probe_run): (Vec<_>, _) = std::thread::scope(|scope| {
        let probe_run = match (probe_program, env.probe_seed) {
            (Some(program), Some(seed)) => {
                Some(scope.spawn(move || run_probe(env, lesson, program, seed)))
            }
            _ => None,
        };
        let runs: Vec<_> = tests
            .iter()
            .map(|test| scope.spawn(move || run_test_program(env, lesson, test)))
            .collect();
        (
            runs.into_iter().map(joined).collect(),
            probe_run.map(joined),
        )
    });
    let mut failures = Vec::new();
    let mut listed = Vec::new();
    let mut skipped = Vec::new();
    let mut observed = None;
    for (test, result) in tests.iter().zip(test_runs) {
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
                skipped.extend(result.skipped);
                listed.push((test.target.clone(), result.expected));
            }
            Err(environment) => return *environment,
        }
    }
    let mut probe_failures = Vec::new();
    if let (Some(program), Some(result)) = (probe_program, probe_run) {
        let result = if program.changed_since_built() {
            Ok(tampered(program).into())
        } else {
            result
        };
        match result {
            Ok(result) => {
                probe_failures = result.failures;
                warnings.extend(result.warnings);
                observed = result.observed;
            }
            Err(environment) => return *environment,
        }
    }
    if failures.is_empty()
        && listed
            .iter()
            .all(|(_, l): &(String, Listed)| l.tests.is_empty())
    {
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
    // A check that could not run for a tool the machine lacks (and must
    // have) is not the learner's failure.
    if let Some(missing) =
        (failures.iter()).find_map(|f| crate::compile::missing_required_tool(&f.text))
    {
        return report(Verdict::Environment, missing);
    }
    // The probe's findings come after the checks': when both fail, a
    // check's message says more; when only the probe does, it is the
    // verdict.
    failures.extend(probe_failures);
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
            let mut passed = report(Verdict::Passed, passed_note(env, probe_program.is_some()));
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
    result.observed = observed;
    result.warnings = warnings;
    result.skipped = skipped;
    result.failed_checks = failed_checks;
    result
}

/// The warning for processes `what` left running when it ended, if any.
/// Only a run that ended by itself can have left anything: one that crashed
/// or was stopped was cut off mid-flight, and how many of its children were
/// still alive at that moment is chance (a test program that aborts while
/// another test's child runs), so it would flag an honest mistake at random.
/// Its processes are ended all the same.
fn left_running(run: &RunOutput, what: &str) -> Option<String> {
    (run.strays > 0 && matches!(run.ending, Ending::Exited(_))).then(|| {
        format!(
            "{what} left {} process{} running; they were ended",
            run.strays,
            if run.strays == 1 { "" } else { "es" }
        )
    })
}

/// The lesson crate's entries that are neither folders, links nor regular
/// files of a source file's size, each with what it is, relative to `root`.
/// The walk keeps its own stack and stops after a bounded number of entries.
fn unusable_files(root: &Path, crate_dir: &Path) -> Vec<String> {
    const MAX_ENTRIES: usize = 20_000;
    let mut found = Vec::new();
    let mut todo = vec![crate_dir.to_path_buf()];
    let mut seen = 0;
    while let Some(dir) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > MAX_ENTRIES {
                return found;
            }
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            let kind = meta.file_type();
            let shown = path.strip_prefix(root).unwrap_or(&path).display();
            if kind.is_dir() {
                if entry.file_name() != "target" {
                    todo.push(path);
                }
            } else if kind.is_symlink() {
                // Links are reach.rs's to judge.
            } else if !kind.is_file() {
                found.push(format!(
                    "{shown} is not a file (a FIFO, a socket or a device)."
                ));
            } else if meta.len() > crate::progress::MAX_LESSON_FILE_BYTES
                && path.extension().is_some_and(|ext| ext == "rs")
            {
                found.push(format!(
                    "{shown} is {} MiB: far larger than any source file.",
                    meta.len() >> 20
                ));
            }
        }
    }
    found.sort();
    found
}

/// What a pass means where it was made: on the learner's side (no seed,
/// nothing to compare with), only the lesson's checks ran; grading judges
/// again.
fn passed_note(env: &CheckEnv, has_probe: bool) -> String {
    match (env.probe_seed, has_probe) {
        (None, true) => "Your code passed the lesson's checks here; your instructor grades it \
                         again on fresh inputs against the reference solution."
            .into(),
        _ => String::new(),
    }
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
    expected: Listed,
    failures: Vec<Failure>,
    warnings: Vec<String>,
    /// Checks that said they did not run (a tool was missing).
    skipped: Vec<String>,
}

/// What a test program that is not what cargo built says: nothing that
/// counts, and that it was changed.
fn tampered(test: &TestProgram) -> TestProgramResult {
    let file = format!("tests/{}.rs", test.target);
    TestProgramResult {
        expected: Listed::default(),
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
        skipped: Vec::new(),
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
        expected: Listed::default(),
        failures: Vec::new(),
        warnings: Vec::new(),
        skipped: Vec::new(),
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

    // The tests it must report, and those it may report ignored: the
    // reference run's lists when grading, else its own.
    let key = (lesson.package.clone(), test.target.clone());
    result.expected = match env.expected.as_ref().and_then(|e| e.tests.get(&key)) {
        Some(expected) => expected.clone(),
        None => {
            let mut lists = Vec::new();
            for args in [
                &["--list", "--format", "terse"][..],
                &["--list", "--ignored", "--format", "terse"],
            ] {
                let mut command = start_command();
                command.args(args);
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
                lists.push(libtest::parse_list(&run.stdout));
            }
            let ignored = lists.pop().unwrap_or_default();
            let tests = lists.pop().unwrap_or_default();
            // Only a listed test can be an ignored one.
            let ignored = ignored.intersection(&tests).cloned().collect();
            Listed { tests, ignored }
        }
    };
    if result.expected.tests.is_empty() {
        return Ok(result);
    }

    let run = env
        .run(start_command(), Step::Run, env.limits)
        .map_err(cannot_start)?;
    result.warnings.extend(left_running(&run, &file));
    result.skipped = crate::verdict::skipped_checks(&run.stderr);
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
        .tests
        .iter()
        .filter(|name| !parsed.results.iter().any(|(n, _)| n == *name))
        .collect();
    let running = if unfinished.is_empty() || unfinished.len() == result.expected.tests.len() {
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
        Ending::Exited(0) | Ending::Exited(101) if run.limit.is_none() => None,
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
                    result.expected.tests.len()
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

/// What the lesson's probe found.
struct ProbeResult {
    /// What it observed, when it ran to its end (and agreed with the
    /// reference's, when there was one).
    observed: Option<Vec<Observation>>,
    failures: Vec<Failure>,
    warnings: Vec<String>,
}

impl From<TestProgramResult> for ProbeResult {
    fn from(result: TestProgramResult) -> ProbeResult {
        ProbeResult {
            observed: None,
            failures: result.failures,
            warnings: result.warnings,
        }
    }
}

/// Runs the lesson's probe on `seed` with a fresh nonce, and compares what
/// it observed with the reference's (when grading a submission). Err only
/// for what is not the learner's (it could not be started).
fn run_probe(
    env: &CheckEnv,
    lesson: &Lesson,
    program: &TestProgram,
    seed: u64,
) -> Result<ProbeResult, Box<Report>> {
    let file = format!("tests/{}.rs", program.target);
    let whole = |verdict: Verdict, text: String| Failure {
        target: program.target.clone(),
        test: None,
        verdict,
        text,
        panicked_in: None,
    };
    if program.changed_since_built() {
        return Ok(tampered(program).into());
    }
    let nonce = probe::nonce();
    let mut command = Command::new(&program.path);
    command.current_dir(lesson.exercise_dir(&env.root));
    env.learner_env(&mut command);
    command
        .env(probe::SEED_ENV, seed.to_string())
        .env(probe::NONCE_ENV, &nonce);
    let run = env.run(command, Step::Run, env.limits).map_err(|err| {
        Box::new(report(
            Verdict::Environment,
            format!("Could not start {}: {err}", program.path.display()),
        ))
    })?;
    let mut result = ProbeResult {
        observed: None,
        failures: Vec::new(),
        warnings: Vec::new(),
    };
    if run.strays > 0 {
        result.warnings.push(format!(
            "the lesson's probe left {} process{} running; they were ended",
            run.strays,
            if run.strays == 1 { "" } else { "es" }
        ));
    }
    let observed = probe::parse(&run.stdout, &nonce);
    // What the learner's code printed, without the probe's own lines.
    let theirs: String = run
        .stdout
        .lines()
        .filter(|line| !line.starts_with(&nonce))
        .map(|line| format!("{line}\n"))
        .collect();
    let mut output = String::new();
    append_section(&mut output, "Your code printed", &theirs);
    append_section(&mut output, "On stderr", &run.stderr);
    let at = observed
        .observations
        .last()
        .map(|last| format!(" It stopped after observing `{}`.", last.key))
        .unwrap_or_default();
    let preface = "The grader checks your code on inputs of its own (the lesson's probe), \
                   compared with the reference solution.";
    if let Some(verdict) = abnormal_ending(&run, Stage::Checks, env.limits, |run| {
        run.stderr.contains("panicked at")
    }) {
        let text = format!("{preface} {file} stopped early.{at}\n{output}");
        let panicked_in = panic_location(&text, lesson);
        result.failures.push(Failure {
            panicked_in,
            ..whole(verdict, text)
        });
        return Ok(result);
    }
    if !observed.finished {
        // Code that ends its process with success mid-way is not a mistake
        // that happens by accident: what it printed before may be a forgery.
        result.warnings.push(format!(
            "the lesson's probe exited with success before it finished.{at}"
        ));
        result.failures.push(whole(
            Verdict::EndedEarly,
            format!("{preface} {file} ended before it finished.{at}\n{output}"),
        ));
        return Ok(result);
    }
    let reference = env
        .expected
        .as_ref()
        .and_then(|reference| reference.observed.get(&lesson.package));
    if let Some(reference) = reference
        && let Some(difference) = probe::compare(reference, &observed.observations)
    {
        result
            .failures
            .push(whole(Verdict::Failed, probe::explain(&difference)));
        return Ok(result);
    }
    result.observed = Some(observed.observations);
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
    // A stable sort; then by file and name: tests run on threads, so the
    // order they were found in differs from one run to the next, and so
    // would the report.
    failures.sort_by(|a, b| {
        let key = |f: &Failure| (f.target == probe::TARGET, f.test.is_some(), rank(f));
        (key(a), &a.target, &a.test).cmp(&(key(b), &b.target, &b.test))
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
    // A limit on the whole tree (grading's cgroup) decides, whatever the
    // run's own ending: its processes were killed or refused.
    if let Some(limit) = run.limit {
        return Some(limit.verdict(stage));
    }
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
                    symptom: None,
                    text: "look at src/abi.rs".into(),
                },
                Advice {
                    check: None,
                    file: Some("src/pure.rs".into()),
                    symptom: None,
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
    fn processes_left_running_are_flagged_only_after_a_run_that_ended_by_itself() {
        let run = |ending| RunOutput {
            ending,
            stdout: String::new(),
            stderr: String::new(),
            strays: 1,
            limit: None,
        };
        let daemon = left_running(&run(Ending::Exited(0)), "tests/x.rs").unwrap();
        assert_eq!(daemon, "tests/x.rs left 1 process running; they were ended");
        // An abort or a time-out cuts the tree off mid-flight: what was
        // alive then is chance, not something the code left behind.
        assert_eq!(left_running(&run(Ending::Signaled(6)), "p"), None);
        assert_eq!(left_running(&run(Ending::TimedOut), "p"), None);
        let none = RunOutput {
            strays: 0,
            ..run(Ending::Exited(0))
        };
        assert_eq!(left_running(&none, "p"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_a_huge_file_in_a_lesson_is_named_without_reading_it() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("exercises/01_x/src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("main.rs"), "fn main() {}").unwrap();
        let fifo = src.join("lib.rs");
        let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo on a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
        let huge = std::fs::File::create(src.join("big.rs")).unwrap();
        huge.set_len(64 << 20).unwrap();
        let found = unusable_files(tmp.path(), &tmp.path().join("exercises/01_x"));
        assert_eq!(
            found,
            vec![
                "exercises/01_x/src/big.rs is 64 MiB: far larger than any source file.".to_string(),
                "exercises/01_x/src/lib.rs is not a file (a FIFO, a socket or a device)."
                    .to_string(),
            ]
        );
    }

    #[test]
    fn long_output_is_cut_with_a_count() {
        let text: String = (0..100).map(|i| format!("{i}\n")).collect();
        let shown = cut(&text, 10);
        assert_eq!(shown.lines().count(), 11);
        assert!(shown.ends_with("(90 more lines)\n"));
    }
}
