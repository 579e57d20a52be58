//! What a check concluded, in words a learner can act on.

use std::time::Duration;

use serde::Serialize;

use crate::crash::Crash;

/// Where in the check something went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// `cargo` compiling the lesson crate (and its build.rs).
    Compile,
    /// Running the lesson's program.
    Program,
    /// Running the lesson's tests.
    Checks,
}

impl Stage {
    pub fn describe(self) -> &'static str {
        match self {
            Stage::Compile => "while compiling",
            Stage::Program => "while running your program",
            Stage::Checks => "while running the checks",
        }
    }
}

/// The verdict on one lesson.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    Passed,
    /// The Rust (or the lesson's build script) does not compile.
    CompileError,
    /// It runs, but a check found a difference.
    Failed,
    /// Learner code panicked (an untouched `todo!()`, an `unwrap()`...).
    Panicked {
        stage: Stage,
    },
    /// Killed by a signal (a segfault, an abort...), or on Windows ended by
    /// a crash's NTSTATUS (an access violation...).
    Crashed {
        stage: Stage,
        /// The signal number on Unix, the exit code on Windows: see `crash::Crash::native`.
        signal: i32,
    },
    /// Exited with a failure code without panicking.
    ExitedWithError {
        stage: Stage,
        code: i32,
    },
    TimedOut {
        stage: Stage,
        seconds: u64,
    },
    /// Printed more than the output cap.
    Flooded {
        stage: Stage,
        kib: usize,
    },
    /// Ran out of its memory limit.
    OutOfMemory {
        stage: Stage,
        mib: u64,
    },
    /// Its whole tree had as many processes as it may (grading's cgroup)
    /// and wanted more: a fork bomb, or processes started in a loop.
    TooManyProcesses {
        stage: Stage,
        max: u64,
    },
    /// The test program ended before every check reported (an early
    /// `std::process::exit`): no pass without every check's own `ok`.
    EndedEarly,
    /// The checks' report does not add up: checks reported twice, checks
    /// that do not exist, a summary that disagrees.
    ReportMismatch,
    /// The compiled checks changed on disk while learner code ran.
    Tampered,
    /// The learner's code reaches outside its lesson's crate at compile
    /// time (`#[path]`, `include!`...) or through a link.
    ReachesOutside,
    /// The C in csrc/ did not compile (not the learner's code, unless they edited it).
    CBuildFailed,
    /// Something about the machine, not the lesson: no C compiler, no cargo.
    Environment,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        matches!(self, Verdict::Passed)
    }

    /// The machine's fault, not the learner's: exit code 2, and no advice
    /// that sends the learner to their code.
    pub fn is_environment(&self) -> bool {
        matches!(self, Verdict::Environment)
    }

    /// A short label: `passed`, `compile error`, `crashed (SIGSEGV)`...
    pub fn label(&self) -> String {
        match self {
            Verdict::Passed => "passed".into(),
            Verdict::CompileError => "compile error".into(),
            Verdict::Failed => "checks failed".into(),
            Verdict::Panicked { .. } => "panicked".into(),
            Verdict::Crashed { signal, .. } => {
                format!("crashed: {}", Crash::native(*signal).label())
            }
            Verdict::ExitedWithError { code, .. } => format!("exited with code {code}"),
            Verdict::TimedOut { seconds, .. } => format!("timed out after {seconds} s"),
            Verdict::Flooded { kib, .. } => format!("printed more than {kib} KiB"),
            Verdict::OutOfMemory { mib, .. } => format!("used more than {mib} MiB of memory"),
            Verdict::TooManyProcesses { max, .. } => {
                format!("started more than {max} processes")
            }
            Verdict::EndedEarly => "ended before the checks finished".into(),
            Verdict::ReportMismatch => "the checks' report does not add up".into(),
            Verdict::Tampered => "the compiled checks were changed".into(),
            Verdict::ReachesOutside => "reaches outside the lesson".into(),
            Verdict::CBuildFailed => "C build failed".into(),
            Verdict::Environment => "cannot run here".into(),
        }
    }

    /// One sentence on what this usually means in FFI code, and where to look.
    pub fn advice(&self) -> String {
        match self {
            Verdict::Passed => "Everything the lesson checks is right.".into(),
            Verdict::CompileError => "The Rust compiler found errors. Read the first one first: \
                 later ones often follow from it."
                .into(),
            Verdict::Failed => "Your code runs, but what it computes or prints differs from what \
                 the lesson expects. The difference is shown below."
                .into(),
            Verdict::Panicked { stage } => format!(
                "Your code panicked {}. Usually: a `todo!()` still to fill in, an `unwrap()` on \
                 an error (was the C library built?), or an index out of range.",
                stage.describe()
            ),
            Verdict::Crashed { stage, signal } => format!(
                "It crashed {}. {}",
                stage.describe(),
                Crash::native(*signal).kind.advice()
            ),
            Verdict::ExitedWithError { stage, code } => format!(
                "It reported an error and exited with code {code} {}: its message is \
                 below (an error returned from `main`, or `std::process::exit`).",
                stage.describe()
            ),
            Verdict::TimedOut { stage, seconds } => format!(
                "It did not finish within {seconds} s {}: an endless loop (a loop whose \
                 counter never changes, or an n far too large), or code waiting for something \
                 that never comes.",
                stage.describe()
            ),
            Verdict::Flooded { stage, kib } => format!(
                "It printed more than {kib} KiB {} and was stopped: a print inside a loop?",
                stage.describe()
            ),
            Verdict::OutOfMemory { stage, mib } => format!(
                "It used more than {mib} MiB of memory {} and was stopped: an allocation sized \
                 by a wrong length, or printing in a loop inside a check (the test harness \
                 keeps what a check prints in memory).",
                stage.describe()
            ),
            Verdict::TooManyProcesses { stage, max } => format!(
                "It had {max} processes and threads running at once {} and wanted more, so it \
                 was stopped: processes started in a loop, or one that starts itself again.",
                stage.describe()
            ),
            Verdict::EndedEarly => "Your code ended the test program before the checks finished \
                 (a `std::process::exit`, or a C `exit()`), so some checks never reported a \
                 result. A lesson passes only when every check reports `ok`."
                .into(),
            Verdict::ReportMismatch => "The test program's report does not add up: it names \
                 checks that do not exist, or the same check twice. Something printed lines \
                 that look like the test harness's own; don't print `test ... ok` yourself."
                .into(),
            Verdict::Tampered => "The lesson's compiled checks changed on disk while your code \
                 ran, so they could not be trusted. Your code must not write into target/."
                .into(),
            Verdict::ReachesOutside => "Your code reads files from outside the lesson's crate \
                 (a `#[path]` attribute, `include!`, `include_str!`, `include_bytes!` or a \
                 link). A lesson's code must be in its own files."
                .into(),
            Verdict::CBuildFailed => "The C in csrc/ did not compile. It is part of the \
                 workbook: if you changed it, `git checkout -- csrc` restores it."
                .into(),
            Verdict::Environment => "This is about the machine, not your code.".into(),
        }
    }
}

/// Everything a check found out about one lesson.
#[derive(Debug, Clone)]
pub struct Report {
    pub verdict: Verdict,
    /// What the learner should read: compiler errors, the failing checks, a crash's output.
    pub details: String,
    /// What the lesson's program printed (when it ran).
    pub program_output: Option<String>,
    pub elapsed: Duration,
    /// The tests each test program listed, by test file name: what a pass
    /// had to include (grading takes these from the reference solutions).
    pub listed: Vec<(String, crate::libtest::Listed)>,
    /// What the lesson's probe observed, when it ran to its end (and agreed
    /// with the reference's, when there was one to compare with).
    pub observed: Option<Vec<crate::probe::Observation>>,
    /// What a grader should know even when the verdict does not show it:
    /// processes left running, a report that did not add up, code reaching
    /// outside its lesson.
    pub warnings: Vec<String>,
    /// The compiler's warnings on the lesson's files that matter in FFI
    /// code (compile.rs's `FFI_WARNINGS`), shown with the verdict, a pass's too.
    pub compiler_warnings: Vec<crate::compile::CompilerWarning>,
    /// The checks that failed, `file::test` (or `file` for a test program
    /// that did not finish), sorted: grading reports them by name.
    pub failed_checks: Vec<String>,
    /// Checks that did not run here, each with why (`t::leak_check: valgrind
    /// is not installed`), from their `SKIPPED` lines: a pass with these is
    /// a pass of what ran, and says so.
    pub skipped: Vec<String>,
}

/// The line a check prints on stderr when a tool it needs is missing
/// (`workbook_support::testing::skip_without`).
pub const SKIPPED_PREFIX: &str = "SKIPPED ";

/// The skipped checks a test program's stderr names.
pub fn skipped_checks(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix(SKIPPED_PREFIX))
        .map(|rest| {
            // The advice to CI that follows ("Set ... to make this a
            // failure.") is for authors.
            let rest = rest.split(" (Set ").next().unwrap_or(rest);
            rest.trim_end_matches('.').to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crash as this system reports it (`Verdict::Crashed`'s `signal`): a
    /// signal on Unix, an NTSTATUS exit code on Windows.
    fn native(unix_signal: i32, windows_status: u32) -> i32 {
        if cfg!(windows) {
            windows_status as i32
        } else {
            unix_signal
        }
    }

    #[test]
    fn crash_advice_names_the_usual_ffi_causes() {
        let segv = Verdict::Crashed {
            stage: Stage::Program,
            signal: native(11, 0xC000_0005),
        };
        assert!(segv.advice().contains("null or dangling pointer"));
        let name = if cfg!(windows) {
            "STATUS_ACCESS_VIOLATION"
        } else {
            "SIGSEGV"
        };
        assert!(segv.label().contains(name), "{}", segv.label());
        // SIGABRT; on Windows a fail-fast (what Rust's abort and the C
        // runtime's checks end with).
        let abort = Verdict::Crashed {
            stage: Stage::Checks,
            signal: native(6, 0xC000_0409),
        };
        assert!(abort.advice().contains("past the end"));
    }

    #[test]
    fn an_overflow_trap_is_explained() {
        let trap = Verdict::Crashed {
            stage: Stage::Program,
            signal: native(4, 0xC000_001D),
        };
        let name = if cfg!(windows) {
            "STATUS_ILLEGAL_INSTRUCTION"
        } else {
            "SIGILL"
        };
        assert!(trap.label().contains(name), "{}", trap.label());
        assert!(trap.advice().contains("signed int overflow"));
    }

    /// On Windows a crash is an exit code; it reads as the same crash.
    #[cfg(windows)]
    #[test]
    fn a_windows_access_violation_is_a_segfault() {
        let crash = Verdict::Crashed {
            stage: Stage::Program,
            signal: 0xC000_0005_u32 as i32,
        };
        assert!(crash.label().contains("STATUS_ACCESS_VIOLATION"));
        assert!(crash.advice().contains("null or dangling pointer"));
    }

    #[test]
    fn skipped_checks_are_read_from_their_lines() {
        let stderr = "noise\nSKIPPED t::no_leak: valgrind is not installed. (Set FFI_WORKBOOK_REQUIRE_TOOLS=valgrind to make this a failure.)\n";
        assert_eq!(
            skipped_checks(stderr),
            vec!["t::no_leak: valgrind is not installed".to_string()]
        );
        assert!(skipped_checks("all fine\n").is_empty());
    }

    #[test]
    fn verdicts_serialize_with_a_kind() {
        let json = serde_json::to_string(&Verdict::TimedOut {
            stage: Stage::Program,
            seconds: 10,
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"kind":"timed_out","stage":"program","seconds":10}"#
        );
    }
}
