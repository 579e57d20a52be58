//! `checker grade SUBMISSION...`: grades a class against the instructor's
//! workbook.
//!
//! Each submission is a workbook folder or a `.zip` / `.tar.gz` of one. Only
//! the files a lesson lists as `editable` are taken from it; everything else
//! (tests, snapshots, manifests, `csrc/`) is the instructor's, and a
//! submission that changed one of those is flagged. Every lesson is checked
//! with the same code the learners' own checker uses (check.rs), in child
//! processes with time and output limits, so a submission that hangs,
//! crashes or floods never stops the batch.
//!
//! Speed: `--jobs N` grading jobs each own one scratch workspace and one
//! cargo target folder under the work folder (`target/workbook-grade/` by
//! default), kept for the whole batch and between batches. Dependencies are
//! compiled once per job, not once per submission. Jobs never share a target
//! folder: cargo locks it for a whole build (so they would take turns), and
//! the test binaries a check runs are found at paths that the next build of
//! the same crate overwrites.
//!
//! Before grading, each job checks the reference solutions in its workspace:
//! if one does not pass there, the fault is the machine's or the course's,
//! and no learner is graded on it.

mod merge;
mod output;
mod report;
mod shard;
mod submission;
mod summary;
mod workspace;

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::c_build::{self, CBuildError};
use crate::check::{CheckEnv, check_lesson, cut};
use crate::commands::Context;
use crate::scratch::{self, Scratch};
use crate::ui;
use crate::verdict::Report;
use crate::workbook::{Lesson, Workbook};

pub use merge::{Options as MergeOptions, run as merge};
pub use report::Format;
use report::{
    BatchReport, Flag, FlagKind, GradeVerdict, LessonInfo, LessonResult, SubmissionReport,
};
pub use shard::Shard;
use submission::Source;

/// Points a passed lesson earns. One each: the lessons are of similar size,
/// and a gradebook can weight them if a course wants otherwise.
pub const POINTS_PER_LESSON: u32 = 1;

/// How many of a submission's changed-while-graded files are listed.
const MAX_LISTED_CHANGES: usize = 20;

pub struct Options {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    /// Report files; each one's format comes from its extension.
    pub out: Vec<PathBuf>,
    pub jobs: Option<usize>,
    pub work_dir: Option<PathBuf>,
    /// Grade only this part of the batch (`--shard K/N`).
    pub shard: Option<Shard>,
}

/// Jobs when `--jobs` is not given: each job runs cargo, which uses every
/// core on its own, so one job per two cores, and at most four.
fn default_jobs() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores / 2).clamp(1, 4)
}

enum Event {
    Preparing,
    Started { name: String },
    Finished { report: Box<SubmissionReport> },
    Failed(anyhow::Error),
}

pub fn run(context: &Context, options: Options) -> Result<ExitCode> {
    let workbook = &context.workbook;
    // Named over the whole command line (names are made unique there), then
    // narrowed to the shard: every shard sees the same names.
    let mut sources = submission::sources(&options.paths).map_err(anyhow::Error::msg)?;
    let given = sources.len();
    if let Some(shard) = options.shard {
        sources.retain(|source| shard.contains(&source.name));
    }
    // A report that cannot be written should be said now, not after an hour of grading.
    output::check_writable(&options.out)?;
    let lessons: Vec<LessonInfo> = workbook
        .lessons
        .iter()
        .map(|lesson| LessonInfo {
            lesson: lesson.name.clone(),
            number: lesson.number,
            title: lesson.title.clone(),
            max_points: POINTS_PER_LESSON,
        })
        .collect();
    let max_score = POINTS_PER_LESSON * workbook.lessons.len() as u32;
    let batch_start = Instant::now();
    let results = if sources.is_empty() {
        // An empty shard still writes its (empty) report, for `merge`.
        eprintln!(
            "Shard {} holds none of the {given} submissions; its report is empty.",
            options.shard.expect("only a shard can select nothing")
        );
        Vec::new()
    } else {
        grade_all(context, &options, &sources)?
    };
    let batch = BatchReport::new(
        workbook.root.display().to_string(),
        lessons,
        max_score,
        options.shard,
        results,
    );
    output::emit(&batch, options.format, &options.out)?;
    if !options.out.is_empty() {
        eprintln!(
            "Graded {} submission{}{} in {:.1} s; the report is in {}.",
            batch.submissions.len(),
            if batch.submissions.len() == 1 {
                ""
            } else {
                "s"
            },
            match options.shard {
                Some(shard) => format!(" (shard {shard} of {given})"),
                None => String::new(),
            },
            batch_start.elapsed().as_secs_f64(),
            output::file_list(&options.out)
        );
    }
    Ok(output::exit_code(&batch))
}

/// Grades `sources` with `--jobs` grading jobs; the reports in any order.
fn grade_all(
    context: &Context,
    options: &Options,
    sources: &[Source],
) -> Result<Vec<SubmissionReport>> {
    let workbook = &context.workbook;
    let work_dir = match &options.work_dir {
        Some(dir) => dir.clone(),
        None => workbook.root.join("target").join("workbook-grade"),
    };
    std::fs::create_dir_all(&work_dir)
        .with_context(|| format!("creating the work folder {}", work_dir.display()))?;
    let work_dir = work_dir.canonicalize()?;
    let _lock = lock_work_dir(&work_dir)?;
    let also_skip = entries_to_skip(&workbook.root, sources, &work_dir);
    let jobs = options
        .jobs
        .unwrap_or_else(default_jobs)
        .min(sources.len())
        .max(1);

    warn_if_exercises_are_solved(workbook);

    eprintln!(
        "Grading {} submission{} with {jobs} job{}. Each job first compiles the dependencies and \
         checks the reference solutions in {}.",
        sources.len(),
        if sources.len() == 1 { "" } else { "s" },
        if jobs == 1 { "" } else { "s" },
        work_dir.display()
    );

    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (events, received) = mpsc::channel::<Event>();
    let mut results: Vec<SubmissionReport> = Vec::with_capacity(sources.len());
    let mut failure = None;
    std::thread::scope(|scope| {
        for job in 0..jobs {
            let events = events.clone();
            let (next, stop, work_dir, also_skip) = (&next, &stop, &work_dir, &also_skip);
            scope.spawn(move || {
                let _ = events.send(Event::Preparing);
                let job_dir = work_dir.join(format!("job-{job}"));
                let grader = match Grader::prepare(context, &job_dir, also_skip) {
                    Ok(grader) => grader,
                    Err(err) => {
                        stop.store(true, Ordering::SeqCst);
                        let _ = events.send(Event::Failed(err));
                        return;
                    }
                };
                while !stop.load(Ordering::SeqCst) {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(source) = sources.get(index) else {
                        break;
                    };
                    let _ = events.send(Event::Started {
                        name: source.name.clone(),
                    });
                    let report = grader.grade(source);
                    let _ = events.send(Event::Finished {
                        report: Box::new(report),
                    });
                }
            });
        }
        drop(events);
        let mut progress = Progress::new(sources.len());
        for event in received {
            match event {
                Event::Preparing => progress.preparing(),
                Event::Started { name } => progress.started(&name),
                Event::Finished { report } => {
                    progress.finished(&report);
                    results.push(*report);
                }
                Event::Failed(err) => {
                    failure.get_or_insert(err);
                }
            }
        }
        progress.clear();
    });
    if let Some(err) = failure {
        return Err(err);
    }
    Ok(results)
}

/// A file a submission lacks is taken from the instructor's `exercises/`:
/// if those hold solved code (an instructor who tried the course in this
/// clone), a submission missing a file would get the answer. Say so.
fn warn_if_exercises_are_solved(workbook: &Workbook) {
    let solved: Vec<&str> = workbook
        .lessons
        .iter()
        .filter(|lesson| {
            lesson.editable.iter().all(|file| {
                let ours = std::fs::read(lesson.exercise_dir(&workbook.root).join(file));
                let answer = std::fs::read(lesson.solution_dir(&workbook.root).join(file));
                matches!((ours, answer), (Ok(a), Ok(b)) if a == b)
            })
        })
        .map(|lesson| lesson.dir_name.as_str())
        .collect();
    if !solved.is_empty() {
        eprintln!(
            "warning: in {}, exercises/ holds the reference answers for {}. A submission that \
             lacks one of a lesson's files is graded with this copy's file, so grade from a \
             clean clone (or `checker reset` those lessons) to be fair.",
            workbook.root.display(),
            solved.join(", ")
        );
    }
}

/// One batch at a time per work folder: its job workspaces are reused.
fn lock_work_dir(work_dir: &Path) -> Result<File> {
    let path = work_dir.join(".lock");
    let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            eprintln!(
                "Another grading batch is using {}; waiting for it to finish...",
                work_dir.display()
            );
            file.lock()?;
        }
        Err(std::fs::TryLockError::Error(err)) => {
            return Err(err).with_context(|| format!("locking {}", path.display()));
        }
    }
    Ok(file)
}

/// Top-level entries of the instructor's folder that hold submissions or the
/// work folder: they are not part of the workbook and are not copied.
fn entries_to_skip(root: &Path, sources: &[Source], work_dir: &Path) -> Vec<OsString> {
    let mut skip = Vec::new();
    let paths = sources
        .iter()
        .filter_map(|s| s.path.canonicalize().ok())
        .chain([work_dir.to_path_buf()]);
    for path in paths {
        if let Ok(rel) = path.strip_prefix(root)
            && let Some(first) = rel.components().next()
        {
            let first = first.as_os_str().to_owned();
            let essential = ["exercises", "csrc", "support", "checker", "Cargo.toml"]
                .iter()
                .any(|e| first == *e);
            if !essential && !skip.contains(&first) {
                skip.push(first);
            }
        }
    }
    skip
}

/// One grading job: its workspace, ready to grade submissions one by one.
struct Grader<'a> {
    workbook: &'a Workbook,
    job_dir: PathBuf,
    scratch: Scratch,
    env: CheckEnv,
}

impl<'a> Grader<'a> {
    fn prepare(context: &'a Context, job_dir: &Path, also_skip: &[OsString]) -> Result<Grader<'a>> {
        let workbook = &context.workbook;
        let root = job_dir.join("workbook");
        let scratch = Scratch::new(workbook, root.clone(), also_skip);
        scratch
            .restore()
            .with_context(|| format!("preparing the grading workspace {}", root.display()))?;
        let mut env = context.env.in_copy(&root, job_dir.join("target"));
        env.color = false;
        env.write_new_snapshots = false;
        // The first build compiles every dependency: give it time.
        env.build_timeout = Duration::from_secs(1800);
        let mut grader = Grader {
            workbook,
            job_dir: job_dir.to_path_buf(),
            scratch,
            env,
        };
        grader.calibrate()?;
        // From now on a lesson compiles in seconds; a build that takes
        // minutes is a learner's build.rs that loops.
        grader.env.build_timeout =
            Duration::from_secs((grader.env.limits.timeout.as_secs() * 6).max(120));
        Ok(grader)
    }

    /// Builds the C and checks every reference solution in this workspace.
    fn calibrate(&self) -> Result<()> {
        let root = &self.scratch.root;
        c_build::build_all(
            &root.join("csrc"),
            &self.env.c_dir,
            &self.workbook.all_c_needs(),
        )
        .map_err(|err| {
            let why = match err {
                CBuildError::MissingSource(path) => format!(
                    "{} is missing from the instructor's copy, {}",
                    path.strip_prefix(root).unwrap_or(&path).display(),
                    self.workbook.root.display()
                ),
                err => err.to_string(),
            };
            anyhow::anyhow!(
                "the instructor's C does not build, so no submission can be graded \
                 (this is not the learners' fault):\n{why}"
            )
        })?;
        if !self.workbook.root.join("solutions").is_dir() {
            eprintln!(
                "note: {} has no solutions/ folder, so the grading workspace cannot be checked \
                 against the reference answers first.",
                self.workbook.root.display()
            );
            return Ok(());
        }
        scratch::overlay_solutions(self.workbook, root)?;
        let mut failures = String::new();
        for lesson in &self.workbook.lessons {
            let report = check_lesson(&self.env, lesson);
            if !report.verdict.passed() {
                failures.push('\n');
                failures.push_str(&ui::report_text(self.workbook, lesson, &report));
            }
        }
        if !failures.is_empty() {
            bail!(
                "before grading, the reference solutions were checked in the grading workspace \
                 {} and not all of them pass there. No submission was graded: the fault is the \
                 machine's or the instructor's copy, not the learners'.\n{failures}",
                root.display()
            );
        }
        Ok(())
    }

    /// Grades one submission. Never fails: whatever goes wrong is in the report.
    fn grade(&self, source: &Source) -> SubmissionReport {
        let start = Instant::now();
        let mut report = SubmissionReport {
            name: source.name.clone(),
            source: source.path.display().to_string(),
            score: 0,
            max_score: POINTS_PER_LESSON * self.workbook.lessons.len() as u32,
            error: None,
            flags: Vec::new(),
            lessons: Vec::new(),
            seconds: 0.0,
        };
        let unpack_dir = self.job_dir.join("unpacked");
        match submission::open(source, &unpack_dir) {
            Err(err) => {
                report.error = Some(err.to_string());
                report.lessons = self.all_lessons(GradeVerdict::Missing, |_| {
                    format!("The submission could not be read: {err}")
                });
            }
            Ok(opened) => {
                if let Err(err) = self.grade_opened(&opened, &mut report) {
                    report.lessons = self.all_lessons(GradeVerdict::Error, |_| {
                        format!("Not the learner's fault: grading failed: {err:#}")
                    });
                }
            }
        }
        if unpack_dir.exists() {
            let _ = std::fs::remove_dir_all(&unpack_dir);
        }
        report.score = report.lessons.iter().map(|l| l.points).sum();
        report.seconds = start.elapsed().as_secs_f64();
        report
    }

    fn all_lessons(
        &self,
        verdict: GradeVerdict,
        detail: impl Fn(&Lesson) -> String,
    ) -> Vec<LessonResult> {
        self.workbook
            .lessons
            .iter()
            .map(|lesson| lesson_result(lesson, verdict, detail(lesson), Duration::ZERO))
            .collect()
    }

    fn grade_opened(
        &self,
        opened: &submission::Opened,
        report: &mut SubmissionReport,
    ) -> Result<()> {
        self.scratch.restore()?;
        let (present, mut flags) =
            self.scratch
                .take_editable(self.workbook, &opened.root, &opened.links_ignored)?;
        flags.extend(workspace::compare_protected(self.workbook, &opened.root));
        for (lesson, present) in self.workbook.lessons.iter().zip(present) {
            if !present {
                let files: Vec<String> = lesson
                    .editable_paths()
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .collect();
                report.lessons.push(lesson_result(
                    lesson,
                    GradeVerdict::Missing,
                    format!(
                        "The submission has none of this lesson's files ({}).",
                        files.join(", ")
                    ),
                    Duration::ZERO,
                ));
                continue;
            }
            let checked = check_lesson(&self.env, lesson);
            let mut result = lesson_result(
                lesson,
                GradeVerdict::from_check(&checked.verdict),
                detail(&checked),
                checked.elapsed,
            );
            // Put the instructor's files back before the next lesson. Any
            // that changed were changed by this lesson's code while it ran,
            // and then its verdict cannot be trusted.
            let changed = self.scratch.restore()?;
            if !changed.is_empty() {
                result.verdict = GradeVerdict::Failed;
                result.points = 0;
                result.detail = format!(
                    "The submission's code changed files the lesson's checks rely on while it \
                     was checked ({}), so its result does not count. They were restored.",
                    changed
                        .iter()
                        .take(3)
                        .map(|p| p.to_string_lossy().replace('\\', "/"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            for path in changed.iter().take(MAX_LISTED_CHANGES) {
                flags.push(Flag::new(
                    FlagKind::ChangedDuringGrading,
                    Some(path),
                    format!(
                        "was changed by the submission's code while lesson {} was checked \
                         (it was restored, and the lesson failed)",
                        lesson.number
                    ),
                ));
            }
            if changed.len() > MAX_LISTED_CHANGES {
                flags.push(Flag::new(
                    FlagKind::ChangedDuringGrading,
                    None,
                    format!(
                        "and {} more files were changed while lesson {} was checked",
                        changed.len() - MAX_LISTED_CHANGES,
                        lesson.number
                    ),
                ));
            }
            report.lessons.push(result);
        }
        report.flags = flags;
        Ok(())
    }
}

fn lesson_result(
    lesson: &Lesson,
    verdict: GradeVerdict,
    detail: String,
    elapsed: Duration,
) -> LessonResult {
    LessonResult {
        lesson: lesson.name.clone(),
        number: lesson.number,
        verdict,
        points: if verdict == GradeVerdict::Passed {
            POINTS_PER_LESSON
        } else {
            0
        },
        max_points: POINTS_PER_LESSON,
        detail,
        seconds: elapsed.as_secs_f64(),
    }
}

/// What the checker would tell the learner: the verdict, what it usually
/// means, and the output that shows it.
fn detail(report: &Report) -> String {
    if report.verdict.passed() {
        return String::new();
    }
    let mut text = String::new();
    if GradeVerdict::from_check(&report.verdict) == GradeVerdict::Error {
        text.push_str("Not the learner's fault: ");
    }
    text.push_str(&format!(
        "{}. {}",
        report.verdict.label(),
        report.verdict.advice()
    ));
    if !report.details.trim().is_empty() {
        text.push_str("\n\n");
        text.push_str(report.details.trim_end());
    }
    cut(&text, 60)
}

/// The progress across submissions, on stderr: a spinner with the elapsed
/// time while the jobs prepare, then a bar; in a log (stderr is not a
/// terminal, so indicatif draws nothing) a line per submission instead.
struct Progress {
    bar: ProgressBar,
    grading: bool,
}

impl Progress {
    fn new(total: usize) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_msg}")
                .expect("a valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress {
            bar,
            grading: false,
        }
    }

    fn preparing(&self) {
        self.bar
            .set_message("preparing: compiling dependencies, checking the solutions");
    }

    fn started(&mut self, name: &str) {
        if !self.grading {
            self.grading = true;
            self.bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] [{bar:30}] {pos}/{len} {wide_msg}",
                )
                .expect("a valid template")
                .progress_chars("#>-"),
            );
        }
        self.bar.set_message(format!("grading {name}"));
    }

    fn finished(&mut self, report: &SubmissionReport) {
        self.bar.inc(1);
        let score = format!("{}: {}/{}", report.name, report.score, report.max_score);
        if !self.bar.is_hidden() {
            self.bar.set_message(format!("graded {score}"));
            return;
        }
        eprintln!(
            "[{}/{}] {score}{}",
            self.bar.position(),
            self.bar.length().unwrap_or(0),
            match (&report.error, report.flags.len()) {
                (Some(_), _) => " (unreadable)".to_string(),
                (None, 0) => String::new(),
                (None, 1) => " (1 flag)".to_string(),
                (None, n) => format!(" ({n} flags)"),
            }
        );
    }

    fn clear(&self) {
        self.bar.finish_and_clear();
    }
}
