//! The watch loop: a front end over the session (session.rs). It shows the
//! current lesson's verdict on the whole screen, re-checks when the learner
//! saves, and answers keys at any time, even during a check: checks run on a
//! worker thread while this thread reads keys, so `q` and Ctrl-C stop a
//! check at once.
//!
//! Three threads feed one channel: the key reader, the file watcher and the
//! worker. Nothing polls: the loop sleeps until an event comes (or, during a
//! check, wakes once a second to show the time it has taken).

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use anyhow::Result;
use crossterm::event::{self, Event as TermEvent, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::{cursor, execute, terminal};
use notify::event::ModifyKind;
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::check::CheckEnv;
use crate::commands::{Context, read_lesson_text};
use crate::progress::LessonState;
use crate::screen::{self, Parts};
use crate::session::{Checked, Session, run_check};
use crate::verdict::Report;
use crate::workbook::Lesson;
use crate::{process, ui, warmup};

/// An editor's save is a burst of events (a write, or a new file renamed
/// over the old, within a few milliseconds): check once it has been quiet
/// this long. Every millisecond here is one the learner waits for a verdict.
const DEBOUNCE: Duration = Duration::from_millis(20);

enum Event {
    Key(Key),
    Saved(Vec<PathBuf>),
    Checked(Box<Checked>),
    /// The running check's build compiles dependencies: how far it is.
    Building(crate::warmup::Progress),
    Resized,
    /// The terminal is gone (hang-up, end of file, read error).
    TerminalGone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Char(char),
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Enter,
    Esc,
    /// Ctrl-C: in raw mode it is a key, not a signal.
    Interrupt,
}

/// What the screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
enum View {
    Status,
    /// Hints 1 to this level.
    Hints(usize),
    /// The lessons, with this one selected.
    List(usize),
    Text,
}

/// What to do when a check finishes.
enum Plan {
    /// Just this lesson.
    One,
    /// Go on to the next lesson that does not pass, while lessons pass
    /// (the start, and `n`).
    InOrder,
    /// Every lesson, one after another (`a`).
    All(VecDeque<Lesson>),
}

pub fn run(context: &Context) -> Result<ExitCode> {
    let session = Session::from_context(context);
    let first = session
        .current()
        .or(session.workbook.lessons.last())
        .expect("a workbook has lessons")
        .clone();
    // Before the screen is taken: the first build's progress bar.
    warmup::first_build(&session.env, &first);

    let (tx, rx) = mpsc::channel();
    let watcher = watch_exercises(&session.workbook.root.join("exercises"), tx.clone());
    let watch_note = match &watcher {
        Ok(_) => None,
        Err(err) => Some(format!(
            "File watching is off ({err}): press r after saving."
        )),
    };
    let jobs = spawn_worker(session.env.clone(), tx.clone());
    let terminal = Terminal::enter()?;
    spawn_key_reader(tx);

    let mut app = App::new(session, first, jobs, watch_note);
    app.start(app.current.clone(), Plan::InOrder);
    let result = app.run(&rx);
    // However the loop ended, no learner program outlives it.
    process::stop_all();
    drop(terminal);
    drop(watcher);
    // Left on the normal screen: where the learner stands.
    if let Some(report) = app.reports.get(&app.current.name) {
        println!(
            "Lesson {} ({}): {} {}",
            app.current.number,
            app.current.name,
            ui::mark(&report.verdict),
            report.verdict.label()
        );
    }
    result
}

struct App {
    session: Session,
    current: Lesson,
    /// The last verdict of each lesson checked in this session.
    reports: HashMap<String, Report>,
    view: View,
    scroll: usize,
    /// Body rows the last screen showed: what PgUp and PgDn move by.
    page: usize,
    /// The verdict's full text (`v`): backtraces and repeated blocks uncut.
    full: bool,
    /// How far the running check's build of dependencies is.
    building: Option<crate::warmup::Progress>,
    /// Hint levels shown so far for the current lesson.
    hint_level: usize,
    jobs: Sender<Lesson>,
    /// The check running now: which lesson, since when, and what follows it.
    running: Option<(Lesson, Instant, Plan)>,
    /// A check asked for while another runs.
    queued: Option<(Lesson, Plan)>,
    /// The current lesson was saved while it was being checked.
    recheck: bool,
    /// When a burst of saves is over.
    save_due: Option<Instant>,
    /// What the watched files held when each lesson was last checked.
    checked_sources: HashMap<String, u32>,
    notes: Vec<String>,
    watch_note: Option<String>,
}

enum Flow {
    Go,
    Quit,
}

impl App {
    fn new(
        session: Session,
        current: Lesson,
        jobs: Sender<Lesson>,
        watch_note: Option<String>,
    ) -> App {
        App {
            session,
            current,
            reports: HashMap::new(),
            view: View::Status,
            scroll: 0,
            page: 1,
            full: false,
            building: None,
            hint_level: 0,
            jobs,
            running: None,
            queued: None,
            recheck: false,
            save_due: None,
            checked_sources: HashMap::new(),
            notes: Vec::new(),
            watch_note,
        }
    }

    fn run(&mut self, rx: &Receiver<Event>) -> Result<ExitCode> {
        loop {
            if self.draw().is_err() {
                // The terminal is gone (a write fails once it has hung up).
                return Ok(ExitCode::SUCCESS);
            }
            // Sleep until something happens; during a check, wake each
            // second to update its time, and wake when a save burst is over.
            let mut wait = self.running.as_ref().map(|_| Duration::from_secs(1));
            if let Some(due) = self.save_due {
                let left = due.saturating_duration_since(Instant::now());
                wait = Some(wait.map_or(left, |w| w.min(left)));
            }
            let event = match wait {
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(wait) => rx.recv_timeout(wait),
            };
            match event {
                Ok(event) => {
                    if let Flow::Quit = self.handle(event) {
                        return Ok(ExitCode::SUCCESS);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(ExitCode::SUCCESS),
            }
            if self.save_due.is_some_and(|due| Instant::now() >= due) {
                self.save_due = None;
                self.saved();
            }
        }
    }

    fn handle(&mut self, event: Event) -> Flow {
        match event {
            Event::TerminalGone => return Flow::Quit,
            Event::Resized => {}
            Event::Saved(paths) => {
                if touches(&paths, &self.current, &self.session.workbook.root) {
                    self.save_due = Some(Instant::now() + DEBOUNCE);
                }
            }
            Event::Checked(checked) => {
                self.building = None;
                self.checked(*checked)
            }
            Event::Building(progress) => self.building = Some(progress),
            Event::Key(key) => return self.key(key),
        }
        Flow::Go
    }

    fn key(&mut self, key: Key) -> Flow {
        let lessons = self.session.workbook.lessons.clone();
        match (key, &self.view) {
            (Key::Interrupt | Key::Char('q'), _) => return Flow::Quit,
            (Key::Esc, _) => self.show(View::Status),
            (Key::Up | Key::Char('k'), View::List(at)) => {
                self.view = View::List(at.saturating_sub(1))
            }
            (Key::Down | Key::Char('j'), View::List(at)) => {
                self.view = View::List((at + 1).min(lessons.len() - 1))
            }
            (Key::Enter, View::List(at)) => {
                let lesson = lessons[*at].clone();
                self.open(lesson);
            }
            (Key::Up | Key::Char('k'), _) => self.scroll = self.scroll.saturating_sub(1),
            (Key::Down | Key::Char('j'), _) => self.scroll += 1,
            // By the body rows the screen showed: the next page starts with
            // the row after its last, so no line is ever skipped.
            (Key::PageUp | Key::Char('b'), _) => {
                self.scroll = self.scroll.saturating_sub(self.page.max(1))
            }
            (Key::PageDown | Key::Char(' '), _) => {
                self.scroll = self.scroll.saturating_add(self.page.max(1))
            }
            (Key::Char('v'), View::Status) => {
                self.full = !self.full;
                self.scroll = 0;
            }
            (Key::Home, _) => self.scroll = 0,
            (Key::End, _) => self.scroll = usize::MAX,
            (Key::Char('h'), _) => {
                self.hint_level = (self.hint_level + 1).min(self.current.hints.len().max(1));
                self.show(View::Hints(self.hint_level));
            }
            (Key::Char('l'), _) => {
                let at = lessons
                    .iter()
                    .position(|l| l.name == self.current.name)
                    .unwrap_or(0);
                self.show(View::List(at));
            }
            (Key::Char('t'), _) => self.show(View::Text),
            (Key::Char('r'), _) => {
                self.show(View::Status);
                self.request(self.current.clone(), Plan::One);
            }
            (Key::Char('a'), _) => {
                let mut all: VecDeque<Lesson> = lessons.into();
                if let Some(first) = all.pop_front() {
                    self.request(first, Plan::All(all));
                }
            }
            (Key::Char('n'), _) => self.next(),
            _ => {}
        }
        Flow::Go
    }

    fn show(&mut self, view: View) {
        self.view = view;
        self.scroll = 0;
    }

    /// Makes `lesson` the current one, checking it unless it was already.
    fn open(&mut self, lesson: Lesson) {
        if lesson.name != self.current.name {
            self.hint_level = 0;
        }
        self.current = lesson.clone();
        self.show(View::Status);
        if !self.reports.contains_key(&lesson.name) {
            self.request(lesson, Plan::One);
        }
    }

    fn next(&mut self) {
        let passed = match self.reports.get(&self.current.name) {
            Some(report) => report.verdict.passed(),
            None => self.session.state(&self.current) == LessonState::Passed,
        };
        if !passed {
            self.notes
                .push("`n` moves on once this lesson passes.".to_string());
            return;
        }
        match self.next_open(&self.current) {
            Some(next) => {
                self.hint_level = 0;
                self.current = next.clone();
                self.show(View::Status);
                self.request(next, Plan::InOrder);
            }
            None => self
                .notes
                .push("Every lesson passes. Press q to quit.".to_string()),
        }
    }

    /// The first lesson after `lesson` that does not pass on its files.
    fn next_open(&self, lesson: &Lesson) -> Option<Lesson> {
        self.session
            .workbook
            .lessons
            .iter()
            .find(|l| l.number > lesson.number && self.session.state(l) != LessonState::Passed)
            .cloned()
    }

    /// Checks `lesson` now, or after the check that is running.
    fn request(&mut self, lesson: Lesson, plan: Plan) {
        if self.running.is_some() {
            self.queued = Some((lesson, plan));
        } else {
            self.start(lesson, plan);
        }
    }

    fn start(&mut self, lesson: Lesson, plan: Plan) {
        self.checked_sources.insert(
            lesson.name.clone(),
            watched_fingerprint(&self.session.workbook.root, &lesson),
        );
        if self.jobs.send(lesson.clone()).is_ok() {
            self.running = Some((lesson, Instant::now(), plan));
        }
    }

    /// A burst of saves in the current lesson is over.
    fn saved(&mut self) {
        let now = watched_fingerprint(&self.session.workbook.root, &self.current);
        if self.checked_sources.get(&self.current.name) == Some(&now) {
            // The same contents as the last check (a program rewriting a
            // file, an editor touching it): nothing to check.
            return;
        }
        match &self.running {
            Some((lesson, _, _)) if lesson.name == self.current.name => self.recheck = true,
            _ => {
                self.show(View::Status);
                self.request(self.current.clone(), Plan::One);
            }
        }
    }

    fn checked(&mut self, checked: Checked) {
        self.session.record(&checked);
        self.notes.extend(self.session.take_warnings());
        let lesson = checked.lesson.clone();
        let passed = checked.report.verdict.passed();
        self.reports.insert(lesson.name.clone(), checked.report);
        if lesson.name == self.current.name && self.view == View::Status {
            // A new verdict is read from its top.
            self.scroll = 0;
        }
        let Some((_, _, plan)) = self.running.take() else {
            return;
        };
        if let Some((lesson, plan)) = self.queued.take() {
            self.start(lesson, plan);
            return;
        }
        if self.recheck && lesson.name == self.current.name {
            self.recheck = false;
            self.start(lesson, Plan::One);
            return;
        }
        match plan {
            Plan::One => {}
            Plan::InOrder => {
                if passed && let Some(next) = self.next_open(&lesson) {
                    self.current = next.clone();
                    self.hint_level = 0;
                    self.start(next, Plan::InOrder);
                }
            }
            Plan::All(mut rest) => match rest.pop_front() {
                Some(next) => self.start(next, Plan::All(rest)),
                None => {
                    let current = self
                        .session
                        .current()
                        .or(self.session.workbook.lessons.last())
                        .cloned();
                    if let Some(current) = current
                        && current.name != self.current.name
                    {
                        self.hint_level = 0;
                        self.current = current;
                    }
                }
            },
        }
    }

    fn draw(&mut self) -> Result<()> {
        let (columns, rows) = terminal::size().unwrap_or((80, 24));
        let parts = self.parts();
        let shown = screen::layout(&parts, columns as usize, rows as usize, self.scroll);
        self.scroll = shown.scroll;
        self.page = shown.page;
        let mut text = shown.rows.join("\r\n");
        if !ui::color_enabled() {
            text = anstream::adapter::strip_str(&text).to_string();
        }
        let mut out = std::io::stdout().lock();
        execute!(
            out,
            terminal::Clear(terminal::ClearType::All),
            cursor::MoveTo(0, 0)
        )?;
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    }

    fn parts(&self) -> Parts {
        let session = &self.session;
        let workbook = &session.workbook;
        // One row: the progress and where the learner is (the files to
        // edit are in the verdict).
        let header = format!(
            "FFI Workbook {}/{} · Lesson {}: {}",
            session.passed_count(),
            workbook.lessons.len(),
            self.current.number,
            self.current.title
        );
        let mut pinned = String::new();
        if let Some((lesson, since, plan)) = &self.running {
            let what = match plan {
                Plan::All(rest) => format!(
                    "Re-checking every lesson: lesson {} ({} to go)",
                    lesson.number,
                    rest.len()
                ),
                _ => format!("Checking lesson {} ({})", lesson.number, lesson.name),
            };
            pinned.push_str(&format!(
                "{what}... {} s   (q stops it)\n",
                since.elapsed().as_secs()
            ));
            if let Some(progress) = &self.building {
                pinned.push_str(&format!(
                    "compiling its dependencies (once): {}/{} {}\n",
                    progress.done, progress.total, progress.name
                ));
            }
        }
        let report = self.reports.get(&self.current.name);
        let body = match &self.view {
            View::Status => match report {
                Some(report) => {
                    let (verdict, rest) =
                        ui::report_parts_with(workbook, &self.current, report, self.full);
                    pinned.push_str(&verdict);
                    rest
                }
                None => String::new(),
            },
            View::Hints(level) => ui::hint_levels_text(&self.current, *level),
            View::List(at) => format!(
                "{}\nUp/Down or j/k: move · Enter: open · a: re-check every lesson · Esc: back\n",
                ui::list_text(session, Some(*at))
            ),
            View::Text => match read_lesson_text(&workbook.root, &self.current) {
                Ok(text) => text,
                Err(err) => format!("{err:#}\n"),
            },
        };
        let mut footer = String::new();
        for note in self.notes.iter().rev().take(2).rev() {
            footer.push_str(&format!("Note: {note}\n"));
        }
        if let Some(note) = &self.watch_note {
            footer.push_str(note);
            footer.push('\n');
        }
        let passed = report.is_some_and(|r| r.verdict.passed());
        // One row at 80 columns.
        let keys = match self.view {
            View::Status => format!(
                "h hint · l list · t text · r check{} · v {} · ↑↓ PgUp/Dn · q quit",
                if passed { " · n next" } else { "" },
                if self.full { "short" } else { "full" }
            ),
            _ => "Esc back · h next hint · l list · ↑↓ PgUp/Dn · q quit".into(),
        };
        footer.push_str(&keys);
        Parts {
            header,
            pinned,
            body,
            footer,
        }
    }
}

/// The worker: checks lessons one at a time, off the key-reading thread.
fn spawn_worker(env: CheckEnv, events: Sender<Event>) -> Sender<Lesson> {
    let (jobs, queue) = mpsc::channel::<Lesson>();
    std::thread::spawn(move || {
        // Lessons built ahead in this session: the first check of each is
        // built with its progress shown (lesson 11's first build compiles
        // bindgen and its dependencies, a silent minute otherwise).
        let mut built_ahead = std::collections::HashSet::new();
        for lesson in queue {
            if built_ahead.insert(lesson.name.clone()) {
                crate::warmup::build_ahead(&env, &lesson, &mut |progress| {
                    let _ = events.send(Event::Building(progress.clone()));
                });
            }
            let checked = run_check(&env, &lesson);
            if events.send(Event::Checked(Box::new(checked))).is_err() {
                break;
            }
        }
    });
    jobs
}

/// The files a save of which re-checks `lesson`: its editable files, and
/// the Rust and C sources beside them (a module the learner adds). Never
/// anything else: a program that writes files into its own crate folder
/// must not re-check itself forever.
fn is_watched(path: &Path, lesson: &Lesson, root: &Path) -> bool {
    let dir = lesson.exercise_dir(root);
    let Ok(rel) = path.strip_prefix(&dir) else {
        return false;
    };
    if lesson.editable.iter().any(|file| file == rel) {
        return true;
    }
    let source = matches!(
        rel.extension().and_then(|e| e.to_str()),
        Some("rs" | "c" | "h")
    );
    source
        && lesson
            .editable
            .iter()
            .any(|file| file.parent() == rel.parent())
}

fn touches(paths: &[PathBuf], lesson: &Lesson, root: &Path) -> bool {
    paths.iter().any(|path| is_watched(path, lesson, root))
}

/// What the watched files of `lesson` hold now (a checksum), so that a save
/// that changes nothing does not re-check.
fn watched_fingerprint(root: &Path, lesson: &Lesson) -> u32 {
    let dir = lesson.exercise_dir(root);
    let mut files: Vec<PathBuf> = lesson.editable.iter().map(|f| dir.join(f)).collect();
    let mut folders: Vec<PathBuf> = lesson
        .editable
        .iter()
        .map(|f| dir.join(f.parent().unwrap_or(Path::new(""))))
        .collect();
    folders.dedup();
    for folder in folders {
        for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
            if is_watched(&entry.path(), lesson, root) {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    files.dedup();
    let mut hasher = crc32fast::Hasher::new();
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        match std::fs::read(&file) {
            Ok(bytes) => hasher.update(&bytes),
            Err(_) => hasher.update(b"\0missing\0"),
        }
    }
    hasher.finalize()
}

/// Watches the exercises for saves. Only changes count: cargo and the
/// learner's editor also open and read files, and those events must not
/// trigger a check.
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

/// Reads keys until the terminal goes away. A read error or a hang-up ends
/// the thread (and the loop): it never retries in a loop.
fn spawn_key_reader(tx: Sender<Event>) {
    std::thread::spawn(move || {
        loop {
            if !wait_for_input() {
                let _ = tx.send(Event::TerminalGone);
                return;
            }
            let event = match event::read() {
                Ok(event) => event,
                Err(_) => {
                    let _ = tx.send(Event::TerminalGone);
                    return;
                }
            };
            let sent = match event {
                TermEvent::Key(key) if key.kind != KeyEventKind::Release => {
                    let key = match key.code {
                        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                            Key::Interrupt
                        }
                        KeyCode::Char(c) => Key::Char(c.to_ascii_lowercase()),
                        KeyCode::Up => Key::Up,
                        KeyCode::Down => Key::Down,
                        KeyCode::PageUp => Key::PageUp,
                        KeyCode::PageDown => Key::PageDown,
                        KeyCode::Home => Key::Home,
                        KeyCode::End => Key::End,
                        KeyCode::Enter => Key::Enter,
                        KeyCode::Esc => Key::Esc,
                        _ => continue,
                    };
                    tx.send(Event::Key(key))
                }
                TermEvent::Resize(..) => tx.send(Event::Resized),
                _ => continue,
            };
            if sent.is_err() {
                return;
            }
        }
    });
}

/// Blocks until the terminal has input; false when it hung up or failed.
/// (crossterm's own read retries forever on a hung-up terminal, at full
/// CPU, so the hang-up is caught here first.)
#[cfg(unix)]
fn wait_for_input() -> bool {
    // crossterm's internal buffer may already hold keys read with the last one.
    if event::poll(Duration::ZERO).unwrap_or(false) {
        return true;
    }
    let mut poll = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    };
    loop {
        // SAFETY: one valid pollfd, for the length given.
        let ready = unsafe { libc::poll(&mut poll, 1, -1) };
        if ready < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return false;
        }
        return poll.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) == 0;
    }
}

#[cfg(not(unix))]
fn wait_for_input() -> bool {
    true
}

/// The terminal in raw mode on the alternate screen, restored on drop and
/// at exit (the interrupt handler exits the process from another thread).
struct Terminal;

impl Terminal {
    fn enter() -> Result<Terminal> {
        terminal::enable_raw_mode()?;
        #[cfg(unix)]
        {
            extern "C" fn restore_at_exit() {
                restore();
            }
            // SAFETY: registers a plain function with no state; it only
            // writes to the terminal.
            unsafe {
                libc::atexit(restore_at_exit);
            }
        }
        execute!(
            std::io::stdout(),
            terminal::EnterAlternateScreen,
            cursor::Hide
        )?;
        Ok(Terminal)
    }
}

/// Leaves the alternate screen and raw mode; harmless when already left.
/// Written straight to the file descriptor: at exit, another thread may
/// hold stdout's lock.
fn restore() {
    // Once only: leaving the alternate screen again (at exit, after the
    // summary line was printed) would put the cursor back where the loop
    // started, and the shell's prompt would overwrite that line.
    static RESTORED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if RESTORED.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let _ = terminal::disable_raw_mode();
    #[cfg(unix)]
    {
        let reset = b"\x1b[?25h\x1b[?1049l";
        // SAFETY: writes a byte buffer we own to stdout's descriptor.
        unsafe {
            libc::write(libc::STDOUT_FILENO, reset.as_ptr().cast(), reset.len());
        }
    }
    #[cfg(not(unix))]
    {
        let _ = execute!(
            std::io::stdout(),
            cursor::Show,
            terminal::LeaveAlternateScreen
        );
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        restore();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(editable: &[&str]) -> Lesson {
        Lesson {
            title: "API".into(),
            editable: editable.iter().map(PathBuf::from).collect(),
            hints: vec!["one".into()],
            ..Lesson::for_tests("04_api_add")
        }
    }

    #[test]
    fn saves_of_editable_files_and_sources_beside_them_count() {
        let root = Path::new("/wb");
        let lesson = lesson(&["build.rs", "src/lib.rs"]);
        let dir = root.join("exercises/04_api_add");
        assert!(is_watched(&dir.join("src/lib.rs"), &lesson, root));
        assert!(is_watched(&dir.join("build.rs"), &lesson, root));
        // A module the learner adds beside lib.rs.
        assert!(is_watched(&dir.join("src/helpers.rs"), &lesson, root));
        assert!(is_watched(&dir.join("wrapper.c"), &lesson, root));
    }

    #[test]
    fn what_a_program_writes_never_counts() {
        let root = Path::new("/wb");
        let lesson = lesson(&["build.rs", "src/lib.rs"]);
        let dir = root.join("exercises/04_api_add");
        for written in [
            "out.txt",
            "data/bottle.dat",
            "frame_0001.png",
            "src/data.bin",
            "tests/snapshots/x.snap.new",
            "target/debug/x.rs",
            "tests/new.rs",
        ] {
            assert!(!is_watched(&dir.join(written), &lesson, root), "{written}");
        }
        assert!(!is_watched(
            &root.join("exercises/03_abi_add/src/lib.rs"),
            &lesson,
            root
        ));
    }

    #[test]
    fn a_program_writing_a_thousand_files_into_its_crate_checks_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let lesson = lesson(&["build.rs", "src/lib.rs"]);
        let dir = lesson.exercise_dir(root);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("build.rs"), "fn main() {}").unwrap();
        std::fs::write(dir.join("src/lib.rs"), "").unwrap();
        let before = watched_fingerprint(root, &lesson);
        let mut written = Vec::new();
        for i in 0..1000 {
            let path = dir.join(format!("out_{i}.dat"));
            std::fs::write(&path, i.to_string()).unwrap();
            written.push(path);
        }
        assert!(!touches(&written, &lesson, root));
        assert_eq!(watched_fingerprint(root, &lesson), before);
        // The learner's own edit is seen.
        std::fs::write(dir.join("src/lib.rs"), "pub fn f() {}").unwrap();
        assert_ne!(watched_fingerprint(root, &lesson), before);
    }
}
