//! How the checker's answers look: the same text for the watch loop, the
//! one-shot commands and a pipe. Only the watch loop adds screen control.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::progress::LessonState;
use crate::session::Session;
use crate::summary;
use crate::verdict::{Report, Verdict};
use crate::workbook::{Lesson, Workbook};

/// Colours on stdout, as the learner's environment asks: `NO_COLOR`,
/// `CLICOLOR`, `CLICOLOR_FORCE`, `TERM=dumb`, and whether it is a terminal.
/// The same choice is passed on to cargo (coloured compiler errors or not).
/// On Windows, also only a console that reads escapes: Windows Terminal
/// always does; the classic console once asked to (virtual terminal
/// processing), which crossterm does here. Without it, escapes would show
/// as `←[31m`.
pub fn color_enabled() -> bool {
    let wanted = anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
    #[cfg(windows)]
    return wanted && crossterm::ansi_support::supports_ansi();
    #[cfg(not(windows))]
    wanted
}

/// A spinner on stderr saying what is running, for work that takes seconds
/// (nothing is drawn when stderr is not a terminal). Cleared on drop.
pub struct Activity(ProgressBar);

impl Activity {
    pub fn start(message: String) -> Activity {
        let bar = ProgressBar::new_spinner().with_message(message);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Activity(bar)
    }
}

impl Activity {
    /// Runs `print` with the spinner out of the way (for lines on stdout).
    pub fn suspend(&self, print: impl FnOnce()) {
        self.0.suspend(print);
    }
}

impl Drop for Activity {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// The stems of the workbook's C files (`API_add` for csrc/API_add.c).
pub fn c_sources(workbook: &Workbook) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(workbook.root.join("csrc")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            if path.extension()? != "c" {
                return None;
            }
            Some(path.file_stem()?.to_string_lossy().into_owned())
        })
        .collect()
}

/// `[###---] 3/6`
pub fn progress_bar(done: usize, total: usize) -> String {
    let width = total.max(1);
    format!(
        "[{}{}] {done}/{total}",
        "#".repeat(done.min(width)),
        "-".repeat(width - done.min(width))
    )
}

/// `Lesson 3/6: ABI in-line add (exercises/03_abi_add)`
pub fn lesson_heading(workbook: &Workbook, lesson: &Lesson) -> String {
    format!(
        "Lesson {}/{}: {} (exercises/{})",
        lesson.number,
        workbook.lessons.len(),
        lesson.title,
        lesson.dir_name
    )
}

pub fn mark(verdict: &Verdict) -> &'static str {
    if verdict.passed() { "PASS" } else { "FAIL" }
}

/// The full answer for one checked lesson: verdict, what it means, the
/// output that matters, and where to look next.
pub fn report_text(workbook: &Workbook, lesson: &Lesson, report: &Report) -> String {
    report_text_with(workbook, lesson, report, false)
}

/// The same, with every backtrace and repeated block in full when `full`.
pub fn report_text_with(
    workbook: &Workbook,
    lesson: &Lesson,
    report: &Report,
    full: bool,
) -> String {
    let (verdict, rest) = report_parts_with(workbook, lesson, report, full);
    format!("{}\n{verdict}{rest}", lesson_heading(workbook, lesson))
}

/// A report in two parts: the verdict and what it means (which the watch
/// loop keeps on screen), then the output that matters and where to look.
pub fn report_parts(workbook: &Workbook, lesson: &Lesson, report: &Report) -> (String, String) {
    report_parts_with(workbook, lesson, report, false)
}

/// The same; `full`: backtraces and repeated blocks not cut (the watch
/// loop's `v`, `run --verbose`).
pub fn report_parts_with(
    workbook: &Workbook,
    lesson: &Lesson,
    report: &Report,
    full: bool,
) -> (String, String) {
    let mut verdict = String::new();
    let skipped = &report.skipped;
    // A pass with checks that did not run is a pass of what ran: said in
    // the verdict line itself, never only further down.
    let but = match skipped.len() {
        0 => String::new(),
        _ if !report.verdict.passed() => String::new(),
        1 => ", but 1 check did not run".into(),
        n => format!(", but {n} checks did not run"),
    };
    let warned = match report.compiler_warnings.as_slice() {
        [] => String::new(),
        [only] if report.verdict.passed() => {
            format!(", with a warning that matters: {}", only.headline())
        }
        [first, ..] if report.verdict.passed() => format!(
            ", with {} warnings that matter, first: {}",
            report.compiler_warnings.len(),
            first.headline()
        ),
        _ => String::new(),
    };
    let _ = writeln!(
        verdict,
        "{} {}{but}{warned} ({:.2} s)",
        mark(&report.verdict),
        report.verdict.label(),
        report.elapsed.as_secs_f64()
    );
    if report.verdict.passed() && !skipped.is_empty() {
        let _ = writeln!(
            verdict,
            "Everything that ran is right, but not every check could run on this machine:"
        );
    } else {
        let _ = writeln!(verdict, "{}", report.verdict.advice());
        if !skipped.is_empty() {
            let _ = writeln!(verdict, "Not every check could run on this machine:");
        }
    }
    for skip in skipped {
        let _ = writeln!(verdict, "  - {skip}");
    }
    if let Some(first) = report.compiler_warnings.first()
        && !report.verdict.passed()
    {
        // On the first screen, beside the verdict: often the very cause.
        let _ = writeln!(
            verdict,
            "The compiler warned, and it matters here: {} (below).",
            first.headline()
        );
    }
    let mut out = String::new();
    // A compile error is read first; otherwise a warning that matters is
    // usually the cause of what the checks found, so it comes first.
    if !matches!(report.verdict, Verdict::CompileError) {
        out.push_str(&compiler_warnings_text(report));
    }
    if !report.details.trim().is_empty() {
        let details = if full {
            summary::for_learner_in_full(&report.details, &c_sources(workbook))
        } else {
            summary::for_learner(&report.details, &c_sources(workbook))
        };
        let _ = writeln!(out, "\n{}", details.trim_end());
    }
    if let Some(output) = &report.program_output
        && !output.trim().is_empty()
    {
        let _ = writeln!(
            out,
            "\nYour program printed:\n{}",
            crate::check::cut(output, 30).trim_end()
        );
    }
    if matches!(report.verdict, Verdict::CompileError) {
        out.push_str(&compiler_warnings_text(report));
    }
    out.push('\n');
    out.push_str(&pointers(workbook, lesson, &report.verdict));
    (verdict, out)
}

/// The most compiler warnings shown in full; the rest are named.
const SHOWN_WARNINGS: usize = 3;

/// The compiler's warnings that matter in FFI code, each with why and the
/// compiler's own text pointing at the line. The same warning (one lint,
/// one message) on several lines is shown in full once, then its lines.
fn compiler_warnings_text(report: &Report) -> String {
    let warnings = &report.compiler_warnings;
    let mut out = String::new();
    let mut shown: Vec<&crate::compile::CompilerWarning> = Vec::new();
    for warning in warnings {
        let same = |w: &&crate::compile::CompilerWarning| {
            w.lint == warning.lint && w.message == warning.message
        };
        if shown.iter().any(same) || shown.len() >= SHOWN_WARNINGS {
            continue;
        }
        shown.push(warning);
        let _ = writeln!(
            out,
            "\nThe compiler warns ({}), and in FFI code this matters: {}",
            warning.headline(),
            warning.why()
        );
        let rendered = warning.rendered.trim_end();
        if rendered.is_empty() {
            let _ = writeln!(out, "warning: {}", warning.message);
        } else {
            let _ = writeln!(out, "{rendered}");
        }
        let again: Vec<String> = (warnings.iter())
            .filter(|w| same(w) && !std::ptr::eq(*w, warning))
            .map(|w| format!("{}:{}:{}", w.file, w.line, w.column))
            .collect();
        if !again.is_empty() {
            let _ = writeln!(out, "The same warning at {}.", again.join(", "));
        }
    }
    let rest: Vec<String> = (warnings.iter())
        .filter(|w| {
            !shown
                .iter()
                .any(|s| s.lint == w.lint && s.message == w.message)
        })
        .map(|w| w.headline())
        .collect();
    if !rest.is_empty() {
        let _ = writeln!(out, "Also: {}.", rest.join("; "));
    }
    out
}

/// Where to go from here.
fn pointers(workbook: &Workbook, lesson: &Lesson, verdict: &Verdict) -> String {
    let mut out = String::new();
    let files: Vec<String> = lesson
        .editable_paths()
        .map(|p| p.display().to_string())
        .collect();
    if verdict.passed() {
        // The learners' copy (`checker template`) has no solutions/.
        if lesson.solution_dir(&workbook.root).is_dir() {
            let solutions = lesson.solution_dir(Path::new("")).display().to_string();
            let _ = writeln!(
                out,
                "Well done! Compare your answer with the reference solution in {solutions}/."
            );
        } else {
            let _ = writeln!(out, "Well done!");
        }
        match workbook.lessons.iter().find(|l| l.number > lesson.number) {
            Some(next) => {
                let _ = writeln!(out, "Next: lesson {}, {}.", next.number, next.title);
            }
            None => {
                let _ = writeln!(out, "That was the last lesson.");
            }
        }
    } else if verdict.is_environment() {
        // Nothing in the learner's files can fix the machine: no "Edit:",
        // no hint, only what to do once it is fixed.
        let _ = writeln!(
            out,
            "Once that is done, check the lesson again: `cargo run -p checker -- run {}`.",
            lesson.name
        );
    } else {
        let _ = writeln!(out, "Edit: {}", files.join(", "));
        let _ = writeln!(
            out,
            "Stuck? `cargo run -p checker -- hint {}`, or read lessons/src/{}.md",
            lesson.name, lesson.dir_name
        );
    }
    out
}

/// What the list says of a lesson's state.
pub fn state_label(state: LessonState, current: bool) -> &'static str {
    match state {
        LessonState::Passed => "passed",
        LessonState::NeedsRecheck => "changed since it passed: needs a re-check",
        LessonState::NotPassed if current => "current",
        LessonState::NotPassed => "to do",
    }
}

/// Every lesson with its state (the progress bar is the caller's);
/// `selected` is marked with `>` (the watch loop's list).
pub fn list_text(session: &Session, selected: Option<usize>) -> String {
    let current = session.current().map(|l| l.number);
    let mut out = String::new();
    for (index, lesson) in session.workbook.lessons.iter().enumerate() {
        let state = session.state(lesson);
        let not_run = session.not_run(lesson).len();
        let state = match (state_label(state, Some(lesson.number) == current), not_run) {
            (label, 0) => label.to_string(),
            ("passed", 1) => "passed (1 check did not run here)".to_string(),
            ("passed", n) => format!("passed ({n} checks did not run here)"),
            (label, _) => label.to_string(),
        };
        let pointer = match selected {
            Some(at) if at == index => "> ",
            Some(_) => "  ",
            None => "",
        };
        let _ = writeln!(
            out,
            "{pointer}{:>3}  {:<12} {:<24} {state}",
            lesson.number, lesson.name, lesson.title
        );
    }
    out
}

/// Hint `level` (1-based, clamped to the levels there are) of a lesson.
pub fn hint_text(lesson: &Lesson, level: usize) -> String {
    let total = lesson.hints.len();
    let level = level.clamp(1, total.max(1));
    let hint = lesson
        .hints
        .get(level - 1)
        .map(String::as_str)
        .unwrap_or("");
    let more = if level < total {
        format!(
            "\n(hint {level} of {total}: `cargo run -p checker -- hint {} --level {}` for the next)\n",
            lesson.name,
            level + 1
        )
    } else {
        String::new()
    };
    format!(
        "Hint {level}/{total} for lesson {} ({}):\n\n{hint}\n{more}",
        lesson.number, lesson.title
    )
}

/// Hints 1 to `level` of a lesson, for the watch loop (each press of `h`
/// shows one more level).
pub fn hint_levels_text(lesson: &Lesson, level: usize) -> String {
    let total = lesson.hints.len();
    let level = level.clamp(1, total.max(1));
    let mut out = format!(
        "Hints for lesson {} ({}), {level} of {total} shown:\n",
        lesson.number, lesson.title
    );
    for (index, hint) in lesson.hints.iter().take(level).enumerate() {
        let _ = write!(out, "\n[{}] {hint}\n", index + 1);
    }
    if level < total {
        let _ = write!(out, "\n(h: hint {} of {total})\n", level + 1);
    }
    out
}

/// A lesson page as a terminal shows it: what mdBook shows, not its source.
/// Hidden doc-test lines (`# ` in Rust blocks) are dropped and the few HTML
/// tags the pages use are reduced to their text.
pub fn lesson_for_terminal(markdown: &str) -> String {
    let mut out = String::new();
    let mut in_rust = false;
    let mut in_code = false;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if let Some(fence) = trimmed.strip_prefix("```") {
            if in_code {
                in_code = false;
                in_rust = false;
            } else {
                in_code = true;
                let lang = fence.split(',').next().unwrap_or("").trim();
                in_rust = lang.is_empty() || lang == "rust";
            }
        } else if in_rust && (trimmed == "#" || trimmed.starts_with("# ")) {
            continue;
        } else if !in_code {
            let plain = line
                .replace("<details>", "")
                .replace("</details>", "")
                .replace("<summary>", "")
                .replace("</summary>", "");
            if !line.trim().is_empty() && plain.trim().is_empty() {
                continue;
            }
            out.push_str(&plain);
            out.push('\n');
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_pages_hide_doctest_setup_lines() {
        let page = "# Title\n\n```rust\n# fn main() {\nlet x = 1;\n#[derive(Debug)]\nstruct S;\n# }\n```\n\n```sh\n# a shell comment\n```\n<details>\n<summary>Why?</summary>\n";
        let shown = lesson_for_terminal(page);
        assert_eq!(
            shown,
            "# Title\n\n```rust\nlet x = 1;\n#[derive(Debug)]\nstruct S;\n```\n\n```sh\n# a shell comment\n```\nWhy?\n"
        );
    }

    fn warning(line: usize, message: &str) -> crate::compile::CompilerWarning {
        crate::compile::CompilerWarning {
            lint: "improper_ctypes".into(),
            message: message.into(),
            file: "exercises/08_repr_c/src/lib.rs".into(),
            line,
            column: 26,
            rendered: format!(
                "warning: {message}\n  --> exercises/08_repr_c/src/lib.rs:{line}:26\n"
            ),
        }
    }

    #[test]
    fn one_warning_on_several_lines_is_shown_once_with_its_lines() {
        let mut report = crate::check::report(Verdict::Failed, "");
        report.compiler_warnings = vec![
            warning(30, "uses type `Particle`"),
            warning(32, "uses type `Particle`"),
            warning(34, "uses type `Kind`"),
        ];
        let text = compiler_warnings_text(&report);
        assert_eq!(
            text.matches("warning: uses type `Particle`").count(),
            1,
            "{text}"
        );
        assert!(
            text.contains("The same warning at exercises/08_repr_c/src/lib.rs:32:26."),
            "{text}"
        );
        assert!(text.contains("warning: uses type `Kind`"), "{text}");
    }

    #[test]
    fn a_pass_with_checks_that_did_not_run_says_so_in_its_verdict_line() {
        let lesson = Lesson::for_tests("07_c_strings");
        let workbook = Workbook {
            root: std::path::PathBuf::from("/nowhere"),
            lessons: vec![lesson.clone()],
        };
        let mut report = crate::check::report(Verdict::Passed, "");
        report.skipped = vec!["leaks::no_leak: valgrind is not installed".into()];
        let (verdict, _) = report_parts(&workbook, &lesson, &report);
        let mut lines = verdict.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("PASS passed, but 1 check did not run ("),
            "{verdict}"
        );
        assert!(!verdict.contains("Everything the lesson checks is right"));
        assert!(verdict.contains("  - leaks::no_leak: valgrind is not installed"));
        report.skipped.clear();
        let (verdict, _) = report_parts(&workbook, &lesson, &report);
        assert!(verdict.contains("Everything the lesson checks is right"));
    }

    #[test]
    fn progress_bars() {
        assert_eq!(progress_bar(0, 6), "[------] 0/6");
        assert_eq!(progress_bar(3, 6), "[###---] 3/6");
        assert_eq!(progress_bar(6, 6), "[######] 6/6");
    }
}
