//! The learner's session: the one place that owns the workbook, how it is
//! checked (the `CheckEnv`) and the progress, so every front end (the
//! one-shot commands, the watch loop) checks, records and saves the same way.
//!
//! The policy, once: a verdict is recorded as soon as it is known, merged
//! under a lock with whatever another checker saved meanwhile (see
//! progress.rs); a pass remembers the fingerprint of the files it passed on;
//! when saving fails, the session keeps the verdict in memory and says so
//! once, and the verdict is shown all the same.

use std::collections::BTreeSet;

use crate::check::{CheckEnv, check_compiled};
use crate::commands::Context;
use crate::compile::Compiled;
use crate::progress::{self, LessonState, Loaded, Progress};
use crate::verdict::Report;
use crate::workbook::{Lesson, Workbook};

pub struct Session {
    pub workbook: Workbook,
    pub env: CheckEnv,
    progress: Progress,
    /// A progress file was read: the lessons' states are known. Without one,
    /// the front ends rebuild them by checking.
    recorded: bool,
    warnings: Vec<String>,
    warned: BTreeSet<String>,
}

/// One lesson checked: its verdict and the fingerprint of the files it was
/// checked on (taken before the check, so a save during it counts as new).
#[derive(Debug, Clone)]
pub struct Checked {
    pub lesson: Lesson,
    pub fingerprint: String,
    pub report: Report,
}

/// Checks `lesson` (no state is touched: this can run on any thread).
pub fn run_check(env: &CheckEnv, lesson: &Lesson) -> Checked {
    let fingerprint = progress::fingerprint(&env.root, lesson);
    run_compiled_check(env, lesson, fingerprint, &mut Compiled::default())
}

/// Checks `lesson`, which may have been compiled ahead with others, on files
/// whose fingerprint was taken before that compilation.
pub fn run_compiled_check(
    env: &CheckEnv,
    lesson: &Lesson,
    fingerprint: String,
    compiled: &mut Compiled,
) -> Checked {
    let progress_before = progress::Snapshot::take(&env.root);
    let mut report = check_compiled(env, lesson, compiled);
    if progress_before.undo_changes() {
        let note = format!(
            "{} was changed while the lesson's code ran; the checker put it back (only the \
             checker records verdicts).",
            progress::path(std::path::Path::new("")).display()
        );
        report.details = format!("{}\n\nNote: {note}\n", report.details.trim_end());
        report.warnings.push(note);
    }
    Checked {
        lesson: lesson.clone(),
        fingerprint,
        report,
    }
}

impl Session {
    pub fn open(workbook: Workbook, env: CheckEnv) -> Session {
        let mut session = Session {
            workbook,
            env,
            progress: Progress::new(),
            recorded: false,
            warnings: Vec::new(),
            warned: BTreeSet::new(),
        };
        match progress::load(&session.workbook.root) {
            Loaded::Found(progress) => {
                session.progress = progress;
                session.recorded = true;
            }
            Loaded::Missing => {}
            Loaded::Corrupt { set_aside, why } => {
                let moved = match set_aside {
                    Some(path) => format!("it was moved to {}", path.display()),
                    None => "it could not be moved aside".to_string(),
                };
                session.warn(format!(
                    "your progress file could not be read ({why}); {moved} and your progress \
                     is being rebuilt by checking your lessons."
                ));
            }
            Loaded::NotAFile { why } => session.warn(why),
        }
        session
    }

    pub fn from_context(context: &Context) -> Session {
        Session::open(context.workbook.clone(), context.env.clone())
    }

    /// Was a progress file read? (If not, nothing is known until checked.)
    pub fn recorded(&self) -> bool {
        self.recorded
    }

    pub fn state(&self, lesson: &Lesson) -> LessonState {
        self.progress
            .state(lesson, &progress::fingerprint(&self.workbook.root, lesson))
    }

    /// The checks that did not run when `lesson` last passed.
    pub fn not_run(&self, lesson: &Lesson) -> &[String] {
        self.progress.not_run(lesson)
    }

    /// How many lessons pass on their current files.
    pub fn passed_count(&self) -> usize {
        self.workbook
            .lessons
            .iter()
            .filter(|lesson| self.state(lesson) == LessonState::Passed)
            .count()
    }

    /// The first lesson that does not pass on its current files.
    pub fn current(&self) -> Option<&Lesson> {
        self.workbook
            .lessons
            .iter()
            .find(|lesson| self.state(lesson) != LessonState::Passed)
    }

    /// Checks one lesson and records its verdict.
    pub fn check(&mut self, lesson: &Lesson) -> Report {
        let checked = run_check(&self.env, lesson);
        self.record(&checked);
        checked.report
    }

    /// Records a verdict and saves it (a failure to save is a warning).
    pub fn record(&mut self, checked: &Checked) {
        let passed_on = checked
            .report
            .verdict
            .passed()
            .then_some(checked.fingerprint.as_str());
        self.save(&checked.lesson, passed_on, &checked.report.skipped);
    }

    /// Forgets a lesson's pass (its files were reset).
    pub fn forget(&mut self, lesson: &Lesson) {
        self.save(lesson, None, &[]);
    }

    fn save(&mut self, lesson: &Lesson, passed_on: Option<&str>, not_run: &[String]) {
        let change = |progress: &mut Progress| {
            progress.record(lesson, passed_on);
            progress.record_not_run(lesson, not_run);
        };
        // Kept in memory first: the session goes on with it even if the disk
        // refuses it.
        change(&mut self.progress);
        match progress::update(&self.workbook.root, change) {
            Ok(saved) => {
                self.progress = saved;
                self.recorded = true;
            }
            Err(err) => self.warn(format!(
                "your progress could not be saved ({err:#}). Your verdicts stand, but the next \
                 start checks them again."
            )),
        }
    }

    /// Checks lessons in order and stops at the first that does not pass;
    /// with `only_open`, lessons that pass on their current files are
    /// skipped. Lessons after the stop keep what was recorded for them.
    /// Returns the lesson it stopped at, with its report.
    pub fn check_in_order(
        &mut self,
        only_open: bool,
        on_checked: &mut dyn FnMut(&Lesson, &Report),
    ) -> Option<(Lesson, Report)> {
        let lessons = self.workbook.lessons.clone();
        for lesson in lessons {
            if only_open && self.state(&lesson) == LessonState::Passed {
                continue;
            }
            let report = self.check(&lesson);
            on_checked(&lesson, &report);
            if !report.verdict.passed() {
                return Some((lesson, report));
            }
        }
        None
    }

    /// Warnings not yet shown, each said once per session.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    fn warn(&mut self, warning: String) {
        if self.warned.insert(warning.clone()) {
            self.warnings.push(warning);
        }
    }
}
