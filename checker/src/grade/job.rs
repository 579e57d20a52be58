//! Where submissions are graded: the reference check, once per batch in a
//! workspace of its own, and the grading jobs, each with one workspace kept
//! in sync with the instructor's copy (without its answers) and cargo
//! target folders reused submission after submission.
//!
//! Every step that runs learner code runs in the sandbox (sandbox.rs), which
//! makes every target folder read-only but while cargo builds in it. Learner
//! code runs during a build only in a build script the learner writes or
//! feeds: such a lesson builds in a target folder of its own, the only one
//! its build can see, and that folder starts every check pristine: a fresh
//! copy of the warmed one (kept aside, read-only, never visible inside),
//! thrown away afterwards. What a check changes there of the compiled
//! dependencies fails it and is flagged. So no submission can change what
//! another lesson, or another submission, is checked with.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

use super::report::{Flag, FlagKind, GradeVerdict, LessonResult, SubmissionReport};
use super::submission::{self, Source};
use super::{MAX_LISTED_CHANGES, POINTS_PER_LESSON, workspace};
use crate::c_build::{self, CBuildError};
use crate::check::{CheckEnv, Fingerprint, Reference, check_compiled, cut};
use crate::commands::Context;
use crate::compile::{Compiled, compile_dependencies, compile_together};
use crate::sandbox::Sandbox;
use crate::scratch::{self, Scratch, walk_files};
use crate::ui;
use crate::verdict::{Report, Verdict};
use crate::workbook::{Lesson, Workbook};

/// How learner code is confined in this batch.
#[derive(Debug, Clone)]
pub struct Confinement {
    /// `--unconfined`: no sandbox at all.
    pub unconfined: bool,
    /// Cores each step may use: the machine's, shared by the jobs.
    pub cpus: f64,
}

impl Confinement {
    /// A sandbox for steps of a job whose own files (never visible inside)
    /// go in `tmp`; None when the batch is unconfined.
    fn sandbox(&self, tmp: PathBuf) -> Result<Option<Arc<Sandbox>>> {
        if self.unconfined {
            return Ok(None);
        }
        let limits = crate::sandbox::tree_limits(self.cpus);
        Ok(Some(Arc::new(Sandbox::new(tmp, limits)?)))
    }
}

/// The report's words for how learner code is confined; an error, with what
/// to install, when the sandbox cannot work here and `--unconfined` was not
/// given.
pub fn describe_confinement(confinement: &Confinement) -> Result<String> {
    if confinement.unconfined {
        return Ok("none (--unconfined)".into());
    }
    let probe = tempfile::tempdir()?;
    let sandbox = confinement.sandbox(probe.path().join("tmp"))?;
    Ok(sandbox.map(|s| s.describe()).unwrap_or_default())
}

/// A C error of the instructor's copy, said as such.
fn instructor_c_error(err: CBuildError, root: &Path, workbook: &Workbook) -> anyhow::Error {
    let why = match err {
        CBuildError::MissingSource(path) => format!(
            "{} is missing from the instructor's copy, {}",
            path.strip_prefix(root).unwrap_or(&path).display(),
            workbook.root.display()
        ),
        err => err.to_string(),
    };
    anyhow::anyhow!(
        "the instructor's C does not build, so no submission can be graded \
         (this is not the learners' fault):\n{why}"
    )
}

/// Checks every reference solution in a workspace of its own under `dir`
/// (never one a submission is graded in), in the sandbox, and returns what
/// every submission is held to: the tests each test program listed there
/// (a submission must report exactly those, and may report `ignored` only
/// those marked so), and what each lesson's probe observed on the batch's
/// seed, drawn here (a submission's probe must observe the same). Without
/// `solutions/` there is nothing to check against: the instructor is told,
/// each test program's own list is used, and no probe runs.
pub fn check_references(
    context: &Context,
    dir: &Path,
    also_skip: &[OsString],
    confinement: &Confinement,
) -> Result<Option<Reference>> {
    let workbook = &context.workbook;
    if !workbook.root.join("solutions").is_dir() {
        eprintln!(
            "note: {} has no solutions/ folder, so the grading workspaces cannot be checked \
             against the reference answers first.",
            workbook.root.display()
        );
        return Ok(None);
    }
    let root = dir.join("workbook");
    let scratch = Scratch::new(workbook, root.clone(), also_skip);
    scratch
        .restore()
        .with_context(|| format!("preparing the reference workspace {}", root.display()))?;
    scratch::overlay_solutions(workbook, &root)?;
    let probe_seed = crate::probe::batch_seed().map_err(anyhow::Error::msg)?;
    let mut env = context.env.in_copy(&root, dir.join("target"));
    env.color = false;
    env.write_new_snapshots = false;
    env.build_timeout = FIRST_BUILD_TIMEOUT;
    env.sandbox = confinement.sandbox(dir.join("tmp"))?;
    env.probe_seed = Some(probe_seed);
    fetch_dependencies(&env)?;
    c_build::build_all(&root.join("csrc"), &env.c_dir, &workbook.all_c_needs())
        .map_err(|err| instructor_c_error(err, &root, workbook))?;
    let mut expected = Reference {
        probe_seed,
        ..Reference::default()
    };
    let mut failures = String::new();
    let all: Vec<&Lesson> = workbook.lessons.iter().collect();
    let mut compiled = compile_together(&env, &all);
    for lesson in &workbook.lessons {
        let report = check_compiled(&env, lesson, &mut compiled);
        if !report.verdict.passed() {
            failures.push('\n');
            failures.push_str(&ui::report_text(workbook, lesson, &report));
        } else if crate::probe::has_probe(&root, lesson) && report.observed.is_none() {
            failures.push_str(&format!(
                "\nLesson {}: its tests/probe.rs was not built as a test target: declare it in \
                 its Cargo.toml as [[test]] name = \"probe\", harness = false.\n",
                lesson.number
            ));
        }
        for (target, tests) in report.listed {
            expected
                .tests
                .insert((lesson.package.clone(), target), tests);
        }
        if let Some(observed) = report.observed {
            expected.observed.insert(lesson.package.clone(), observed);
        }
    }
    if !failures.is_empty() {
        bail!(
            "before grading, the reference solutions were checked in {} and not all of them \
             pass there. No submission was graded: the fault is the machine's or the \
             instructor's copy, not the learners'.\n{failures}",
            root.display()
        );
    }
    Ok(Some(expected))
}

/// Downloads the dependencies (no code runs), so that sandboxed builds,
/// which have no network, find them.
fn fetch_dependencies(env: &CheckEnv) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .arg("fetch")
        .current_dir(&env.root)
        .output()
        .context("running `cargo fetch`")?;
    if !out.status.success() {
        bail!(
            "`cargo fetch` could not download the workbook's dependencies:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// The files of a folder, each with its fingerprint.
type Baseline = BTreeMap<PathBuf, Option<Fingerprint>>;

fn baseline(dir: &Path, keep: impl Fn(&Path) -> bool) -> Baseline {
    let mut files = Vec::new();
    walk_files(dir, Path::new(""), false, &mut files);
    files
        .into_iter()
        .filter(|rel| keep(rel))
        .map(|rel| {
            let fingerprint = Fingerprint::of(&dir.join(&rel));
            (rel, fingerprint)
        })
        .collect()
}

/// The build files that other lessons and later submissions link against:
/// the compiled dependencies (and the support crate), their build scripts'
/// output and cargo's fingerprints of them. A lesson's own files, and its
/// test programs (named after their test files), change with every
/// submission and are not among them.
fn shared_build_file(rel: &Path, lessons: &[Lesson]) -> bool {
    let parts: Vec<String> = rel
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    // debug/deps/FILE, debug/build/PACKAGE-HASH/..., debug/.fingerprint/PACKAGE-HASH/...
    let (area, name) = match parts.as_slice() {
        [_, area, name, ..] => (area.as_str(), name.replace('-', "_")),
        _ => return false,
    };
    let library = |name: &str| {
        name.starts_with("lib")
            && [".rlib", ".rmeta", ".so", ".dylib", ".dll"]
                .iter()
                .any(|ext| name.ends_with(ext))
    };
    let package = match area {
        "deps" if library(&name) => name.trim_start_matches("lib").to_string(),
        "build" | ".fingerprint" => name,
        _ => return false,
    };
    !lessons.iter().any(|lesson| {
        let lesson = lesson.package.replace('-', "_");
        package == lesson || package.starts_with(&format!("{lesson}_"))
    })
}

/// The files of `before` that are gone or different in `after`. Files that
/// appeared are cargo's own doing (a lesson built alone can need a
/// dependency with other features, which is a new file).
fn changes(before: &Baseline, after: &Baseline) -> Vec<PathBuf> {
    before
        .iter()
        .filter(|(rel, print)| after.get(*rel) != Some(*print))
        .map(|(rel, _)| rel.clone())
        .collect()
}

/// One grading job: its workspace, ready to grade submissions one by one.
///
/// Its cargo target folders: one for every lesson whose build runs no
/// learner code (no learner code ever runs while it is writable, so its
/// builds, and rustc's incremental caches, are trusted from one submission
/// to the next), and one of its own for each lesson whose build script is
/// or runs the learner's (only that lesson's build can write there; each
/// check gets a fresh copy of the warmed folder, thrown away after it).
pub struct Grader<'a> {
    workbook: &'a Workbook,
    job_dir: PathBuf,
    scratch: Scratch,
    env: CheckEnv,
    /// The lessons whose build runs learner code, each with its own target
    /// folder, by lesson number.
    own_targets: BTreeMap<u32, CheckEnv>,
    baselines: Baselines,
}

/// The build files no learner code may change, as the warm-up left them.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Baselines {
    /// The dependencies compiled in the shared target folder.
    shared_target: Baseline,
    /// The C libraries.
    c: Baseline,
    /// The dependencies compiled in each lesson's own target folder.
    own_targets: BTreeMap<u32, Baseline>,
    /// Recorded by an unconfined batch, whose learner code could write
    /// anything there, rustc's incremental caches included: the next batch
    /// trusts none of it.
    unconfined: bool,
}

impl<'a> Grader<'a> {
    pub fn prepare(
        context: &'a Context,
        job_dir: &Path,
        also_skip: &[OsString],
        confinement: &Confinement,
        expected: Option<Arc<Reference>>,
    ) -> Result<Grader<'a>> {
        let workbook = &context.workbook;
        let root = job_dir.join("workbook");
        let scratch = Scratch::new(workbook, root.clone(), also_skip).without_answers();
        scratch
            .restore()
            .with_context(|| format!("preparing the grading workspace {}", root.display()))?;
        let mut env = context.env.in_copy(&root, job_dir.join("target"));
        env.color = false;
        env.write_new_snapshots = false;
        env.sandbox = confinement.sandbox(job_dir.join("tmp"))?;
        // Every submission's probe runs on the reference's seed.
        env.probe_seed = expected.as_ref().map(|reference| reference.probe_seed);
        env.expected = expected;
        // Unconfined, any learner code can write anywhere.
        env.learner_writes_target = confinement.unconfined;
        let mut own_targets = BTreeMap::new();
        for lesson in &workbook.lessons {
            if crate::reach::build_script_runs_learner_code(&root, lesson) {
                let own = CheckEnv {
                    target_dir: Some(job_dir.join(format!("target-{}", lesson.dir_name))),
                    learner_writes_target: true,
                    ..env.clone()
                };
                own_targets.insert(lesson.number, own);
            }
        }
        let mut grader = Grader {
            workbook,
            job_dir: job_dir.to_path_buf(),
            scratch,
            env,
            own_targets,
            baselines: Baselines::default(),
        };
        // Build folders left by an earlier batch are trusted only if they are
        // exactly as that batch last verified them: a batch interrupted while
        // learner code had changed them must not pass the change on.
        if !grader.build_folders_as_saved() {
            grader.remove_build_folders();
        }
        // The lessons' own builds are not among what was verified: a batch
        // stopped while a build script of learner code ran may have left
        // something there. The warm-up builds them again from their sources.
        for lesson in &workbook.lessons {
            forget_build(&grader.env_of(lesson).target(), &lesson.package);
        }
        grader.warm_up()?;
        Ok(grader)
    }

    /// Where `lesson` is built and checked.
    fn env_of(&self, lesson: &Lesson) -> &CheckEnv {
        self.own_targets.get(&lesson.number).unwrap_or(&self.env)
    }

    /// Where the verified state of the build folders is kept between batches.
    fn saved_baselines(&self) -> PathBuf {
        self.job_dir.join("build-baselines.json")
    }

    fn build_folders_as_saved(&mut self) -> bool {
        let Ok(text) = std::fs::read_to_string(self.saved_baselines()) else {
            return false;
        };
        let Ok(saved) = serde_json::from_str::<Baselines>(&text) else {
            return false;
        };
        // An empty record proves nothing about what is there.
        if saved.unconfined
            || saved.shared_target.is_empty()
            || saved.own_targets.keys().ne(self.own_targets.keys())
            || saved.own_targets.values().any(Baseline::is_empty)
        {
            return false;
        }
        self.baselines = saved;
        // The warmed own-target folders are never visible to a sandboxed
        // step (each check gets a fresh copy whose files it cannot change).
        self.build_files_changed().is_empty()
            && self
                .own_targets
                .keys()
                .all(|number| self.warm_dir(*number).is_dir())
    }

    /// Where lesson `number`'s own target folder is kept as the warm-up
    /// left it; each check of the lesson gets a fresh copy of it.
    fn warm_dir(&self, number: u32) -> PathBuf {
        let own = &self.own_targets[&number];
        let name = own.target().file_name().unwrap_or_default().to_owned();
        self.job_dir
            .join(format!("warm-{}", name.to_string_lossy()))
    }

    /// Makes lesson `number`'s own target folder a fresh copy of the warmed
    /// one (what an earlier check left there is gone: a planted library, a
    /// file, gigabytes), and returns what its compiled dependencies are.
    fn fresh_own_target(&self, number: u32) -> Result<Baseline> {
        let target = self.own_targets[&number].target();
        let link = self
            .env
            .sandbox
            .as_ref()
            .is_some_and(|s| s.user().is_some());
        let user = self.env.sandbox.as_ref().and_then(|s| s.user());
        fresh_copy(&self.warm_dir(number), &target, link, user)
            .with_context(|| format!("making {} afresh", target.display()))?;
        Ok(self.dependencies_in(&target))
    }

    /// What lesson `number`'s check changed of the compiled dependencies in
    /// its fresh copy (`before`); the copy is then thrown away.
    fn discard_own_target(&self, number: u32, before: &Baseline) -> Vec<PathBuf> {
        let target = self.own_targets[&number].target();
        let folder = target.file_name().unwrap_or_default().to_owned();
        let changed = changes(before, &self.dependencies_in(&target))
            .into_iter()
            .map(|rel| Path::new(&folder).join(rel))
            .collect();
        let _ = std::fs::remove_dir_all(&target);
        changed
    }

    fn remove_build_folders(&self) {
        let _ = std::fs::remove_dir_all(self.env.target());
        let _ = std::fs::remove_dir_all(&self.env.c_dir);
        for (number, own) in &self.own_targets {
            let _ = std::fs::remove_dir_all(own.target());
            let _ = std::fs::remove_dir_all(self.warm_dir(*number));
        }
    }

    /// Builds the C and every lesson's untouched crate, so that the
    /// dependencies are compiled before the first submission, and records
    /// what the build folders hold.
    fn warm_up(&mut self) -> Result<()> {
        let root = self.scratch.root.clone();
        // The exercises as shipped: what compiles before any submission.
        self.scratch
            .take_editable(self.workbook, &self.workbook.root, &[])?;
        c_build::build_all(
            &root.join("csrc"),
            &self.env.c_dir,
            &self.workbook.all_c_needs(),
        )
        .map_err(|err| instructor_c_error(err, &root, self.workbook))?;
        let failed = |why: String| {
            anyhow::anyhow!(
                "the dependencies do not compile in the grading workspace {} (not the \
                 learners' fault):\n{why}",
                root.display()
            )
        };
        // The first build compiles every dependency: give it time. From then
        // on a lesson compiles in seconds; a build that takes minutes is a
        // learner's build.rs that loops.
        let later = Duration::from_secs((self.env.limits.timeout.as_secs() * 6).max(120));
        let shared: Vec<Lesson> = self
            .workbook
            .lessons
            .iter()
            .filter(|lesson| !self.own_targets.contains_key(&lesson.number))
            .cloned()
            .collect();
        let together: Vec<&Lesson> = shared.iter().collect();
        self.env.build_timeout = FIRST_BUILD_TIMEOUT;
        compile_dependencies(&self.env, &shared, &together).map_err(failed)?;
        self.env.build_timeout = later;
        for lesson in &self.workbook.lessons {
            if let Some(own) = self.own_targets.get_mut(&lesson.number) {
                own.build_timeout = later;
                warm_up_own_target(own, lesson).map_err(failed)?;
            }
        }
        let numbers: Vec<u32> = self.own_targets.keys().copied().collect();
        for number in numbers {
            let target = self.own_targets[&number].target();
            let warm = self.warm_dir(number);
            freeze(&target, &warm, &self.workbook.lessons)
                .with_context(|| format!("keeping {} as {}", target.display(), warm.display()))?;
        }
        self.record_baselines();
        Ok(())
    }

    /// The compiled dependencies in the target folder `target`, as they are.
    fn dependencies_in(&self, target: &Path) -> Baseline {
        baseline(target, |rel| shared_build_file(rel, &self.workbook.lessons))
    }

    /// The built C libraries (not what lesson programs write), as they are.
    fn c_libraries(&self) -> Baseline {
        let c_dir = &self.env.c_dir;
        baseline(c_dir, |rel| !c_dir.join(rel).starts_with(&self.env.out_dir))
    }

    fn record_baselines(&mut self) {
        self.baselines = Baselines {
            unconfined: self.env.sandbox.is_none(),
            shared_target: self.dependencies_in(&self.env.target()),
            c: self.c_libraries(),
            own_targets: self
                .own_targets
                .keys()
                .map(|number| (*number, self.dependencies_in(&self.warm_dir(*number))))
                .collect(),
        };
        self.save_baselines();
    }

    fn save_baselines(&self) {
        let saved = serde_json::to_string(&self.baselines).unwrap_or_default();
        // Without the file, the next batch simply builds afresh.
        let _ = std::fs::write(self.saved_baselines(), saved);
    }

    /// Files of the shared target folder's dependencies and of the C
    /// libraries that changed since the warm-up: only learner code can have
    /// changed them.
    fn build_files_changed(&self) -> Vec<PathBuf> {
        let target = changes(
            &self.baselines.shared_target,
            &self.dependencies_in(&self.env.target()),
        );
        let c = changes(&self.baselines.c, &self.c_libraries());
        (target.into_iter().map(|rel| Path::new("target").join(rel)))
            .chain(c.into_iter().map(|rel| Path::new("build").join(rel)))
            .collect()
    }

    /// Makes the build folders anew after learner code changed them.
    fn rebuild_build_folders(&mut self) -> Result<()> {
        self.remove_build_folders();
        self.warm_up()
    }

    /// Grades one submission. Never fails: whatever goes wrong is in the report.
    /// `shipped`: the submission's own starting point (its repository's first
    /// commit's files), when known; else the instructor's exercises are.
    pub fn grade(&mut self, source: &Source, shipped: Option<&Path>) -> SubmissionReport {
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
            git: None,
            grader: super::report::grader_version(),
            checks: String::new(),
            files_hash: None,
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
                // Whatever the submission does, even a panic of the grader's
                // own (a thread that could not start while a fork bomb held
                // the machine) is an error for this submission alone.
                let graded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.grade_opened(&opened, shipped, &mut report)
                }));
                let failed = match graded {
                    Ok(Ok(())) => None,
                    Ok(Err(err)) => Some(format!("{err:#}")),
                    Err(panic) => Some(
                        panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_else(|| "the grader panicked".into()),
                    ),
                };
                if let Some(err) = failed {
                    report.flags.clear();
                    report.lessons = self.all_lessons(GradeVerdict::Error, |_| {
                        format!("Not the learner's fault: grading failed: {err}")
                    });
                }
            }
        }
        if unpack_dir.exists() {
            let _ = std::fs::remove_dir_all(&unpack_dir);
        }
        report.score = report.lessons.iter().map(|l| l.points).sum();
        report.seconds = start.elapsed().as_secs_f64();
        made_safe(&mut report);
        report
    }

    /// The report of a submission that could not be read (`why`): every
    /// lesson missing, score 0.
    pub fn unreadable(&self, source: &Source, why: String) -> SubmissionReport {
        let mut report = SubmissionReport {
            name: source.name.clone(),
            source: source.path.display().to_string(),
            score: 0,
            max_score: POINTS_PER_LESSON * self.workbook.lessons.len() as u32,
            lessons: self.all_lessons(GradeVerdict::Missing, |_| {
                format!("The submission could not be read: {why}")
            }),
            error: Some(why),
            flags: Vec::new(),
            seconds: 0.0,
            git: None,
            grader: super::report::grader_version(),
            checks: String::new(),
            files_hash: None,
        };
        made_safe(&mut report);
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
        &mut self,
        opened: &submission::Opened,
        start: Option<&Path>,
        report: &mut SubmissionReport,
    ) -> Result<()> {
        self.scratch.restore()?;
        // What an earlier submission's programs made is not this one's.
        let _ = std::fs::remove_dir_all(&self.env.out_dir);
        let (present, mut flags) =
            self.scratch
                .take_editable(self.workbook, &opened.root, &opened.links_ignored)?;
        let protected = workspace::compare_protected(self.workbook, &opened.root);
        // What the instructor changed after the learner's template went out
        // is not the learner's change.
        flags.extend(match start {
            Some(start) => super::history::relative_to_start(protected, &opened.root, start),
            None => protected,
        });
        let shipped = start.unwrap_or(&self.workbook.root);
        // Lessons are numbered uniquely and kept in order of their numbers.
        let mut results: BTreeMap<u32, LessonResult> = BTreeMap::new();
        let mut to_check: Vec<&'a Lesson> = Vec::new();
        for (lesson, present) in self.workbook.lessons.iter().zip(present) {
            if present && super::history::untouched(self.workbook, lesson, &opened.root, shipped) {
                let untried = lesson_result(
                    lesson,
                    GradeVerdict::NotAttempted,
                    "Not attempted: this lesson's files are as the learner got them, so it \
                     was not checked."
                        .to_string(),
                    Duration::ZERO,
                );
                results.insert(lesson.number, untried);
                continue;
            }
            if present {
                to_check.push(lesson);
                continue;
            }
            let files: Vec<String> = lesson
                .editable_paths()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .collect();
            let missing = lesson_result(
                lesson,
                GradeVerdict::Missing,
                format!(
                    "The submission has none of this lesson's files ({}).",
                    files.join(", ")
                ),
                Duration::ZERO,
            );
            results.insert(lesson.number, missing);
        }
        let checked = if self.env.sandbox.is_some() {
            self.check_side_by_side(&to_check)?
        } else {
            self.check_in_turn(&to_check, opened)?
        };
        for one in checked {
            let number = one.lesson.number;
            results.insert(number, record(one, &mut flags));
        }
        let roots = [self.scratch.root.as_path(), self.job_dir.as_path()];
        for lesson in &self.workbook.lessons {
            let Some(result) = results.get_mut(&lesson.number) else {
                continue;
            };
            result.files_hash = super::history::lesson_hash(&opened.root, lesson);
            result.detail = super::history::workbook_relative(&result.detail, &roots);
            result.feedback = super::history::workbook_relative(&result.feedback, &roots);
        }
        report.lessons = results.into_values().collect();
        report.files_hash =
            super::history::submission_hash(report.lessons.iter().map(|l| l.files_hash.as_deref()));
        report.flags = flags;
        Ok(())
    }

    /// Checks `lessons` in the sandbox, side by side, on two threads. One
    /// compiles the lessons built in the shared target folder, in one cargo
    /// call, while the other builds and checks each lesson that has a target
    /// folder of its own; then both check the first ones, taking turns. No
    /// learner code can write what another check runs: the sandbox shows a
    /// build only its own target folder, and makes every target folder
    /// read-only while a program or test program runs. What a lesson's build
    /// changed of its own target's dependencies fails it, and that folder
    /// alone is made anew.
    fn check_side_by_side(&mut self, lessons: &[&'a Lesson]) -> Result<Vec<Checked<'a>>> {
        let root = self.scratch.root.clone();
        let (own, shared): (Vec<&'a Lesson>, Vec<&'a Lesson>) = lessons
            .iter()
            .partition(|lesson| self.own_targets.contains_key(&lesson.number));
        // The C is built (it is, since the warm-up) before the checks, which
        // all look at it, start side by side.
        let _ = c_build::build_all(
            &root.join("csrc"),
            &self.env.c_dir,
            &self.workbook.all_c_needs(),
        );
        let this = &*self;
        // The shared target's lessons, with what compiling them ahead gave,
        // as the cargo call has compiled them.
        let (compiled_in, compiled_out) = std::sync::mpsc::channel();
        let compiled_out = std::sync::Mutex::new(compiled_out);
        let check_compiled_ones = |env: &CheckEnv| {
            let mut checked = Vec::new();
            loop {
                let next = match compiled_out.lock() {
                    Ok(queue) => queue.recv(),
                    Err(poisoned) => poisoned.into_inner().recv(),
                };
                let Ok((lesson, ahead)) = next else {
                    return checked;
                };
                let mut compiled = Compiled::default();
                if let Some(ahead) = ahead {
                    compiled.insert(lesson, ahead);
                }
                checked.push(Checked {
                    lesson,
                    report: check_compiled(env, lesson, &mut compiled),
                    changed: Vec::new(),
                });
            }
        };
        let checked = std::thread::scope(|scope| {
            // A machine out of threads is an error for this submission.
            let beside = std::thread::Builder::new().spawn_scoped(scope, || {
                let mut checked: Vec<Checked<'a>> = own
                    .iter()
                    .map(|lesson| {
                        let env = this.env_of(lesson);
                        // A fresh copy of the warmed folder, thrown away
                        // after the check: nothing its build or code left
                        // there reaches a later check.
                        let (report, changed) = match this.fresh_own_target(lesson.number) {
                            Ok(before) => {
                                let report = check_compiled(env, lesson, &mut Compiled::default());
                                (report, this.discard_own_target(lesson.number, &before))
                            }
                            Err(err) => (
                                crate::check::report(Verdict::Environment, format!("{err:#}")),
                                Vec::new(),
                            ),
                        };
                        Checked {
                            lesson,
                            report,
                            changed,
                        }
                    })
                    .collect();
                checked.extend(check_compiled_ones(&this.env));
                checked
            })?;
            let mut compiled = compile_together(&this.env, &shared);
            for lesson in &shared {
                // The receivers live until both threads are done.
                let _ = compiled_in.send((*lesson, compiled.take(lesson)));
            }
            drop(compiled_in);
            let mut checked = check_compiled_ones(&this.env);
            checked.extend(
                beside
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
            Ok::<_, std::io::Error>(checked)
        });
        let mut checked = checked.context("starting a thread to check lessons side by side")?;
        checked.sort_by_key(|one| one.lesson.number);
        Ok(checked)
    }

    /// Checks `lessons` one after another, unconfined: any lesson's code
    /// could change what the next ones rely on, so the workspace is put back
    /// and the build folders are looked at after each. A change fails that
    /// lesson and makes the build folders anew.
    fn check_in_turn(
        &mut self,
        lessons: &[&'a Lesson],
        opened: &submission::Opened,
    ) -> Result<Vec<Checked<'a>>> {
        // Nothing learner code may have left in the target folders is
        // trusted from one submission to the next, but the dependencies,
        // which are compared.
        for lesson in lessons {
            forget_build(&self.env_of(lesson).target(), &lesson.package);
        }
        let shared: Vec<&Lesson> = lessons
            .iter()
            .copied()
            .filter(|lesson| !self.own_targets.contains_key(&lesson.number))
            .collect();
        let mut compiled = compile_together(&self.env, &shared);
        let mut checked = Vec::new();
        for lesson in lessons.iter().copied() {
            let own = self.own_targets.contains_key(&lesson.number);
            let before = if own {
                Some(self.fresh_own_target(lesson.number)?)
            } else {
                None
            };
            let report = check_compiled(self.env_of(lesson), lesson, &mut compiled);
            let mut changed = self.scratch.restore()?;
            let mut build_changed = self.build_files_changed();
            if let Some(before) = &before {
                build_changed.extend(self.discard_own_target(lesson.number, before));
            }
            forget_build(&self.env_of(lesson).target(), &lesson.package);
            changed.extend(build_changed.iter().cloned());
            if !build_changed.is_empty() {
                self.rebuild_build_folders()?;
                // The warm-up laid the exercises as shipped: the lessons
                // still to check are the submission's, compiled alone (what
                // was compiled ahead went with the build folder).
                self.scratch
                    .take_editable(self.workbook, &opened.root, &opened.links_ignored)?;
                compiled = Compiled::default();
            }
            checked.push(Checked {
                lesson,
                report,
                changed,
            });
        }
        Ok(checked)
    }
}

/// How long the build that compiles a target folder's dependencies may take.
const FIRST_BUILD_TIMEOUT: Duration = Duration::from_secs(1800);

/// Compiles `lesson`'s dependencies in its own target folder (`own`), with
/// the exercise as shipped, and forgets the lesson's own build: its first
/// check builds it from the submission's sources.
fn warm_up_own_target(own: &mut CheckEnv, lesson: &Lesson) -> Result<(), String> {
    let later = std::mem::replace(&mut own.build_timeout, FIRST_BUILD_TIMEOUT);
    let compiled = compile_dependencies(own, std::slice::from_ref(lesson), &[]);
    own.build_timeout = later;
    forget_build(&own.target(), &lesson.package);
    compiled
}

/// Keeps the warmed own target folder `target` as `warm`: only the compiled
/// dependencies (the lesson's own build is made from its sources at each
/// check), every file the grader's and read-only, so that the hard links a
/// fresh copy is made of cannot be written through by the learner user.
fn freeze(target: &Path, warm: &Path, lessons: &[Lesson]) -> std::io::Result<()> {
    let _ = std::fs::remove_dir_all(warm);
    std::fs::rename(target, warm)?;
    let mut files = Vec::new();
    walk_files(warm, Path::new(""), false, &mut files);
    for rel in files {
        let path = warm.join(&rel);
        if !shared_build_file(&rel, lessons) {
            std::fs::remove_file(&path)?;
            continue;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // SAFETY: geteuid has no preconditions.
            if unsafe { libc::geteuid() } == 0 {
                std::os::unix::fs::lchown(&path, Some(0), Some(0))?;
            }
            let meta = std::fs::symlink_metadata(&path)?;
            if meta.is_file() {
                let mode = meta.permissions().mode() & !0o222;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
            }
        }
    }
    Ok(())
}

/// Makes `dest` a fresh copy of the warmed folder `warm`, walking without
/// recursion: new folders (given to `user`, so that a build can add files
/// there), and each file a hard link to the warm one, which is the grader's
/// and read-only (`link`), or a copy (unconfined, where learner code runs as
/// the grader and could write through a link; or where links fail).
fn fresh_copy(warm: &Path, dest: &Path, link: bool, user: Option<u32>) -> std::io::Result<()> {
    if dest.exists() {
        std::fs::remove_dir_all(dest)?;
    }
    let mut todo = vec![PathBuf::new()];
    while let Some(rel) = todo.pop() {
        let dir = dest.join(&rel);
        std::fs::create_dir_all(&dir)?;
        for entry in std::fs::read_dir(warm.join(&rel))? {
            let entry = entry?;
            let rel = rel.join(entry.file_name());
            let kind = entry.file_type()?;
            if kind.is_dir() {
                todo.push(rel);
            } else if kind.is_file() {
                let (from, to) = (warm.join(&rel), dest.join(&rel));
                if !link || std::fs::hard_link(&from, &to).is_err() {
                    std::fs::copy(&from, &to)?;
                }
            }
        }
        #[cfg(unix)]
        if let Some(uid) = user {
            std::os::unix::fs::lchown(&dir, Some(uid), Some(uid))?;
        }
        #[cfg(not(unix))]
        let _ = user;
    }
    Ok(())
}

/// One lesson's check while grading, and the files its code changed that it
/// must not have (which fails it).
struct Checked<'a> {
    lesson: &'a Lesson,
    report: Report,
    changed: Vec<PathBuf>,
}

/// The report's entry for one checked lesson, and its flags: what its code
/// reached or left running, and what it changed (which fails it).
fn record(checked: Checked, flags: &mut Vec<Flag>) -> LessonResult {
    let Checked {
        lesson,
        report,
        changed,
    } = checked;
    let mut result = lesson_result(
        lesson,
        GradeVerdict::from_check(&report.verdict),
        detail(&report),
        report.elapsed,
    );
    result.failed_checks = report.failed_checks.clone();
    result.feedback = feedback(&report);
    let kind = if report.verdict == Verdict::ReachesOutside {
        FlagKind::ReachesOutside
    } else {
        FlagKind::Suspicious
    };
    // A limit reached is the verdict, and the instructor should know of it.
    let limit = match report.verdict {
        Verdict::OutOfMemory { mib, .. } => Some(format!(
            "reached the memory limit of {mib} MiB (a step's whole tree: its processes, /tmp \
             and /dev/shm together, or one process's own); it was stopped"
        )),
        Verdict::TooManyProcesses { max, .. } => Some(format!(
            "reached the limit of {max} processes and threads for a step's whole tree (a fork \
             bomb?); it was stopped"
        )),
        _ => None,
    };
    if let Some(limit) = limit {
        flags.push(Flag::new(
            FlagKind::Suspicious,
            None,
            format!("lesson {}: {limit}", lesson.number),
        ));
    }
    for warning in &report.warnings {
        flags.push(Flag::new(
            kind,
            None,
            format!("lesson {}: {warning}", lesson.number),
        ));
    }
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
    result
}

/// Removes cargo's fingerprints and build script output of `package`, so
/// that its next build is a whole one: nothing in the target folder that
/// was written while its build script ran is reused.
fn forget_build(target: &Path, package: &str) {
    let Ok(profiles) = std::fs::read_dir(target) else {
        return;
    };
    let prefix = format!("{}-", package);
    for profile in profiles.flatten() {
        for area in [".fingerprint", "build"] {
            let Ok(entries) = std::fs::read_dir(profile.path().join(area)) else {
                continue;
            };
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(&prefix) {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
    }
}

/// Every text of a submission's report that its files or its code could
/// have written, made safe to show (text.rs), once, before any report,
/// table or summary is made of it.
fn made_safe(report: &mut SubmissionReport) {
    use crate::text::{quoted_path, sanitize, sanitize_line};
    // (Flags' paths were quoted when made: Flag::new.)
    report.name = sanitize_line(&report.name);
    report.source = quoted_path(&report.source);
    report.error = report.error.as_deref().map(sanitize);
    for flag in &mut report.flags {
        flag.message = sanitize_line(&flag.message);
    }
    for lesson in &mut report.lessons {
        lesson.detail = sanitize(&lesson.detail);
        lesson.feedback = sanitize(&lesson.feedback);
        for check in &mut lesson.failed_checks {
            *check = sanitize_line(check);
        }
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
        failed_checks: Vec::new(),
        feedback: String::new(),
        files_hash: None,
        seconds: elapsed.as_secs_f64(),
    }
}

/// What the checker would tell the learner: the verdict, what it usually
/// means, and the output that shows it.
fn detail(report: &Report) -> String {
    cut(&feedback(report), 60)
}

/// All of what the checker said, uncut: the verdict, what it usually means,
/// the output that shows it, and the checks that did not run (said in a
/// pass too: the grading machine lacks a tool, and the grade counts only
/// what ran).
fn feedback(report: &Report) -> String {
    // Checks that did not run are said, in a pass too: the grading machine
    // lacks a tool, and the grade counts only what ran.
    let not_run: String = report
        .skipped
        .iter()
        .map(|skip| format!("\nNot run on the grading machine: {skip}."))
        .collect();
    if report.verdict.passed() {
        return not_run.trim_start().to_string();
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
    text.push_str(&not_run);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lessons() -> Vec<Lesson> {
        vec![Lesson::for_tests("03_abi_add")]
    }

    #[test]
    fn build_scripts_that_run_learner_code_are_known() {
        let tmp = tempfile::tempdir().unwrap();
        let mut lesson = lessons().remove(0);
        let dir = lesson.exercise_dir(tmp.path());
        std::fs::create_dir_all(&dir).unwrap();
        lesson.editable = vec!["src/options.rs".into()];
        // No build script: lesson code is compiled, never run, while building.
        assert!(!crate::reach::build_script_runs_learner_code(
            tmp.path(),
            &lesson
        ));
        std::fs::write(dir.join("build.rs"), "fn main() { cc::Build::new(); }").unwrap();
        assert!(!crate::reach::build_script_runs_learner_code(
            tmp.path(),
            &lesson
        ));
        // One whose comments name a learner's file runs none of it.
        std::fs::write(
            dir.join("build.rs"),
            "//! Links the block in src/options.rs.\nfn main() {}",
        )
        .unwrap();
        assert!(!crate::reach::build_script_runs_learner_code(
            tmp.path(),
            &lesson
        ));
        // One that pulls in a learner's file.
        std::fs::write(
            dir.join("build.rs"),
            "#[path = \"src/options.rs\"] mod options;",
        )
        .unwrap();
        assert!(crate::reach::build_script_runs_learner_code(
            tmp.path(),
            &lesson
        ));
        // One the learner writes.
        lesson.editable = vec!["build.rs".into()];
        assert!(crate::reach::build_script_runs_learner_code(
            tmp.path(),
            &lesson
        ));
    }

    #[test]
    fn lesson_build_files_are_told_from_shared_ones() {
        let shared = |p: &str| shared_build_file(Path::new(p), &lessons());
        assert!(shared("debug/deps/libinsta-0123.rlib"));
        assert!(shared("debug/.fingerprint/insta-0123/lib-insta"));
        assert!(shared("debug/build/libloading-99/output"));
        assert!(!shared("debug/deps/abi_add-0123"));
        assert!(!shared("debug/deps/libabi_add-0123.rlib"));
        assert!(!shared(
            "debug/.fingerprint/abi_add-0123/test-integration-test-abi_add"
        ));
        assert!(!shared("debug/build/abi_add-77/output"));
        assert!(!shared("debug/abi_add"));
        assert!(!shared("debug/abi_add.d"));
        assert!(!shared("debug/incremental/abi_add-1x/s-abc/dep-graph.bin"));
        assert!(!shared("debug/.cargo-lock"));
    }
}
