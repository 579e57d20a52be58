//! Where submissions are graded: the reference check, once per batch in a
//! workspace of its own, and the grading jobs, each with one workspace kept
//! in sync with the instructor's copy (without its answers) and one cargo
//! target folder, reused submission after submission.
//!
//! Every step that runs learner code runs in the sandbox (sandbox.rs). What
//! the sandbox cannot make read-only during a build (the target folder,
//! which cargo writes) is checked between lessons: a submission whose code
//! changed build files other lessons use fails that lesson, is flagged, and
//! the job's build folder is made anew before the next one is graded.

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
use crate::check::{CheckEnv, ExpectedTests, Fingerprint, check_compiled, cut};
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
    /// Paths no sandboxed step may see: the instructor's workbook, the work
    /// folder, the submissions.
    pub hidden: Vec<PathBuf>,
    /// `--unconfined`: no sandbox at all.
    pub unconfined: bool,
}

impl Confinement {
    /// A sandbox for steps of a job whose private /tmp is `tmp`; None when
    /// the batch is unconfined.
    fn sandbox(&self, tmp: PathBuf) -> Result<Option<Arc<Sandbox>>> {
        if self.unconfined {
            return Ok(None);
        }
        Ok(Some(Arc::new(Sandbox::new(self.hidden.clone(), tmp)?)))
    }
}

/// The report's words for how learner code is confined; an error, with what
/// to install, when the sandbox cannot work here and `--unconfined` was not
/// given.
pub fn describe_confinement(unconfined: bool) -> Result<String> {
    if unconfined {
        return Ok("none (--unconfined)".into());
    }
    Ok(Sandbox::new(Vec::new(), std::env::temp_dir())?.version)
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
/// (never one a submission is graded in), in the sandbox, and returns the
/// tests each test program listed there: a submission must report exactly
/// those. Without `solutions/` there is nothing to check against: the
/// instructor is told, and each test program's own list is used.
pub fn check_references(
    context: &Context,
    dir: &Path,
    also_skip: &[OsString],
    confinement: &Confinement,
) -> Result<Option<ExpectedTests>> {
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
    let mut env = context.env.in_copy(&root, dir.join("target"));
    env.color = false;
    env.write_new_snapshots = false;
    env.build_timeout = Duration::from_secs(1800);
    env.sandbox = confinement.sandbox(dir.join("tmp"))?;
    fetch_dependencies(&env)?;
    c_build::build_all(&root.join("csrc"), &env.c_dir, &workbook.all_c_needs())
        .map_err(|err| instructor_c_error(err, &root, workbook))?;
    let mut expected = ExpectedTests::new();
    let mut failures = String::new();
    let all: Vec<&Lesson> = workbook.lessons.iter().collect();
    let mut compiled = compile_together(&env, &all);
    for lesson in &workbook.lessons {
        let report = check_compiled(&env, lesson, &mut compiled);
        if !report.verdict.passed() {
            failures.push('\n');
            failures.push_str(&ui::report_text(workbook, lesson, &report));
        }
        for (target, tests) in report.listed {
            expected.insert((lesson.package.clone(), target), tests);
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
pub struct Grader<'a> {
    workbook: &'a Workbook,
    job_dir: PathBuf,
    scratch: Scratch,
    env: CheckEnv,
    target_baseline: Baseline,
    c_baseline: Baseline,
}

impl<'a> Grader<'a> {
    pub fn prepare(
        context: &'a Context,
        job_dir: &Path,
        also_skip: &[OsString],
        confinement: &Confinement,
        expected: Option<Arc<ExpectedTests>>,
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
        env.expected = expected;
        let mut grader = Grader {
            workbook,
            job_dir: job_dir.to_path_buf(),
            scratch,
            env,
            target_baseline: Baseline::new(),
            c_baseline: Baseline::new(),
        };
        // Build folders left by an earlier batch are trusted only if they are
        // exactly as that batch last verified them: a batch interrupted while
        // learner code had changed them must not pass the change on.
        if !grader.build_folders_as_saved() {
            let _ = std::fs::remove_dir_all(grader.env.target());
            let _ = std::fs::remove_dir_all(&grader.env.c_dir);
        }
        // The lessons' own builds are not among what was verified: a batch
        // stopped while a build script of learner code ran may have left
        // something there. The warm-up builds them again from their sources.
        for lesson in &workbook.lessons {
            forget_build(&grader.env.target(), &lesson.package);
        }
        grader.warm_up()?;
        Ok(grader)
    }

    /// Where the verified state of the build folders is kept between batches.
    fn saved_baselines(&self) -> PathBuf {
        self.job_dir.join("build-baselines.json")
    }

    fn build_folders_as_saved(&mut self) -> bool {
        let Ok(text) = std::fs::read_to_string(self.saved_baselines()) else {
            return false;
        };
        let Ok((target, c)) = serde_json::from_str::<(Baseline, Baseline)>(&text) else {
            return false;
        };
        // An empty record proves nothing about what is there.
        if target.is_empty() {
            return false;
        }
        self.target_baseline = target;
        self.c_baseline = c;
        self.build_files_changed().is_empty()
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
        // The first build compiles every dependency: give it time.
        self.env.build_timeout = Duration::from_secs(1800);
        let together = lessons_to_compile_together(&root, &self.workbook.lessons, None);
        compile_dependencies(&self.env, &self.workbook.lessons, &together).map_err(|why| {
            anyhow::anyhow!(
                "the dependencies do not compile in the grading workspace {} (not the \
                 learners' fault):\n{why}",
                root.display()
            )
        })?;
        // From now on a lesson compiles in seconds; a build that takes
        // minutes is a learner's build.rs that loops.
        self.env.build_timeout =
            Duration::from_secs((self.env.limits.timeout.as_secs() * 6).max(120));
        self.record_baselines();
        Ok(())
    }

    fn record_baselines(&mut self) {
        let lessons = &self.workbook.lessons;
        self.target_baseline = baseline(&self.env.target(), |rel| shared_build_file(rel, lessons));
        let output = self.env.out_dir.clone();
        let c_dir = self.env.c_dir.clone();
        self.c_baseline = baseline(&c_dir, |rel| !c_dir.join(rel).starts_with(&output));
        let saved =
            serde_json::to_string(&(&self.target_baseline, &self.c_baseline)).unwrap_or_default();
        // Without the file, the next batch simply builds afresh.
        let _ = std::fs::write(self.saved_baselines(), saved);
    }

    /// Build files and C libraries that changed since the warm-up: only
    /// learner code can have changed them.
    fn build_files_changed(&self) -> Vec<PathBuf> {
        let lessons = &self.workbook.lessons;
        let target = self.env.target();
        let mut changed: Vec<PathBuf> = changes(
            &self.target_baseline,
            &baseline(&target, |rel| shared_build_file(rel, lessons)),
        )
        .into_iter()
        .map(|rel| Path::new("target").join(rel))
        .collect();
        let output = self.env.out_dir.clone();
        let c_dir = self.env.c_dir.clone();
        changed.extend(
            changes(
                &self.c_baseline,
                &baseline(&c_dir, |rel| !c_dir.join(rel).starts_with(&output)),
            )
            .into_iter()
            .map(|rel| Path::new("build").join(rel)),
        );
        changed
    }

    /// The build files of every lesson but `lesson` (the ones all lessons
    /// share are watched from the warm-up on, by `build_files_changed`).
    fn other_lessons_build_files(&self, lesson: &Lesson) -> Baseline {
        let lessons = &self.workbook.lessons;
        let own = target_names(&self.scratch.root, lesson);
        baseline(&self.env.target(), |rel| {
            in_build_areas(rel)
                && !shared_build_file(rel, lessons)
                && !owned_by(rel, &lesson.package, &own)
        })
    }

    /// Makes the build folders anew after learner code changed them.
    fn rebuild_build_folders(&mut self) -> Result<()> {
        let _ = std::fs::remove_dir_all(self.env.target());
        let _ = std::fs::remove_dir_all(&self.env.c_dir);
        self.warm_up()
    }

    /// Grades one submission. Never fails: whatever goes wrong is in the report.
    pub fn grade(&mut self, source: &Source) -> SubmissionReport {
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
        &mut self,
        opened: &submission::Opened,
        report: &mut SubmissionReport,
    ) -> Result<()> {
        self.scratch.restore()?;
        let (present, mut flags) =
            self.scratch
                .take_editable(self.workbook, &opened.root, &opened.links_ignored)?;
        flags.extend(workspace::compare_protected(self.workbook, &opened.root));
        let together =
            lessons_to_compile_together(&self.scratch.root, &self.workbook.lessons, Some(&present));
        let mut compiled = compile_together(&self.env, &together);
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
            // A build script that runs learner code runs while cargo may
            // write the target folder: what it could reach there of other
            // lessons' is compared before and after.
            let learner_build_code = build_script_runs_learner_code(&self.scratch.root, lesson);
            let others_before = learner_build_code.then(|| self.other_lessons_build_files(lesson));
            let checked = check_compiled(&self.env, lesson, &mut compiled);
            let mut result = lesson_result(
                lesson,
                GradeVerdict::from_check(&checked.verdict),
                detail(&checked),
                checked.elapsed,
            );
            let kind = if checked.verdict == Verdict::ReachesOutside {
                FlagKind::ReachesOutside
            } else {
                FlagKind::Suspicious
            };
            for warning in &checked.warnings {
                flags.push(Flag::new(
                    kind,
                    None,
                    format!("lesson {}: {warning}", lesson.number),
                ));
            }
            // Put the instructor's files back before the next lesson, and
            // look at the build folders. Anything that changed was changed by
            // this lesson's code while it ran: its verdict cannot be trusted.
            // In the sandbox the workspace and the C build are read-only, and
            // the target folder is writable only while cargo builds, when
            // learner code runs only in a build script it wrote or fed: then
            // only the target folder, and only after such a lesson.
            let sandboxed = self.env.sandbox.is_some();
            let mut changed = if sandboxed {
                Vec::new()
            } else {
                self.scratch.restore()?
            };
            let mut build_changed = if sandboxed && !learner_build_code {
                Vec::new()
            } else {
                self.build_files_changed()
            };
            if let Some(before) = others_before {
                build_changed.extend(
                    changes(&before, &self.other_lessons_build_files(lesson))
                        .into_iter()
                        .map(|rel| Path::new("target").join(rel)),
                );
                // Nothing this lesson's build left for itself is trusted
                // later: the next build of it starts from its sources.
                forget_build(&self.env.target(), &lesson.package);
            }
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

/// The lessons a submission's grading compiles in one cargo call before
/// checking them (`present`: which lessons it has; None, all): every lesson
/// whose build runs no learner code. A build script that does is built on
/// its own, after that call, so it cannot touch their builds unseen: their
/// test programs are fingerprinted as they are built, and checked for change
/// before they run.
fn lessons_to_compile_together<'l>(
    root: &Path,
    lessons: &'l [Lesson],
    present: Option<&[bool]>,
) -> Vec<&'l Lesson> {
    lessons
        .iter()
        .enumerate()
        .filter(|(i, lesson)| {
            present.is_none_or(|present| present[*i])
                && !build_script_runs_learner_code(root, lesson)
        })
        .map(|(_, lesson)| lesson)
        .collect()
}

/// The names of a lesson's targets (its library and program, and every
/// file of tests/, benches/, examples/ and src/bin/), which name their
/// build files.
fn target_names(root: &Path, lesson: &Lesson) -> Vec<String> {
    let dir = lesson.exercise_dir(root);
    let mut names = vec![lesson.package.clone()];
    for folder in ["tests", "benches", "examples", "src/bin"] {
        let Ok(entries) = std::fs::read_dir(dir.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            // A target is a file `NAME.rs` or a folder `NAME/main.rs`.
            if (path.extension().is_some_and(|ext| ext == "rs") || path.join("main.rs").is_file())
                && let Some(stem) = path.file_stem()
            {
                names.push(stem.to_string_lossy().into_owned());
            }
        }
    }
    // Targets the manifest names ([[bin]], [[test]], ...).
    if let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml"))
        && let Ok(manifest) = text.parse::<toml::Table>()
    {
        for kind in ["bin", "test", "bench", "example"] {
            for target in manifest
                .get(kind)
                .and_then(|t| t.as_array())
                .into_iter()
                .flatten()
            {
                if let Some(name) = target.get("name").and_then(|n| n.as_str()) {
                    names.push(name.to_string());
                }
            }
        }
    }
    names
}

/// Whether `rel` (under the target folder) is in the folders cargo keeps
/// builds and their fingerprints in: `PROFILE/deps`, `PROFILE/build`,
/// `PROFILE/.fingerprint`.
fn in_build_areas(rel: &Path) -> bool {
    let mut parts = rel.components().skip(1);
    parts.next().is_some_and(|area| {
        ["deps", "build", ".fingerprint"]
            .iter()
            .any(|a| area.as_os_str() == *a)
    })
}

/// Whether `rel` is a build file of `package`'s: its build script, its
/// fingerprints, or one of its `targets`.
fn owned_by(rel: &Path, package: &str, targets: &[String]) -> bool {
    let Some(name) = rel.components().nth(2) else {
        return false;
    };
    let name = name.as_os_str().to_string_lossy().replace('-', "_");
    // A library's files are `libNAME-HASH.*`; a program's `NAME-HASH`,
    // and NAME may itself start with "lib".
    let names = [name.as_str(), name.strip_prefix("lib").unwrap_or(&name)];
    std::iter::once(package)
        .chain(targets.iter().map(String::as_str))
        .map(|owner| format!("{}_", owner.replace('-', "_")))
        .any(|owner| names.iter().any(|name| name.starts_with(&owner)))
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

/// Does `lesson`'s build script run code the learner wrote: a `build.rs`
/// they edit, or one that names one of their files (lesson 11's includes the
/// learner's bindgen options)? No build script, no learner code at build
/// time: lesson code is compiled then, never run.
fn build_script_runs_learner_code(root: &Path, lesson: &Lesson) -> bool {
    let build_rs = Path::new("build.rs");
    if lesson.editable.iter().any(|file| file == build_rs) {
        return true;
    }
    // A protected build.rs: the instructor's, as laid in the workspace.
    let Ok(text) = std::fs::read_to_string(lesson.exercise_dir(root).join(build_rs)) else {
        return false;
    };
    lesson.editable.iter().any(|file| {
        file.file_name()
            .is_some_and(|name| text.contains(name.to_string_lossy().as_ref()))
    })
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
        assert!(!build_script_runs_learner_code(tmp.path(), &lesson));
        std::fs::write(dir.join("build.rs"), "fn main() { cc::Build::new(); }").unwrap();
        assert!(!build_script_runs_learner_code(tmp.path(), &lesson));
        // One that pulls in a learner's file.
        std::fs::write(
            dir.join("build.rs"),
            "#[path = \"src/options.rs\"] mod options;",
        )
        .unwrap();
        assert!(build_script_runs_learner_code(tmp.path(), &lesson));
        // One the learner writes.
        lesson.editable = vec!["build.rs".into()];
        assert!(build_script_runs_learner_code(tmp.path(), &lesson));
    }

    #[test]
    fn a_lessons_own_build_files_are_known_by_its_targets() {
        let targets = vec!["program".to_string(), "libclang".to_string()];
        let own = |p: &str| owned_by(Path::new(p), "abi_add", &targets);
        assert!(own("debug/.fingerprint/abi_add-0123/lib-abi_add"));
        assert!(own("debug/build/abi_add-77/output"));
        assert!(own("debug/deps/libabi_add-0123.rlib"));
        assert!(own("debug/deps/abi_add-0123"));
        assert!(own("debug/deps/program-0123"));
        // A test file named libclang.rs: its program is libclang-HASH.
        assert!(own("debug/deps/libclang-0123.d"));
        assert!(!own("debug/deps/libinsta-0123.rlib"));
        assert!(!own("debug/.fingerprint/api_add-0123/lib-api_add"));
        assert!(!own("debug/deps/check-0123"));
        assert!(in_build_areas(Path::new("debug/.fingerprint/x-1/y")));
        assert!(!in_build_areas(Path::new("debug/incremental/x-1/y")));
    }

    #[test]
    fn a_lessons_targets_are_read_from_its_folders_and_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        let lesson = lessons().remove(0);
        let dir = lesson.exercise_dir(tmp.path());
        for file in [
            "tests/steps.rs",
            "src/bin/make_field.rs",
            "benches/speed.rs",
        ] {
            std::fs::create_dir_all(dir.join(file).parent().unwrap()).unwrap();
            std::fs::write(dir.join(file), "").unwrap();
        }
        std::fs::write(dir.join("Cargo.toml"), "[[bin]]\nname = \"other\"\n").unwrap();
        let mut names = target_names(tmp.path(), &lesson);
        names.sort();
        assert_eq!(names, ["abi_add", "make_field", "other", "speed", "steps"]);
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
