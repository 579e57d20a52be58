//! The watch loop: shows the current lesson's verdict, re-checks on every
//! save (debounced), and answers single keys. File watching can fail (some
//! file systems, some editors); then `r` re-checks by hand.

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

use anyhow::Result;
use crossterm::event::{self, Event as TermEvent, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::{cursor, execute, terminal};
use notify::event::ModifyKind;
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::check::check_lesson;
use crate::commands::{Context, load_progress, read_lesson_text};
use crate::progress::Progress;
use crate::ui;
use crate::verdict::Report;
use crate::workbook::Lesson;

enum Event {
    Saved(Vec<PathBuf>),
    Key(char),
    Quit,
}

const DEBOUNCE: Duration = Duration::from_millis(200);

pub fn run(context: &Context) -> Result<ExitCode> {
    let workbook = &context.workbook;
    println!("Checking your progress...");
    let mut progress = load_progress(context)?;
    let (tx, rx) = mpsc::channel();
    let watcher = watch_exercises(&workbook.root.join("exercises"), tx.clone());
    let watch_note = match &watcher {
        Ok(_) => String::new(),
        Err(err) => format!("File watching is off ({err}): press r after saving.\n"),
    };

    let _raw = RawMode::enable()?;
    spawn_key_reader(tx);

    let mut current = progress
        .current(workbook)
        .unwrap_or_else(|| workbook.lessons.last().expect("a workbook has lessons"))
        .clone();
    let mut report = check(context, &mut progress, &current);
    let mut screen = Screen::Status;
    let mut pending: VecDeque<Event> = VecDeque::new();

    loop {
        draw(context, &progress, &current, &report, &screen, &watch_note)?;
        let event = match pending.pop_front() {
            Some(event) => event,
            None => match rx.recv() {
                Ok(event) => event,
                Err(_) => break,
            },
        };
        match event {
            Event::Quit | Event::Key('q') => break,
            Event::Saved(paths) => {
                // An editor's save is a burst of events: wait until it has been
                // quiet for DEBOUNCE, then check once. Keys are kept for later.
                let mut relevant = touches(&paths, &current, &workbook.root);
                while let Ok(more) = rx.recv_timeout(DEBOUNCE) {
                    match more {
                        Event::Saved(paths) => {
                            relevant |= touches(&paths, &current, &workbook.root);
                        }
                        other => pending.push_back(other),
                    }
                }
                if relevant {
                    screen = Screen::Status;
                    show_checking(&current)?;
                    report = check(context, &mut progress, &current);
                }
            }
            Event::Key('r') => {
                screen = Screen::Status;
                show_checking(&current)?;
                report = check(context, &mut progress, &current);
            }
            Event::Key('h') => screen = Screen::Hint,
            Event::Key('l') => screen = Screen::List,
            // The text pages forward with t or space, back with b.
            Event::Key('t' | ' ') => {
                screen = match screen {
                    Screen::Text(top) => Screen::Text(top + page_height()),
                    _ => Screen::Text(0),
                }
            }
            Event::Key('b') if matches!(screen, Screen::Text(_)) => {
                if let Screen::Text(top) = screen {
                    screen = Screen::Text(top.saturating_sub(page_height()));
                }
            }
            Event::Key('n') => {
                if !report.verdict.passed() {
                    screen = Screen::Note("`n` moves on once this lesson passes.".into());
                } else if let Some(next) = next_lesson(context, &progress, &current) {
                    current = next.clone();
                    screen = Screen::Status;
                    show_checking(&current)?;
                    report = check(context, &mut progress, &current);
                } else {
                    screen = Screen::Note("Every lesson passes. Press q to quit.".into());
                }
            }
            Event::Key(_) => screen = Screen::Status,
        }
    }
    drop(watcher);
    Ok(ExitCode::SUCCESS)
}

enum Screen {
    Status,
    Hint,
    List,
    /// The lesson text, from this line.
    Text(usize),
    Note(String),
}

fn check(context: &Context, progress: &mut Progress, lesson: &Lesson) -> Report {
    let report = check_lesson(&context.env, lesson);
    progress.record(lesson, report.verdict.passed());
    // Progress is a cache; failing to save it must not stop the loop.
    let _ = progress.save(&context.workbook.root);
    report
}

/// The lesson after `current` that has not passed, else any that has not.
fn next_lesson<'w>(
    context: &'w Context,
    progress: &Progress,
    current: &Lesson,
) -> Option<&'w Lesson> {
    let lessons = &context.workbook.lessons;
    lessons
        .iter()
        .find(|l| l.number > current.number && !progress.has_passed(l))
        .or_else(|| progress.current(&context.workbook))
}

/// Did a save touch the current lesson's crate (outside build output)?
fn touches(paths: &[PathBuf], lesson: &Lesson, root: &Path) -> bool {
    let dir = lesson.exercise_dir(root);
    paths.iter().any(|path| {
        path.starts_with(&dir)
            && !path.components().any(|c| c.as_os_str() == "target")
            && !path.to_string_lossy().ends_with(".snap.new")
    })
}

/// Watches the exercises for saves. Only changes count: cargo and the
/// learner's editor also open and read files, and those events must not
/// trigger a check (or a check would trigger itself).
fn watch_exercises(dir: &Path, tx: Sender<Event>) -> Result<RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
        if let Ok(event) = result
            && matches!(
                event.kind,
                EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
            )
            && !matches!(event.kind, EventKind::Modify(ModifyKind::Metadata(_)))
        {
            let _ = tx.send(Event::Saved(event.paths));
        }
    })?;
    watcher.watch(dir, RecursiveMode::Recursive)?;
    Ok(watcher)
}

fn spawn_key_reader(tx: Sender<Event>) {
    std::thread::spawn(move || {
        loop {
            let Ok(TermEvent::Key(key)) = event::read() else {
                continue;
            };
            if key.kind != KeyEventKind::Press {
                continue;
            }
            let event = match key.code {
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => Event::Quit,
                KeyCode::Esc => Event::Key('q'),
                KeyCode::Char(c) => Event::Key(c.to_ascii_lowercase()),
                KeyCode::Enter => Event::Key('\n'),
                _ => continue,
            };
            if tx.send(event).is_err() {
                break;
            }
        }
    });
}

/// Raw mode for single-key input, undone on drop (also on an early return).
struct RawMode;

impl RawMode {
    fn enable() -> Result<RawMode> {
        terminal::enable_raw_mode()?;
        Ok(RawMode)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = terminal::disable_raw_mode();
        println!();
    }
}

/// `body` in at most `rows` screen rows of `width` columns (a long line wraps
/// onto several): its start (the verdict, the advice, the first failure) and
/// its last lines (where to look), with a note between.
fn fit(body: &str, rows: usize, width: usize, lesson: &str) -> String {
    let height = |line: &str| line.chars().count().div_ceil(width.max(1)).max(1);
    let lines: Vec<&str> = body.lines().collect();
    if lines.iter().map(|l| height(l)).sum::<usize>() <= rows {
        return body.to_string();
    }
    let tail: Vec<&str> = lines[lines.len().saturating_sub(3)..].to_vec();
    let mut budget = rows.saturating_sub(1 + tail.iter().map(|l| height(l)).sum::<usize>());
    let mut head = Vec::new();
    for line in &lines[..lines.len() - tail.len()] {
        let h = height(line);
        if h > budget {
            break;
        }
        budget -= h;
        head.push(*line);
    }
    format!(
        "{}\n... {} more lines: `cargo run -p checker -- run {lesson}` shows everything ...\n{}",
        head.join("\n"),
        lines.len() - head.len() - tail.len(),
        tail.join("\n")
    )
}

/// Lines of text that fit on the screen under the header and the footer.
fn page_height() -> usize {
    let rows = terminal::size()
        .map(|(_, rows)| rows as usize)
        .unwrap_or(24);
    rows.saturating_sub(7).max(5)
}

/// One screenful of `text` from line `top`, with where we are.
fn text_page(text: &str, top: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let top = top.min(lines.len().saturating_sub(1));
    let end = (top + page_height()).min(lines.len());
    let mut page = lines[top..end].join("\n");
    let more = if end < lines.len() {
        "t or space: next page, b: back"
    } else {
        "end of the text; b: back"
    };
    page.push_str(&format!(
        "\n\n[lines {}-{end} of {}; {more}]\n",
        top + 1,
        lines.len()
    ));
    page
}

fn show_checking(lesson: &Lesson) -> Result<()> {
    let mut out = std::io::stdout();
    write!(out, "\r\nChecking lesson {} ...\r\n", lesson.number)?;
    out.flush()?;
    Ok(())
}

fn draw(
    context: &Context,
    progress: &Progress,
    lesson: &Lesson,
    report: &Report,
    screen: &Screen,
    watch_note: &str,
) -> Result<()> {
    let workbook = &context.workbook;
    let body = match screen {
        Screen::Status => ui::report_text(workbook, lesson, report),
        Screen::Hint => ui::hint_text(lesson, 1),
        Screen::List => ui::list_text(workbook, progress),
        Screen::Text(top) => match read_lesson_text(&workbook.root, lesson) {
            Ok(text) => text_page(&text, *top),
            Err(err) => format!("{err:#}\n"),
        },
        Screen::Note(note) => format!("{}\n\n{note}\n", ui::report_text(workbook, lesson, report)),
    };
    let mut footer = String::from(watch_note);
    let next = if report.verdict.passed() {
        " · n next"
    } else {
        ""
    };
    footer.push_str(&format!(
        "Keys: h hint · l list · t lesson text · r re-check{next} · q quit\n"
    ));
    // The verdict and the keys must stay on screen: cut the middle of a long
    // body rather than let the terminal scroll them away.
    let (columns, rows) = terminal::size().unwrap_or((80, 24));
    let room = (rows as usize)
        .saturating_sub(footer.lines().count() + 3)
        .max(8);
    let body = fit(&body, room, columns as usize, &lesson.name);
    let mut text = format!(
        "FFI Workbook {}\n\n{body}\n",
        ui::progress_bar(progress.count(workbook), workbook.lessons.len())
    );
    text.push_str(&footer);
    let mut out = std::io::stdout();
    execute!(
        out,
        terminal::Clear(terminal::ClearType::All),
        cursor::MoveTo(0, 0)
    )?;
    // Raw mode: a newline does not return the cursor by itself.
    write!(out, "{}", text.replace('\n', "\r\n"))?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn a_long_body_keeps_its_start_and_end_within_the_rows() {
        let body: String = (1..=50).map(|i| format!("line {i}\n")).collect();
        let shown = fit(&body, 10, 80, "libm");
        assert_eq!(shown.lines().count(), 10);
        assert!(shown.starts_with("line 1\n"));
        assert!(shown.contains("... 41 more lines: `cargo run -p checker -- run libm`"));
        assert!(shown.ends_with("line 48\nline 49\nline 50"));
    }

    #[test]
    fn wrapped_lines_count_as_the_rows_they_take() {
        let long = "x".repeat(200);
        let body = format!("{long}\n{long}\n{long}\nend\n");
        // Each long line takes 3 rows of 80 columns: all four lines take 10 rows.
        assert_eq!(fit(&body, 10, 80, "libm"), body);
        // In 8 rows, the last three lines (7 rows) and the note are all that fit.
        let shown = fit(&body, 8, 80, "libm");
        assert_eq!(shown.lines().filter(|l| l.len() == 200).count(), 2);
        assert!(shown.contains("... 1 more lines"));
        assert!(fit("short\n", 10, 80, "libm") == "short\n");
    }
}
