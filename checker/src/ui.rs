//! How the checker's answers look: the same text for the watch loop, the
//! one-shot commands and a pipe. Only the watch loop adds screen control.

use std::fmt::Write as _;
use std::path::Path;

use crate::progress::Progress;
use crate::verdict::{Report, Verdict};
use crate::workbook::{Lesson, Workbook};

/// Whether colour (ANSI escapes, as in rustc's rendered errors, which the
/// checker asks cargo for and prints) can go to stdout: it is a terminal
/// and, on Windows, one that reads escapes. Windows Terminal always does; the
/// classic console only once asked to (virtual terminal processing), which
/// crossterm does here. Without it, escapes would show as `←[31m`.
pub fn stdout_takes_colors() -> bool {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return false;
    }
    #[cfg(windows)]
    return crossterm::ansi_support::supports_ansi();
    #[cfg(not(windows))]
    true
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

fn mark(verdict: &Verdict) -> &'static str {
    if verdict.passed() { "PASS" } else { "FAIL" }
}

/// The full answer for one checked lesson: verdict, what it means, the
/// output that matters, and where to look next.
pub fn report_text(workbook: &Workbook, lesson: &Lesson, report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", lesson_heading(workbook, lesson));
    let _ = writeln!(
        out,
        "{} {} ({:.2} s)",
        mark(&report.verdict),
        report.verdict.label(),
        report.elapsed.as_secs_f64()
    );
    let _ = writeln!(out, "{}", report.verdict.advice());
    if !report.details.trim().is_empty() {
        let _ = writeln!(out, "\n{}", report.details.trim_end());
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
    out.push('\n');
    out.push_str(&pointers(workbook, lesson, &report.verdict));
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
        let solutions = lesson.solution_dir(Path::new("")).display().to_string();
        let _ = writeln!(
            out,
            "Well done! Compare your answer with the reference solution in {solutions}/."
        );
        match workbook.lessons.iter().find(|l| l.number > lesson.number) {
            Some(next) => {
                let _ = writeln!(out, "Next: lesson {}, {}.", next.number, next.title);
            }
            None => {
                let _ = writeln!(out, "That was the last lesson.");
            }
        }
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

/// Every lesson with its state (the progress bar is the caller's).
pub fn list_text(workbook: &Workbook, progress: &Progress) -> String {
    let current = progress.current(workbook).map(|l| l.number);
    let mut out = String::new();
    for lesson in &workbook.lessons {
        let state = if progress.has_passed(lesson) {
            "passed"
        } else if Some(lesson.number) == current {
            "current"
        } else {
            "to do"
        };
        let _ = writeln!(
            out,
            "{:>3}  {:<12} {:<24} {state}",
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

    #[test]
    fn progress_bars() {
        assert_eq!(progress_bar(0, 6), "[------] 0/6");
        assert_eq!(progress_bar(3, 6), "[###---] 3/6");
        assert_eq!(progress_bar(6, 6), "[######] 6/6");
    }
}
