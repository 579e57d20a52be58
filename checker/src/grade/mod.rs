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

mod clean;
mod history;
mod html;
mod job;
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
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::commands::Context;
use crate::workbook::Workbook;
use job::{Confinement, Grader};

pub use clean::run as clean;
pub use merge::{Options as MergeOptions, run as merge};
pub use report::Format;
use report::{BatchReport, Header, LessonInfo, SubmissionReport};
pub use shard::Shard;
use submission::Source;

/// Points a passed lesson earns. One each: the lessons are of similar size,
/// and a gradebook can weight them if a course wants otherwise.
pub const POINTS_PER_LESSON: u32 = 1;

/// How many of a submission's changed-while-graded files are listed.
pub(crate) const MAX_LISTED_CHANGES: usize = 20;

pub struct Options {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    /// Report files; each one's format comes from its extension.
    pub out: Vec<PathBuf>,
    pub jobs: Option<usize>,
    pub work_dir: Option<PathBuf>,
    /// Grade without a sandbox (the report says so).
    pub unconfined: bool,
    /// Grade only this part of the batch (`--shard K/N`).
    pub shard: Option<Shard>,
    /// `--before DATE`: grade each git submission's last commit before it.
    pub before: Option<String>,
    /// `--lessons 1-3,5`: grade only these lessons.
    pub lessons: Option<String>,
}

/// The lessons `--lessons` names: numbers and ranges (`1-3,5`), each one a
/// lesson of the workbook.
fn select_lessons(text: &str, workbook: &Workbook) -> Result<Vec<u32>> {
    let usage = || {
        let numbers: Vec<String> = workbook
            .lessons
            .iter()
            .map(|l| l.number.to_string())
            .collect();
        format!(
            "`--lessons {text}`: write lesson numbers and ranges, such as 1-3,5 (this \
             workbook's lessons are {})",
            numbers.join(", ")
        )
    };
    let mut chosen = Vec::new();
    for part in text.split(',').map(str::trim) {
        let (from, to) = match part.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        let (from, to): (u32, u32) = match (from.parse(), to.parse()) {
            (Ok(a), Ok(b)) if a <= b => (a, b),
            _ => anyhow::bail!(usage()),
        };
        for number in from..=to {
            if !workbook.lessons.iter().any(|l| l.number == number) {
                anyhow::bail!("{}: there is no lesson {number}", usage());
            }
            if !chosen.contains(&number) {
                chosen.push(number);
            }
        }
    }
    chosen.sort();
    Ok(chosen)
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
    let narrowed;
    let context = match &options.lessons {
        Some(text) => {
            let numbers = select_lessons(text, &context.workbook)?;
            let mut workbook = context.workbook.clone();
            workbook.lessons.retain(|l| numbers.contains(&l.number));
            narrowed = Context {
                workbook,
                env: context.env.clone(),
            };
            &narrowed
        }
        None => context,
    };
    let workbook = &context.workbook;
    let before = match &options.before {
        Some(date) => Some(history::check_deadline(date).map_err(anyhow::Error::msg)?),
        None => None,
    };
    // Named over the whole command line (names are made unique there), then
    // narrowed to the shard: every shard sees the same names.
    let mut sources = submission::sources(&options.paths).map_err(anyhow::Error::msg)?;
    let given = sources.len();
    if let Some(shard) = options.shard {
        let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
        let mut picks = shard.picks(&names).into_iter();
        sources.retain(|_| picks.next().unwrap_or(false));
    }
    if let Some(date) = &before {
        let plain: Vec<&str> = (sources.iter())
            .filter(|s| s.kind != submission::Kind::Folder || !history::is_repository(&s.path))
            .map(|s| s.name.as_str())
            .collect();
        if !plain.is_empty() {
            eprintln!(
                "warning: --before {date}: {} of the submissions {} no git history and {} \
                 graded as {} ({}{}).",
                plain.len(),
                if plain.len() == 1 { "has" } else { "have" },
                if plain.len() == 1 { "is" } else { "are" },
                if plain.len() == 1 {
                    "it is"
                } else {
                    "they are"
                },
                plain
                    .iter()
                    .take(10)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
                if plain.len() > 10 { ", ..." } else { "" }
            );
        }
    }
    // A report that cannot be written should be said now, not after an hour of grading.
    output::check_writable(&options.out)?;
    output::check_formats(options.format, &options.out, sources.len())?;
    // So should a machine where learner code cannot be confined.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = options
        .jobs
        .unwrap_or_else(default_jobs)
        .min(sources.len())
        .max(1);
    let confinement = Confinement {
        unconfined: options.unconfined,
        cpus: (cores as f64 / jobs as f64).max(1.0),
    };
    let sandbox = job::describe_confinement(&confinement)?;
    if options.unconfined {
        eprintln!(
            "warning: --unconfined: learner code runs without a sandbox, with your user's \
             rights. The report says so."
        );
    }
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
    let mut journal = None;
    let (results, probe_seed) = if sources.is_empty() {
        // An empty shard still writes its (empty) report, for `merge`.
        eprintln!(
            "Shard {} holds none of the {given} submissions; its report is empty.",
            options.shard.expect("only a shard can select nothing")
        );
        (Vec::new(), None)
    } else {
        let (results, probe_seed, finished_journal) = grade_all(
            context,
            &options,
            &sources,
            jobs,
            &confinement,
            before.as_deref(),
        )?;
        journal = finished_journal;
        (results, probe_seed)
    };
    let checks = history::fingerprint(workbook);
    let mut results = results;
    for result in &mut results {
        result.checks = checks.clone();
    }
    let mut batch = BatchReport::new(
        Header {
            workbook: workbook.root.display().to_string(),
            sandbox,
            grader: report::grader_version(),
            checks,
            before: before.clone(),
        },
        lessons,
        max_score,
        options.shard,
        results,
    );
    batch.probe_seed = probe_seed;
    batch.tests_only = workbook
        .lessons
        .iter()
        .filter(|lesson| probe_seed.is_none() || !crate::probe::has_probe(&workbook.root, lesson))
        .map(|lesson| lesson.name.clone())
        .collect();
    output::emit(&batch, options.format, &options.out)?;
    // The batch is reported: a new run grades afresh.
    if let Some(journal) = journal {
        let _ = std::fs::remove_file(journal);
    }
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

/// The journal of a batch: each finished submission's report, one JSON
/// line each, appended as it finishes, so that a batch that was stopped (a
/// crash, a reboot, Ctrl-C) loses at most the submissions in progress. Named
/// after the batch's arguments: `grade` run again with the same ones resumes.
fn journal_path(
    context: &Context,
    options: &Options,
    sources: &[Source],
    work_dir: &Path,
) -> PathBuf {
    let mut hasher = fnv::FnvHasher::default();
    let mut feed = |text: &str| {
        std::hash::Hasher::write(&mut hasher, text.as_bytes());
        std::hash::Hasher::write_u8(&mut hasher, 0);
    };
    feed(&context.workbook.root.to_string_lossy());
    for source in sources {
        feed(&source.name);
        feed(
            &source
                .path
                .canonicalize()
                .unwrap_or_else(|_| source.path.clone())
                .to_string_lossy(),
        );
    }
    feed(&format!(
        "{:?} {:?}",
        options.shard.map(|s| s.to_string()),
        options.unconfined
    ));
    feed(&format!("{:?}", context.env.limits.timeout));
    let hash = std::hash::Hasher::finish(&hasher);
    work_dir.join(format!("journal-{hash:016x}.jsonl"))
}

/// The reports an earlier run of the same batch finished (a line that was
/// being written when it stopped is ignored).
fn read_journal(path: &Path, sources: &[Source]) -> Vec<SubmissionReport> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut done: Vec<SubmissionReport> = Vec::new();
    for line in text.lines() {
        let Ok(report) = serde_json::from_str::<SubmissionReport>(line) else {
            continue;
        };
        let known = sources.iter().any(|s| s.name == report.name);
        if known && !done.iter().any(|d| d.name == report.name) {
            done.push(report);
        }
    }
    done
}

/// Grades `sources` with `--jobs` grading jobs; the reports in any order,
/// the batch's probe seed (None without reference solutions, or when every
/// submission was graded by an earlier run of the batch) and its journal.
fn grade_all(
    context: &Context,
    options: &Options,
    sources: &[Source],
    jobs: usize,
    confinement: &Confinement,
    before: Option<&str>,
) -> Result<(Vec<SubmissionReport>, Option<u64>, Option<PathBuf>)> {
    let workbook = &context.workbook;
    let work_dir = match &options.work_dir {
        Some(dir) => dir.clone(),
        None => default_work_dir(&workbook.root),
    };
    std::fs::create_dir_all(&work_dir)
        .with_context(|| format!("creating the work folder {}", work_dir.display()))?;
    let work_dir = work_dir.canonicalize()?;
    let _lock = lock_work_dir(&work_dir)?;
    let also_skip = entries_to_skip(&workbook.root, sources, &work_dir);
    warn_if_exercises_are_solved(workbook);
    let journal_file = journal_path(context, options, sources, &work_dir);
    let done = read_journal(&journal_file, sources);
    if !done.is_empty() {
        eprintln!(
            "Resuming an earlier run of this batch: {} of {} submissions were graded then \
             (kept in {}).",
            done.len(),
            sources.len(),
            journal_file.display()
        );
    }
    let remaining: Vec<Source> = sources
        .iter()
        .filter(|s| !done.iter().any(|d| d.name == s.name))
        .cloned()
        .collect();
    if remaining.is_empty() {
        return Ok((done, None, Some(journal_file)));
    }
    let sources = remaining.as_slice();
    let jobs = jobs.min(sources.len()).max(1);
    let mut journal = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&journal_file)
        .with_context(|| format!("opening the journal {}", journal_file.display()))?;

    // Learner code sees none of the instructor's copy, the work folder, the
    // submissions nor the reports: the sandbox is an allow-list
    // (sandbox.rs), so none of their paths is even named to it.
    eprintln!(
        "Grading {} submission{} with {jobs} job{} in {}. First the reference solutions are \
         checked, then each job compiles the dependencies.",
        sources.len(),
        if sources.len() == 1 { "" } else { "s" },
        if jobs == 1 { "" } else { "s" },
        work_dir.display()
    );
    let expected = job::check_references(
        context,
        &work_dir.join("reference"),
        &also_skip,
        confinement,
    )?
    .map(Arc::new);
    let probe_seed = expected.as_ref().map(|reference| reference.probe_seed);

    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (events, received) = mpsc::channel::<Event>();
    let mut results: Vec<SubmissionReport> = done;
    let mut failure = None;
    std::thread::scope(|scope| {
        for job in 0..jobs {
            let events = events.clone();
            let (next, stop, sources, work_dir, also_skip, confinement, expected) = (
                &next,
                &stop,
                &sources,
                &work_dir,
                &also_skip,
                confinement,
                &expected,
            );
            let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
                let _ = events.send(Event::Preparing);
                let job_dir = work_dir.join(format!("job-{job}"));
                let prepared =
                    Grader::prepare(context, &job_dir, also_skip, confinement, expected.clone());
                let mut grader = match prepared {
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
                    let report = grade_one(&mut grader, source, before, &job_dir);
                    let _ = events.send(Event::Finished {
                        report: Box::new(report),
                    });
                }
            });
            if let Err(err) = spawned {
                failure.get_or_insert(anyhow::anyhow!("could not start grading job {job}: {err}"));
            }
        }
        drop(events);
        let mut progress = Progress::new(sources.len());
        for event in received {
            match event {
                Event::Preparing => progress.preparing(),
                Event::Started { name } => progress.started(&name),
                Event::Finished { report } => {
                    progress.finished(&report);
                    if let Ok(line) = serde_json::to_string(&report) {
                        use std::io::Write as _;
                        // A journal that cannot be written costs only the resuming.
                        let _ = writeln!(journal, "{line}").and_then(|()| journal.sync_data());
                    }
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
    Ok((results, probe_seed, Some(journal_file)))
}

/// Grades one submission; a git repository's chosen commit (HEAD, or the
/// last before `--before`), compared with its own first commit.
fn grade_one(
    grader: &mut Grader,
    source: &Source,
    before: Option<&str>,
    job_dir: &Path,
) -> SubmissionReport {
    if source.kind != submission::Kind::Folder || !history::is_repository(&source.path) {
        return grader.grade(source, None);
    }
    let dir = job_dir.join("git");
    let report = match history::open(&source.path, before, &dir) {
        Ok(trees) => {
            let graded = Source {
                name: source.name.clone(),
                path: trees.graded.clone(),
                kind: submission::Kind::Folder,
            };
            let mut report = grader.grade(&graded, Some(&trees.start));
            report.source = source.path.display().to_string();
            report.git = Some(trees.provenance);
            report
        }
        Err(why) => grader.unreadable(source, why),
    };
    let _ = std::fs::remove_dir_all(&dir);
    report
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

/// Where grading works by default: a cache folder of the user's, outside
/// the instructor's workbook (whose files learner code must never reach),
/// one per workbook.
fn default_work_dir(root: &Path) -> PathBuf {
    // A stable name per workbook (a stable hash of its path, as shards use),
    // so batches reuse it.
    let mut hasher = fnv::FnvHasher::default();
    std::hash::Hasher::write(&mut hasher, root.to_string_lossy().as_bytes());
    let hash = std::hash::Hasher::finish(&hasher);
    cache_root().join(format!("grade-{hash:016x}"))
}

/// The folder every workbook's default work folder is in.
fn cache_root() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("ffi-workbook")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn report(name: &str) -> SubmissionReport {
        SubmissionReport {
            name: name.into(),
            source: format!("subs/{name}"),
            score: 1,
            max_score: 2,
            error: None,
            flags: Vec::new(),
            lessons: Vec::new(),
            seconds: 0.5,
            git: None,
            grader: String::new(),
            checks: String::new(),
            files_hash: None,
        }
    }

    #[test]
    fn a_journal_gives_back_what_finished_and_skips_a_torn_line() {
        let tmp = tempfile::tempdir().unwrap();
        let journal = tmp.path().join("journal.jsonl");
        let line = |name: &str| serde_json::to_string(&report(name)).unwrap();
        let torn = &line("carol")[..20];
        std::fs::write(
            &journal,
            format!(
                "{}\n{}\n{}\n{torn}",
                line("alice"),
                line("zed"),
                line("alice")
            ),
        )
        .unwrap();
        let sources: Vec<Source> = ["alice", "bob", "carol"]
            .iter()
            .map(|name| Source {
                name: name.to_string(),
                path: PathBuf::from(format!("subs/{name}")),
                kind: submission::Kind::Folder,
            })
            .collect();
        // alice once; zed is not in this batch; carol's line was cut short.
        assert_eq!(read_journal(&journal, &sources), vec![report("alice")]);
        assert!(read_journal(&tmp.path().join("none"), &sources).is_empty());
    }
}
