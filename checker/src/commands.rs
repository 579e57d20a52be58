//! The one-shot commands: each prints its answer and returns the exit code
//! (0 success, 1 checks failed; errors become 2 in `fail`).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};

use crate::c_build::{self, Built, CBuildError};
use crate::check::{CheckEnv, check_lesson};
use crate::process::Limits;
use crate::progress::{self, Loaded, Progress};
use crate::scratch::{self, Scratch};
use crate::verdict::Report;
use crate::workbook::{Lesson, Workbook};
use crate::{reset as reset_mod, ui};

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
            memory: Some(MEMORY_LIMIT),
        };
        let mut env = CheckEnv::for_workbook(&root, limits);
        env.color = crate::ui::stdout_takes_colors();
        Ok(Context { workbook, env })
    }

    pub fn root(&self) -> &Path {
        &self.workbook.root
    }
}

pub fn fail(err: &anyhow::Error) -> ExitCode {
    eprintln!("error: {err:#}");
    ExitCode::from(2)
}

fn exit_for(passed: bool) -> ExitCode {
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The saved progress; when it is missing or unreadable, it is rebuilt by
/// checking the lessons in order up to the first that does not pass.
pub fn load_progress(context: &Context) -> Result<Progress> {
    match progress::load(context.root()) {
        Loaded::Found(progress) => Ok(progress),
        Loaded::Missing => Ok(check_in_order(context, &mut |_, _| {})?.0),
        Loaded::Corrupt { set_aside, why } => {
            eprintln!(
                "note: your progress file could not be read ({why}); it was moved to {} and is \
                 being rebuilt by checking your lessons.",
                set_aside.display()
            );
            Ok(check_in_order(context, &mut |_, _| {})?.0)
        }
    }
}

/// Checks lessons from the first, stopping at the first that does not pass;
/// saves and returns the progress, and that lesson's report.
pub fn check_in_order(
    context: &Context,
    on_checked: &mut dyn FnMut(&Lesson, &Report),
) -> Result<(Progress, Option<Report>)> {
    let mut progress = Progress::new();
    let mut failing = None;
    for lesson in &context.workbook.lessons {
        let report = check_lesson(&context.env, lesson);
        on_checked(lesson, &report);
        progress.record(lesson, report.verdict.passed());
        if !report.verdict.passed() {
            failing = Some(report);
            break;
        }
    }
    progress.save(context.root())?;
    Ok((progress, failing))
}

/// No terminal: print the status once and exit 0 only if every lesson passes.
pub fn status_once(context: &Context) -> Result<ExitCode> {
    let workbook = &context.workbook;
    let (progress, failing) = check_in_order(context, &mut |lesson, report| {
        if report.verdict.passed() {
            println!("PASS lesson {} ({})", lesson.number, lesson.name);
        }
    })?;
    println!(
        "\nFFI Workbook {}",
        ui::progress_bar(progress.count(workbook), workbook.lessons.len())
    );
    match (progress.current(workbook), failing) {
        (Some(lesson), Some(report)) => {
            println!("\n{}", ui::report_text(workbook, lesson, &report));
            Ok(exit_for(false))
        }
        _ => {
            println!("Every lesson passes. Congratulations!");
            Ok(exit_for(true))
        }
    }
}

pub fn list(context: &Context) -> Result<ExitCode> {
    let progress = load_progress(context)?;
    let workbook = &context.workbook;
    println!(
        "FFI Workbook {}",
        ui::progress_bar(progress.count(workbook), workbook.lessons.len())
    );
    print!("{}", ui::list_text(workbook, &progress));
    Ok(ExitCode::SUCCESS)
}

pub fn run(context: &Context, query: &str) -> Result<ExitCode> {
    let lesson = context.workbook.find(query)?;
    let report = check_lesson(&context.env, lesson);
    // One lesson's check must not trigger a rebuild of every other verdict:
    // an unreadable file simply starts afresh from this verdict.
    let mut progress = match progress::load(context.root()) {
        Loaded::Found(progress) => progress,
        Loaded::Missing | Loaded::Corrupt { .. } => Progress::new(),
    };
    progress.record(lesson, report.verdict.passed());
    progress.save(context.root())?;
    print!("{}", ui::report_text(&context.workbook, lesson, &report));
    Ok(exit_for(report.verdict.passed()))
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
    let (env, what) = if solutions {
        (
            prepare_solutions_copy(context, review)?,
            "reference solutions",
        )
    } else {
        (context.env.clone(), "lessons")
    };
    let mut progress = Progress::new();
    let mut failures = Vec::new();
    for lesson in &workbook.lessons {
        let report = check_lesson(&env, lesson);
        println!(
            "{} {:>2} {:<12} {} ({:.1} s)",
            if report.verdict.passed() {
                "PASS"
            } else {
                "FAIL"
            },
            lesson.number,
            lesson.name,
            report.verdict.label(),
            report.elapsed.as_secs_f64()
        );
        progress.record(lesson, report.verdict.passed());
        if !report.verdict.passed() {
            failures.push((lesson, report));
        }
    }
    if !solutions {
        progress.save(context.root())?;
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
    Ok(exit_for(failures.is_empty()))
}

/// A scratch copy of the workbook with every solution in it, under
/// `target/`, with its own cargo target folder. Both are kept between runs
/// and the copy is only brought up to date, so a second run rebuilds only
/// what changed.
fn prepare_solutions_copy(context: &Context, review: bool) -> Result<CheckEnv> {
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
    if let Loaded::Found(mut progress) = progress::load(context.root()) {
        progress.record(lesson, false);
        progress.save(context.root())?;
    }
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
