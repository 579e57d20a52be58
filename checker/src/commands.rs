//! The one-shot commands: each prints its answer and returns the exit code
//! (0 success, 1 checks failed; errors become 2 in `fail`).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};

use crate::c_build::{self, Built, CBuildError};
use crate::check::CheckEnv;
use crate::compile::compile_together;
use crate::process::Limits;
use crate::progress;
use crate::scratch::{self, Scratch};
use crate::session::{Session, run_compiled_check};
use crate::verdict::Verdict;
use crate::workbook::{Lesson, Workbook};
use crate::{reset as reset_mod, ui, warmup};

/// The output a learner's program or tests may print before it is stopped.
pub const OUTPUT_CAP: usize = 256 * 1024;

/// The address space a learner's program or test process may map: far more
/// than any lesson needs (valgrind included), far less than the machine has.
pub const MEMORY_LIMIT: u64 = 1 << 30;

/// The workbook and how to check it.
pub struct Context {
    pub workbook: Workbook,
    pub env: CheckEnv,
}

impl Context {
    pub fn new(root: &Path, timeout_secs: u64) -> Result<Context> {
        let root = root
            .canonicalize()
            .with_context(|| format!("the workbook folder {} does not exist", root.display()))?;
        let workbook = Workbook::load(&root)?;
        let limits = Limits {
            timeout: Duration::from_secs(timeout_secs.max(1)),
            output_cap: OUTPUT_CAP,
            // AddressSanitizer reserves terabytes of address space for its
            // shadow memory: an ASan build gets no address-space limit.
            memory: (!crate::c_build::asan_mode()).then_some(MEMORY_LIMIT),
        };
        let mut env = CheckEnv::for_workbook(&root, limits);
        env.color = ui::color_enabled();
        Ok(Context { workbook, env })
    }

    pub fn root(&self) -> &Path {
        &self.workbook.root
    }
}

pub fn fail(err: &anyhow::Error) -> ExitCode {
    // Never `eprintln!`: it panics when the terminal is gone.
    let _ = writeln!(std::io::stderr(), "error: {err:#}");
    ExitCode::from(2)
}

fn exit_for(passed: bool) -> ExitCode {
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// A verdict's exit code: 0 passed, 2 when the machine is at fault (no C
/// compiler, no linker, no libclang, a tool the lessons are required to
/// use), 1 for everything the learner can fix.
pub fn exit_for_verdict(verdict: &Verdict) -> ExitCode {
    if verdict.is_environment() {
        ExitCode::from(2)
    } else {
        exit_for(verdict.passed())
    }
}

/// Prints the session's warnings on stderr (a closed stderr is no reason to
/// stop: the verdict still goes to stdout).
pub fn print_warnings(session: &mut Session) {
    for warning in session.take_warnings() {
        let _ = writeln!(std::io::stderr(), "warning: {warning}");
    }
}

/// The session with every lesson's state known: when no progress was
/// recorded yet (or it was unreadable), it is rebuilt by checking the
/// lessons in order up to the first that does not pass.
pub fn known_session(context: &Context) -> Session {
    let mut session = Session::from_context(context);
    print_warnings(&mut session);
    if !session.recorded() {
        let _activity =
            ui::Activity::start("no progress recorded yet: checking your lessons".into());
        session.check_in_order(true, &mut |_, _| {});
    }
    session
}

/// No terminal: check every lesson in order up to the first that fails,
/// print the status once, and exit 0 only if every lesson passes. What was
/// recorded for the lessons after that one is kept.
pub fn status_once(context: &Context) -> Result<ExitCode> {
    let mut session = Session::from_context(context);
    if let Some(first) = session.workbook.lessons.first() {
        // On a fresh clone: a bar while the dependencies compile.
        warmup::first_build(&session.env, first);
    }
    let activity = ui::Activity::start("checking your lessons in order".into());
    let failing = session.check_in_order(false, &mut |lesson, report| {
        if report.verdict.passed() {
            activity.suspend(|| println!("PASS lesson {} ({})", lesson.number, lesson.name));
        }
    });
    drop(activity);
    print_warnings(&mut session);
    let workbook = &session.workbook;
    println!(
        "\nFFI Workbook {}",
        ui::progress_bar(session.passed_count(), workbook.lessons.len())
    );
    match failing {
        Some((lesson, report)) => {
            println!("\n{}", ui::report_text(workbook, &lesson, &report));
            Ok(exit_for_verdict(&report.verdict))
        }
        None => {
            println!("Every lesson passes. Congratulations!");
            Ok(exit_for(true))
        }
    }
}

pub fn list(context: &Context) -> Result<ExitCode> {
    let mut session = known_session(context);
    print_warnings(&mut session);
    println!(
        "FFI Workbook {}",
        ui::progress_bar(session.passed_count(), session.workbook.lessons.len())
    );
    print!("{}", ui::list_text(&session, None));
    Ok(ExitCode::SUCCESS)
}

/// `verbose`: backtraces and repeated blocks in full.
pub fn run(context: &Context, query: &str, verbose: bool) -> Result<ExitCode> {
    let mut session = Session::from_context(context);
    let lesson = session.workbook.find(query)?.clone();
    let activity = ui::Activity::start(format!(
        "checking lesson {} ({})",
        lesson.number, lesson.name
    ));
    let report = session.check(&lesson);
    drop(activity);
    print_warnings(&mut session);
    print!(
        "{}",
        ui::report_text_with(&session.workbook, &lesson, &report, verbose)
    );
    Ok(exit_for_verdict(&report.verdict))
}

/// `level`: which hint (1 = the first); `all`: every level, in order.
pub fn hint(context: &Context, query: &str, level: usize, all: bool) -> Result<ExitCode> {
    let lesson = context.workbook.find(query)?;
    if level > lesson.hints.len() {
        bail!(
            "lesson {} has {} hint level{}",
            lesson.name,
            lesson.hints.len(),
            if lesson.hints.len() == 1 { "" } else { "s" }
        );
    }
    if all {
        for level in 1..=lesson.hints.len() {
            println!("{}", ui::hint_text(lesson, level));
        }
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", ui::hint_text(lesson, level));
    Ok(ExitCode::SUCCESS)
}

pub fn lesson_text(context: &Context, query: &str) -> Result<ExitCode> {
    let lesson = context.workbook.find(query)?;
    print!("{}", read_lesson_text(context.root(), lesson)?);
    Ok(ExitCode::SUCCESS)
}

pub fn read_lesson_text(root: &Path, lesson: &Lesson) -> Result<String> {
    let path = lesson.text_path(root);
    let markdown = std::fs::read_to_string(&path)
        .with_context(|| format!("the lesson text {} is missing", path.display()))?;
    Ok(ui::lesson_for_terminal(&markdown))
}

pub fn verify(context: &Context, solutions: bool, review: bool) -> Result<ExitCode> {
    let workbook = &context.workbook;
    // The learner's own lessons are recorded in their progress; the
    // solutions are checked in a scratch copy and recorded nowhere.
    let mut session = (!solutions).then(|| Session::from_context(context));
    let (env, what) = if solutions {
        (
            prepare_solutions_copy(context, review)?,
            "reference solutions",
        )
    } else {
        (context.env.clone(), "lessons")
    };
    let mut failures = Vec::new();
    let total = workbook.lessons.len();
    // Every lesson compiles in one cargo call, on every core; each is then
    // checked in turn. Its files' fingerprints are taken before, so that a
    // file saved meanwhile counts as not yet checked.
    let fingerprints: Vec<String> = (workbook.lessons.iter())
        .map(|lesson| progress::fingerprint(&env.root, lesson))
        .collect();
    let spinner = ui::Activity::start(format!("compiling the {total} {what}"));
    let all: Vec<&Lesson> = workbook.lessons.iter().collect();
    let start = std::time::Instant::now();
    let mut compiled = compile_together(&env, &all);
    drop(spinner);
    if !compiled.is_empty() {
        println!(
            "compiled together: the {total} {what} ({:.1} s); the times below are each one's checks",
            start.elapsed().as_secs_f64()
        );
    }
    for (lesson, fingerprint) in workbook.lessons.iter().zip(fingerprints) {
        let spinner = ui::Activity::start(format!(
            "checking lesson {}/{total} ({})",
            lesson.number, lesson.name
        ));
        let checked = run_compiled_check(&env, lesson, fingerprint, &mut compiled);
        drop(spinner);
        let report = &checked.report;
        println!(
            "{} {:>2} {:<12} {} ({:.1} s)",
            ui::mark(&report.verdict),
            lesson.number,
            lesson.name,
            report.verdict.label(),
            report.elapsed.as_secs_f64()
        );
        if let Some(session) = session.as_mut() {
            session.record(&checked);
            print_warnings(session);
        }
        if !report.verdict.passed() {
            failures.push((lesson, checked.report));
        }
    }
    for (lesson, report) in &failures {
        println!("\n{}", ui::report_text(workbook, lesson, report));
    }
    if solutions && review {
        let copied = bring_back_new_snapshots(workbook, &env.root)?;
        if !copied.is_empty() {
            println!("\nNew snapshots to review (accept with `cargo insta review`):");
            for path in copied {
                println!("  {}", path.display());
            }
        }
    }
    println!(
        "\n{} of {} {what} pass.",
        workbook.lessons.len() - failures.len(),
        workbook.lessons.len()
    );
    // One lesson the machine could not check makes the whole run the
    // machine's fault: what is installed must change before it can pass.
    if failures
        .iter()
        .any(|(_, report)| report.verdict.is_environment())
    {
        return Ok(ExitCode::from(2));
    }
    Ok(exit_for(failures.is_empty()))
}

/// A scratch copy of the workbook with every solution in it, under
/// `target/`, with its own cargo target folder. Both are kept between runs
/// and the copy is only brought up to date, so a second run rebuilds only
/// what changed.
fn prepare_solutions_copy(context: &Context, review: bool) -> Result<CheckEnv> {
    // Said before the scratch copy is made, not after.
    scratch::require_solutions(&context.workbook)?;
    let base = context.root().join("target").join("workbook-scratch");
    let copy = base.join("solutions");
    Scratch::new(&context.workbook, copy.clone(), &[])
        .restore()
        .with_context(|| format!("preparing the scratch copy {}", copy.display()))?;
    scratch::overlay_solutions(&context.workbook, &copy)?;
    let mut env = context.env.in_copy(&copy, base.join("target"));
    env.write_new_snapshots = review;
    Ok(env)
}

fn bring_back_new_snapshots(workbook: &Workbook, copy: &Path) -> Result<Vec<PathBuf>> {
    let mut copied = Vec::new();
    for lesson in &workbook.lessons {
        let from = lesson.exercise_dir(copy).join("tests").join("snapshots");
        let Ok(entries) = std::fs::read_dir(&from) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().ends_with(".snap.new") {
                let to = lesson
                    .exercise_dir(&workbook.root)
                    .join("tests")
                    .join("snapshots")
                    .join(&name);
                // Moved, not copied: a later run must not bring back a stale one.
                std::fs::copy(entry.path(), &to)?;
                std::fs::remove_file(entry.path())?;
                copied.push(to);
            }
        }
    }
    Ok(copied)
}

pub fn reset(context: &Context, query: &str, yes: bool) -> Result<ExitCode> {
    let lesson = context.workbook.find(query)?;
    let files: Vec<String> = lesson
        .editable_paths()
        .map(|p| p.display().to_string())
        .collect();
    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "reset replaces {} with the original; run it again with --yes to confirm",
                files.join(", ")
            );
        }
        print!(
            "Reset lesson {} ({})? This replaces {} with the original; your version is kept \
             in a backup. [y/N] ",
            lesson.number,
            lesson.title,
            files.join(", ")
        );
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("Nothing was changed.");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let outcome = reset_mod::reset(context.root(), lesson)?;
    match &outcome.backup {
        Some(backup) => println!("Your version was saved in {}", backup.display()),
        None => println!("Your files were already the originals; no backup was needed."),
    }
    for path in &outcome.restored {
        println!("Restored {} (from git {})", path.display(), outcome.source);
    }
    let mut session = Session::from_context(context);
    session.forget(lesson);
    print_warnings(&mut session);
    Ok(ExitCode::SUCCESS)
}

pub fn build_c(context: &Context) -> Result<ExitCode> {
    let root = context.root();
    let needs = context.workbook.all_c_needs();
    match c_build::build_all(&root.join("csrc"), &context.env.c_dir, &needs) {
        Ok(results) => {
            for (artifact, built) in results {
                let state = match built {
                    Built::Fresh => "up to date",
                    Built::Rebuilt => "built",
                };
                println!(
                    "{state:>10}  {}",
                    context.env.c_dir.join(artifact.file_name()).display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err @ CBuildError::Compile { .. }) => {
            eprintln!("{err}");
            Ok(exit_for(false))
        }
        Err(err) => Err(err.into()),
    }
}
