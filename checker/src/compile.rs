//! Compiling lessons with cargo: a lesson's crate, program and test programs
//! in one `cargo test --no-run`, alone or many lessons in one call, and what
//! went wrong when they do not compile.
//!
//! Many lessons compile in one call wherever several are checked at once
//! (`verify`, grading): cargo then builds them side by side on every core,
//! where one call per lesson would build them one after another. The
//! dependencies are the same builds either way (support/Cargo.toml pins the
//! one feature the lessons disagreed on; checker/tests/lessons.rs proves it),
//! so the learner's one-lesson loop and a check of them all share one build.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cargo_metadata::Message;
use cargo_metadata::diagnostic::{Diagnostic, DiagnosticLevel};

use crate::c_build;
use crate::check::{CheckEnv, Fingerprint, SHOWN_LINES, cut, report};
use crate::process::{Ending, Limits, RunOutput};
use crate::sandbox::Step;
use crate::verdict::{Report, Stage, Verdict};
use crate::workbook::Lesson;

/// A compiled test program: the test file's name, the executable, and the
/// executable's fingerprint taken as soon as cargo had built it, so that a
/// change after that is seen before it runs.
#[derive(Debug, Clone)]
pub struct TestProgram {
    pub target: String,
    pub path: PathBuf,
    pub fingerprint: Option<Fingerprint>,
}

impl TestProgram {
    /// Whether the executable is not what cargo built (or its fingerprint
    /// could not be taken when it was).
    pub fn changed_since_built(&self) -> bool {
        self.fingerprint.is_none() || Fingerprint::of(&self.path) != self.fingerprint
    }
}

/// The executables cargo produced for a lesson, and the compiler's warnings
/// on its own files that matter in FFI code.
#[derive(Debug, Default)]
pub struct Artifacts {
    pub program: Option<PathBuf>,
    pub tests: Vec<TestProgram>,
    pub warnings: Vec<CompilerWarning>,
}

/// The compiler's warnings shown in a verdict: in FFI code each of these is
/// usually a bug that compiles, often the very cause of a crash or a wrong
/// value the checks find. The lint's name, and why it matters. Every other
/// warning (an unused variable, a naming style) is left to `cargo build`.
pub const FFI_WARNINGS: &[(&str, &str)] = &[
    (
        "dangling_pointers_from_temporaries",
        "the pointer points into a temporary that is dropped at the end of the statement: C \
         then reads freed memory. Bind the value (the CString, the Vec) to a variable that \
         lives as long as C uses the pointer.",
    ),
    (
        "dangling_pointers_from_locals",
        "the pointer points into a local variable that is gone once the function returns.",
    ),
    (
        "improper_ctypes",
        "a type in an `extern` block that C cannot read as it is declared: read it as an \
         error. C sees only bytes laid out as its header says: `#[repr(C)]`, a raw pointer, \
         a `c_int`...",
    ),
    (
        "improper_ctypes_definitions",
        "an `extern \"C\" fn` that C calls with a type C cannot read as it is declared: read it \
         as an error (`#[repr(C)]`, a raw pointer, a `c_int`...).",
    ),
    (
        "clashing_extern_declarations",
        "the same C function declared twice with different types: at least one of them is \
         wrong, and calling through it is undefined behaviour.",
    ),
    (
        "unused_must_use",
        "a result dropped unread: an error C (or a conversion) reported is ignored, or a \
         pointer that had to be freed is lost.",
    ),
    (
        "static_mut_refs",
        "a reference to a `static mut`: any other access while it lives (C's, a callback's, \
         another thread's) is undefined behaviour. Use `&raw const`/`&raw mut`, or an atomic.",
    ),
    (
        "unsafe_op_in_unsafe_fn",
        "an unsafe operation with no `unsafe { }` block of its own inside an `unsafe fn`: \
         each one should have its block and a `// SAFETY:` comment saying why it holds.",
    ),
    (
        "invalid_value",
        "a value that type can never hold (`mem::zeroed` or `uninit` of a reference, a \
         `NonNull`, an enum...): undefined behaviour at once. Use `MaybeUninit` for memory C \
         fills in.",
    ),
    (
        "useless_ptr_null_checks",
        "a reference or function pointer is never null, so this check never fires: check the \
         raw pointer C gave you, before making a reference of it.",
    ),
    (
        "dropping_references",
        "`drop` of a reference drops nothing: the value it points to (and the C resource it \
         owns) is still there.",
    ),
    (
        "forgetting_references",
        "`mem::forget` of a reference forgets nothing: the value it points to is still \
         dropped.",
    ),
    (
        "repr_c_enums_larger_than_int",
        "a `#[repr(C)]` enum with a value that does not fit C's int: C and Rust disagree on \
         its size.",
    ),
];

/// A compiler warning that matters in FFI code (one of [`FFI_WARNINGS`]),
/// on a lesson's own file, as cargo's JSON messages give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompilerWarning {
    /// The lint's name: `dangling_pointers_from_temporaries`.
    pub lint: String,
    /// The compiler's one-line message.
    pub message: String,
    /// The file, as the compiler names it (from the workspace root).
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The compiler's own rendering, pointing at the column.
    pub rendered: String,
}

impl CompilerWarning {
    /// Why this warning matters in FFI code.
    pub fn why(&self) -> &'static str {
        let rust_string = ["type `str`", "type `String`", "type `&str`"];
        if self.lint.starts_with("improper_ctypes")
            && rust_string.iter().any(|t| self.message.contains(t))
        {
            // The lesson 7 mistake: a Rust string where C wants a C string.
            return "a `&str` is not a C string: C reads until it finds a NUL byte, and a Rust \
                    string has no NUL at its end (nor is a `&str` one pointer: it is a pointer \
                    and a length). Read it as an error: declare `*const c_char`, and pass a \
                    `CString`'s `as_ptr()`.";
        }
        FFI_WARNINGS
            .iter()
            .find(|(lint, _)| *lint == self.lint)
            .map_or("", |(_, why)| why)
    }

    /// `dangling_pointers_from_temporaries at exercises/07_c_strings/src/lib.rs:40:38`
    pub fn headline(&self) -> String {
        format!(
            "{} at {}:{}:{}",
            self.lint, self.file, self.line, self.column
        )
    }

    /// The warning, if it is one of [`FFI_WARNINGS`] on a file of `lesson`.
    fn of(diagnostic: &Diagnostic, lesson: &Lesson) -> Option<CompilerWarning> {
        if diagnostic.level != DiagnosticLevel::Warning {
            return None;
        }
        let code = diagnostic.code.as_ref()?.code.as_str();
        // A lint's code is its name, but for one: `unsafe_op_in_unsafe_fn`
        // is reported as the error it is outside an unsafe fn, E0133, at the
        // level of a warning (it names itself only once per crate).
        let lint = if code == "E0133" {
            "unsafe_op_in_unsafe_fn"
        } else {
            code
        };
        if !FFI_WARNINGS.iter().any(|(name, _)| *name == lint) {
            return None;
        }
        let span = diagnostic.spans.iter().find(|span| span.is_primary)?;
        // Only the lesson's own files: not the support crate, not the
        // bindings a build script generated into target/.
        let in_lesson = Path::new(&span.file_name)
            .components()
            .any(|part| part.as_os_str() == lesson.dir_name.as_str());
        if !in_lesson {
            return None;
        }
        Some(CompilerWarning {
            lint: lint.to_string(),
            message: diagnostic.message.clone(),
            file: span.file_name.clone(),
            line: span.line_start,
            column: span.column_start,
            rendered: diagnostic.rendered.clone().unwrap_or_default(),
        })
    }
}

impl Artifacts {
    /// The test programs in a stable order.
    fn finish(mut self) -> Artifacts {
        self.tests.sort_by(|a, b| a.target.cmp(&b.target));
        self
    }
}

/// Lessons compiled ahead of their checks: by one cargo call for many, or
/// alone beside other lessons' checks (grading). A lesson that is not here
/// (it was left out, or did not build cleanly together) is compiled alone
/// when it is checked, which also gives its errors their own report.
#[derive(Debug, Default)]
pub struct Compiled {
    by_package: HashMap<String, Result<Artifacts, Report>>,
}

impl Compiled {
    /// What compiling `lesson` ahead gave (its artifacts, or the report of
    /// why it does not compile), once.
    pub fn take(&mut self, lesson: &Lesson) -> Option<Result<Artifacts, Report>> {
        self.by_package.remove(&lesson.package)
    }

    /// Keeps what compiling `lesson` alone, ahead of its check, gave.
    pub fn insert(&mut self, lesson: &Lesson, compiled: Result<Artifacts, Report>) {
        self.by_package.insert(lesson.package.clone(), compiled);
    }

    /// Whether one cargo call compiled anything ahead.
    pub fn is_empty(&self) -> bool {
        self.by_package.is_empty()
    }
}

/// Compiles `lessons` in one cargo call, as far as they compile. Lessons
/// whose code reaches outside them or whose C does not build are left out
/// (their check says why), and so is every lesson cargo reported an error
/// for: only lessons built without a word of complaint are kept.
pub fn compile_together(env: &CheckEnv, lessons: &[&Lesson]) -> Compiled {
    let ready: Vec<&Lesson> = lessons
        .iter()
        .copied()
        .filter(|lesson| {
            crate::reach::outside_reaches(
                &env.root,
                &lesson.exercise_dir(&env.root),
                &lesson.editable,
            )
            .is_empty()
                && c_build::build_all(&env.root.join("csrc"), &env.c_dir, &lesson.c_needs).is_ok()
        })
        .collect();
    let mut compiled = Compiled::default();
    // One lesson gains nothing from being compiled ahead.
    if ready.len() < 2 {
        return compiled;
    }
    let mut command = cargo_test_no_run(env);
    // Keeps cargo building the other lessons past one that fails.
    command.arg("--no-fail-fast");
    for lesson in &ready {
        command.args(["-p", &lesson.package]);
    }
    let Ok(run) = env.run(command, Step::Build, build_limits(env)) else {
        return compiled;
    };
    // Each lesson is then compiled alone, where its own verdict is found.
    if !matches!(run.ending, Ending::Exited(_)) || run.limit.is_some() {
        return compiled;
    }
    let mut built = sort_out(&run, &ready);
    let stderr = cargo_stderr(&run.stderr);
    for (lesson, (errors, artifacts)) in ready.iter().zip(built.drain(..)) {
        // cargo names a crate it could not build or whose build script
        // failed (`could not compile `x``) even when rustc said nothing.
        let named = [
            format!("`{}`", lesson.package),
            format!("`{} v", lesson.package),
        ];
        let complained = stderr.lines().any(|line| {
            line.trim_start().starts_with("error") && named.iter().any(|n| line.contains(n))
        });
        if errors.is_empty() && !complained && !artifacts.tests.is_empty() {
            compiled
                .by_package
                .insert(lesson.package.clone(), Ok(artifacts.finish()));
        }
    }
    compiled
}

/// The cargo command that builds what a check runs: the lesson's
/// integration tests (its checks, `tests/*.rs`), and with them its library
/// and program, which cargo builds for them. Not the unit-test harnesses of
/// the lesson's library and program: no check runs the learner's own tests,
/// and they would cost two more compilations and links.
pub const BUILD_CHECKS: &[&str] = &["test", "--no-run", "--test", "*"];

/// `cargo test --no-run` of the checks, with the JSON messages the checker
/// reads.
fn cargo_test_no_run(env: &CheckEnv) -> std::process::Command {
    let mut command = env.cargo();
    let format = if env.color {
        "--message-format=json-diagnostic-rendered-ansi"
    } else {
        "--message-format=json"
    };
    command.args(BUILD_CHECKS).args(["--quiet", format]);
    command
}

fn build_limits(env: &CheckEnv) -> Limits {
    Limits {
        timeout: env.build_timeout,
        output_cap: 64 << 20,
        // rustc and the linker need room; the build is bounded by time.
        memory: None,
    }
}

/// Whether a message of cargo's (its package id, its target's name) is
/// about `lesson`.
fn belongs_to(lesson: &Lesson, package_id: &str, target: &str) -> bool {
    target == lesson.package
        || package_id.contains(&format!("#{}@", lesson.package))
        || package_id.contains(&lesson.dir_name)
}

/// What one cargo call said about each of `lessons`: its distinct compiler
/// errors, and its program and test programs.
fn sort_out(run: &RunOutput, lessons: &[&Lesson]) -> Vec<(Vec<String>, Artifacts)> {
    let mut built: Vec<(Vec<String>, Artifacts)> = lessons
        .iter()
        .map(|_| (Vec::new(), Artifacts::default()))
        .collect();
    let which = |package_id: &str, target: &str| {
        lessons
            .iter()
            .position(|lesson| belongs_to(lesson, package_id, target))
    };
    for message in Message::parse_stream(run.stdout.as_bytes()).flatten() {
        match message {
            Message::CompilerMessage(msg) => {
                if let Some(at) = which(&msg.package_id.repr, &msg.target.name)
                    && let Some(warning) = CompilerWarning::of(&msg.message, lessons[at])
                {
                    let warnings = &mut built[at].1.warnings;
                    // A file compiled into two targets warns twice, and one
                    // line can warn at each of its operations: once a line.
                    let same = |w: &CompilerWarning| {
                        (&w.lint, &w.file, w.line) == (&warning.lint, &warning.file, warning.line)
                    };
                    if !warnings.iter().any(same) {
                        warnings.push(warning);
                    }
                }
                if matches!(
                    msg.message.level,
                    DiagnosticLevel::Error | DiagnosticLevel::Ice
                ) && let Some(rendered) = msg.message.rendered
                {
                    // A lesson's error, or one in a crate it depends on
                    // (which fails it all the same).
                    let at = which(&msg.package_id.repr, &msg.target.name);
                    for (i, (errors, _)) in built.iter_mut().enumerate() {
                        // The library is compiled twice (as itself and as
                        // its test harness), so each error would otherwise
                        // show twice.
                        if at.is_none_or(|at| at == i) && !errors.contains(&rendered) {
                            errors.push(rendered.clone());
                        }
                    }
                }
            }
            Message::CompilerArtifact(artifact) => {
                let Some(executable) = artifact.executable else {
                    continue;
                };
                let Some(at) = which(&artifact.package_id.repr, &artifact.target.name) else {
                    continue;
                };
                let (lesson, artifacts) = (lessons[at], &mut built[at].1);
                if artifact.profile.test {
                    // Only the lesson's own checks (tests/*.rs) count: unit
                    // tests inside the learner's files are the learner's.
                    if artifact.target.is_test() {
                        let path = executable.into_std_path_buf();
                        artifacts.tests.push(TestProgram {
                            target: artifact.target.name.clone(),
                            fingerprint: Fingerprint::of(&path),
                            path,
                        });
                    }
                } else if artifact.target.is_bin() && artifact.target.name == lesson.package {
                    artifacts.program = Some(executable.into_std_path_buf());
                }
            }
            _ => {}
        }
    }
    built
}

/// Compiles `lesson` alone, or says why it does not compile.
// The error is the verdict itself, made once per check: its size is no cost.
#[allow(clippy::result_large_err)]
pub fn compile(env: &CheckEnv, lesson: &Lesson) -> Result<Artifacts, Report> {
    let mut command = cargo_test_no_run(env);
    command.args(["-p", &lesson.package]);
    let limits = build_limits(env);
    let run = env.run(command, Step::Build, limits).map_err(|err| {
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
    // The build's whole tree reached a limit of grading's cgroup: a build
    // script (or the code being compiled) took the memory or processes.
    if let Some(limit) = run.limit {
        return Err(report(
            limit.verdict(Stage::Compile),
            cut(&cargo_stderr(&run.stderr), SHOWN_LINES),
        ));
    }

    let (errors, mut artifacts) = sort_out(&run, &[lesson]).remove(0);
    let stderr = cargo_stderr(&run.stderr);
    if let Some(missing) = environment_fault(&errors, &stderr) {
        return Err(report(Verdict::Environment, missing));
    }
    // Without tests/ there is nothing to check (cargo says no test target
    // matches, and builds nothing): a lesson must never pass by having no
    // checks.
    // (Whether it has test files is looked up on disk: cargo's words for it
    // could be printed by a build script.)
    let no_checks = artifacts.tests.is_empty()
        && (run.success() || !has_test_files(&lesson.exercise_dir(&env.root)));
    if no_checks {
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
    if run.success() {
        return Ok(artifacts.finish());
    }
    let details = if errors.is_empty() {
        if !stderr.contains("failed to run custom build command")
            && !stderr.contains("build script logged errors")
            && !crate::reach::build_script_runs_learner_code(&env.root, lesson)
        {
            // No compiler message and no build script at fault (nor one that
            // runs learner code, which could have ended cargo itself): cargo
            // refused the workspace (a manifest, the lock file). Not the lesson.
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
    // The lesson's advice for what the errors say (a name missing from
    // the generated bindings, a symbol no library has).
    let plain = anstream::adapter::strip_str(&details).to_string();
    let mut details = details;
    for advice in &lesson.advice {
        if let Some(symptom) = &advice.symptom
            && plain.contains(symptom.as_str())
        {
            details.push_str(&format!("Hint: {}\n", advice.text));
        }
    }
    let mut failed = report(Verdict::CompileError, details);
    failed.compiler_warnings = std::mem::take(&mut artifacts.warnings);
    Err(failed)
}

/// Compiles the dependencies of each lesson, in a workspace whose exercises
/// are as shipped: grading's warm-up, so that the first submission is not
/// charged for them. Lesson by lesson, and then all together, as checks
/// build them: should cargo's feature unification ever make the builds of
/// one call differ from another's, both are there before any submission.
/// Unsolved lessons may well not link (that is what they are), so cargo keeps
/// going past them; cargo refusing to run is an error.
pub fn compile_dependencies(
    env: &CheckEnv,
    lessons: &[Lesson],
    together: &[&Lesson],
) -> Result<(), String> {
    let mut calls: Vec<Vec<&Lesson>> = lessons.iter().map(|lesson| vec![lesson]).collect();
    if together.len() > 1 {
        calls.push(together.to_vec());
    }
    for call in calls {
        let mut command = env.cargo();
        // Keeps cargo building past a crate that fails.
        command
            .args(BUILD_CHECKS)
            .args(["--quiet", "--no-fail-fast"]);
        for lesson in call {
            command.args(["-p", &lesson.package]);
        }
        match env.run(command, Step::Build, build_limits(env)) {
            // 101: some crate did not compile, as an unsolved one may not.
            Ok(run) if matches!(run.ending, Ending::Exited(0 | 101)) => {}
            Ok(run) if run.ending == Ending::TimedOut => {
                return Err("compiling the dependencies took too long".into());
            }
            Ok(run) => return Err(cut(&cargo_stderr(&run.stderr), SHOWN_LINES)),
            Err(err) => return Err(format!("cargo could not be started: {err}")),
        }
    }
    Ok(())
}

/// Does the lesson's crate have test files (`tests/*.rs`)?
fn has_test_files(crate_dir: &Path) -> bool {
    std::fs::read_dir(crate_dir.join("tests")).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.path().extension().is_some_and(|ext| ext == "rs"))
    })
}

/// What is missing from the machine, when that is why the build failed: a
/// linker, a C compiler for a build script, or libclang for bindgen. The
/// build's words only say where to look; the checker's own probes (tools.rs)
/// decide, so that learner code (a build script, `compile_error!`) printing
/// the same words cannot make its failure the machine's.
fn environment_fault(errors: &[String], stderr: &str) -> Option<String> {
    use crate::tools;
    if let Some(error) = errors
        .iter()
        .find(|e| e.contains("linker `") && e.contains("not found"))
    {
        let first = error.lines().next().unwrap_or(error);
        let linker = first.split('`').nth(1).unwrap_or("cc");
        if tools::find_program(linker).is_none() {
            return Some(format!(
                "Rust needs a linker to build programs, and none was found (`{linker}` is not \
                 on PATH).\n{}",
                tools::INSTALL_C_TOOLCHAIN
            ));
        }
    }
    if (stderr.contains("failed to find tool") || stderr.contains("is `cc` installed"))
        && !tools::c_compiler_found()
    {
        return Some(format!(
            "A build script needs a C compiler, and none was found.\n{}",
            tools::INSTALL_C_TOOLCHAIN
        ));
    }
    // A build script that says the machine lacks libclang (lesson 11's does,
    // with an `environment:` prefix) is believed only when the checker's own
    // look finds none; the words shown are the checker's.
    let says_environment = stderr
        .lines()
        .any(|line| line.starts_with("error: ") && line.contains("environment: "));
    if says_environment && stderr.contains("libclang") && !tools::libclang_found() {
        return Some(tools::INSTALL_LIBCLANG.to_string());
    }
    None
}

/// What a check that needs a missing tool said, when the lessons are
/// required to use it (`FFI_WORKBOOK_REQUIRE_TOOLS`, read by the support
/// crate's `skip_without`): the machine's fault, if it is true. Learner code
/// can print anything, so the claim counts only when the checker itself
/// sees it: the tool listed as required and not on the checker's PATH.
pub fn missing_required_tool(check_output: &str) -> Option<String> {
    const MARKER: &str = ", which FFI_WORKBOOK_REQUIRE_TOOLS says must be here, but ";
    let line = check_output.lines().find(|line| line.contains(MARKER))?;
    let (before, why) = line.split_once(MARKER)?;
    let tool = before.rsplit(" needs ").next()?.trim();
    let required = std::env::var("FFI_WORKBOOK_REQUIRE_TOOLS")
        .is_ok_and(|list| list.split(',').any(|t| t.trim().eq_ignore_ascii_case(tool)));
    if !required || tool.is_empty() || on_path(tool) {
        return None;
    }
    let why = why
        .split(". Install ")
        .next()
        .unwrap_or(why)
        .trim_end_matches('.');
    Some(format!(
        "The lessons are required to use {tool} here (FFI_WORKBOOK_REQUIRE_TOOLS), but {why}.\n\
         Install {tool} (Debian or Ubuntu `sudo apt install {tool}`, Fedora `sudo dnf install \
         {tool}`), or leave it out of FFI_WORKBOOK_REQUIRE_TOOLS to skip the checks that need it."
    ))
}

/// Whether a program named `tool` is on PATH.
fn on_path(tool: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        let file = dir.join(tool);
        file.is_file() || file.with_extension("exe").is_file()
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_faults_are_found_by_the_checkers_own_probes() {
        let linker = "error: linker `no-such-linker-ffi-workbook` not found\n  |\n  = note: No such file or directory (os error 2)";
        assert!(
            environment_fault(&[linker.into()], "")
                .unwrap()
                .contains("build-essential")
        );
    }

    #[test]
    fn words_alone_do_not_make_a_failure_the_machines() {
        // What learner code can print (`compile_error!`, a build script),
        // on a machine that has the tools it names.
        let cc = "error occurred in cc-rs: failed to find tool \"cc\": No such file or directory";
        assert_eq!(
            environment_fault(&[], cc).is_some(),
            !crate::tools::c_compiler_found()
        );
        // A program every machine of its system has.
        let present = if cfg!(windows) {
            "error: linker `cmd` not found"
        } else {
            "error: linker `sh` not found"
        };
        assert_eq!(environment_fault(&[present.into()], ""), None);
        let marker = "error: generated_bindings@0.1.0: environment: libclang is not installed. Install it: apt install libclang-dev\nerror: build script logged errors\n";
        let found = environment_fault(&[], marker);
        if crate::tools::libclang_found() {
            assert_eq!(found, None);
        } else {
            // The checker's own words, not the build script's.
            assert_eq!(found.as_deref(), Some(crate::tools::INSTALL_LIBCLANG));
        }
        let other = "error: x@0.1.0: environment: the disk is full\n";
        assert_eq!(environment_fault(&[], other), None);
    }

    fn diagnostic(level: &str, code: &str, file: &str) -> Diagnostic {
        serde_json::from_value(serde_json::json!({
            "message": "this creates a dangling pointer",
            "code": {"code": code, "explanation": null},
            "level": level,
            "spans": [{"file_name": file, "byte_start": 0, "byte_end": 1, "line_start": 132,
                       "line_end": 132, "column_start": 36, "column_end": 42, "is_primary": true,
                       "text": [], "label": null, "suggested_replacement": null,
                       "suggestion_applicability": null, "expansion": null}],
            "children": [],
            "rendered": "warning: this creates a dangling pointer\n"
        }))
        .unwrap()
    }

    #[test]
    fn only_the_listed_warnings_on_the_lessons_own_files_are_kept() {
        let lesson = Lesson::for_tests("07_c_strings");
        let own = "exercises/07_c_strings/src/lib.rs";
        let kept = CompilerWarning::of(
            &diagnostic("warning", "dangling_pointers_from_temporaries", own),
            &lesson,
        )
        .unwrap();
        assert_eq!(
            kept.headline(),
            "dangling_pointers_from_temporaries at exercises/07_c_strings/src/lib.rs:132:36"
        );
        assert!(kept.why().contains("temporary"));
        // E0133 as a warning is unsafe_op_in_unsafe_fn.
        let unsafe_op = CompilerWarning::of(&diagnostic("warning", "E0133", own), &lesson);
        assert_eq!(unsafe_op.unwrap().lint, "unsafe_op_in_unsafe_fn");
        // Not in the list, not a warning, not the lesson's file.
        for (level, code, file) in [
            ("warning", "unused_variables", own),
            ("error", "E0133", own),
            ("warning", "improper_ctypes", "support/src/lib.rs"),
            (
                "warning",
                "improper_ctypes",
                "target/debug/build/x/out/bindings.rs",
            ),
        ] {
            assert_eq!(
                CompilerWarning::of(&diagnostic(level, code, file), &lesson),
                None,
                "{level} {code} in {file}"
            );
        }
    }

    /// Learner code printing the support crate's words does not make its
    /// failure the machine's: the checker must see the tool missing itself.
    #[test]
    fn a_claimed_missing_tool_that_is_here_is_not_the_machines_fault() {
        let claim = |tool: &str| {
            format!(
                "thread 't' panicked at support/src/testing.rs:41:9:\nt needs {tool}, which \
                 FFI_WORKBOOK_REQUIRE_TOOLS says must be here, but {tool} is not installed. \
                 Install {tool}, or leave it out of FFI_WORKBOOK_REQUIRE_TOOLS."
            )
        };
        // cargo runs this test, so it is on PATH.
        assert_eq!(missing_required_tool(&claim("cargo")), None);
        // Not listed as required (nobody lists this name).
        assert_eq!(missing_required_tool(&claim("no-such-tool-3141")), None);
        assert_eq!(missing_required_tool("an ordinary assertion failed"), None);
    }
}
