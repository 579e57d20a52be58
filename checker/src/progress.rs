//! The learner's progress on disk: which lessons passed, and on which version
//! of their files. It is a cache of verdicts, so nothing about it is ever
//! fatal: a missing file means "not checked yet", an unreadable one is set
//! aside, and one that cannot be written only costs a warning.
//!
//! Every change goes through [`update`]: under a lock file it reads what is on
//! disk, applies the change and writes a uniquely named temporary file that is
//! renamed over `progress.json`. So two checkers (a watch loop and a `run` in
//! another terminal, or 48 `run`s at once) never lose each other's verdicts
//! and never see half a file.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::workbook::Lesson;

const VERSION: u32 = 2;

/// The largest lesson file the checker reads: source files are kilobytes.
pub const MAX_LESSON_FILE_BYTES: u64 = 4 << 20;

/// How long a save waits for another checker to finish its own.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// The lessons whose last check passed, each with the fingerprint of the
/// files it passed on (see [`fingerprint`]).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    version: u32,
    passed: BTreeMap<String, String>,
    /// For a pass, the checks that did not run (a tool was missing): a pass
    /// of what ran, and the list says so.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    not_run: BTreeMap<String, Vec<String>>,
}

/// Version 1 kept only the names: those passes are kept, with no
/// fingerprint, so they show as needing a re-check.
#[derive(Deserialize)]
struct ProgressV1 {
    passed: Vec<String>,
}

/// A lesson's state as the progress file knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LessonState {
    /// Passed, and its files are still the ones it passed on.
    Passed,
    /// Passed once, but its files changed since (or the pass predates
    /// fingerprints): its next check decides.
    NeedsRecheck,
    NotPassed,
}

/// What loading found.
#[derive(Debug)]
pub enum Loaded {
    Found(Progress),
    /// No progress file yet (a fresh clone, or it was deleted).
    Missing,
    /// The file was unreadable; it was moved to `set_aside` (when it could be).
    Corrupt {
        set_aside: Option<PathBuf>,
        why: String,
    },
    /// Something that is not a file is in its place (a folder, a FIFO...):
    /// it is left alone, and progress cannot be saved until it is removed.
    NotAFile {
        why: String,
    },
}

/// `.workbook/progress.json` under the workbook root.
pub fn path(root: &Path) -> PathBuf {
    root.join(".workbook").join("progress.json")
}

fn lock_path(root: &Path) -> PathBuf {
    root.join(".workbook").join("progress.lock")
}

/// Reads the progress file. Never blocks: a FIFO in its place is opened
/// without waiting for a writer and refused.
pub fn load(root: &Path) -> Loaded {
    let file = path(root);
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let mut opened = match options.open(&file) {
        Ok(opened) => opened,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
        Err(err) if file.is_dir() => return not_a_file(&file, &err.to_string()),
        Err(err) => return set_aside(&file, err.to_string()),
    };
    match opened.metadata() {
        Ok(meta) if meta.is_file() => {}
        Ok(meta) if meta.is_dir() => return not_a_file(&file, "it is a folder"),
        Ok(_) => return not_a_file(&file, "it is not a regular file (a FIFO or a device?)"),
        Err(err) => return set_aside(&file, err.to_string()),
    }
    let mut text = String::new();
    if let Err(err) = opened.read_to_string(&mut text) {
        return set_aside(&file, err.to_string());
    }
    match parse(&text) {
        Ok(progress) => Loaded::Found(progress),
        Err(why) => set_aside(&file, why),
    }
}

fn parse(text: &str) -> Result<Progress, String> {
    #[derive(Deserialize)]
    struct Versioned {
        version: u32,
    }
    let version = serde_json::from_str::<Versioned>(text)
        .map_err(|err| err.to_string())?
        .version;
    match version {
        VERSION => serde_json::from_str::<Progress>(text).map_err(|err| err.to_string()),
        1 => {
            let old = serde_json::from_str::<ProgressV1>(text).map_err(|err| err.to_string())?;
            let mut progress = Progress::new();
            for name in old.passed {
                progress.passed.insert(name, String::new());
            }
            Ok(progress)
        }
        other => Err(format!("unknown version {other}")),
    }
}

fn not_a_file(file: &Path, why: &str) -> Loaded {
    Loaded::NotAFile {
        why: format!(
            "{} cannot be used: {why}. Remove it to keep your progress again.",
            file.display()
        ),
    }
}

fn set_aside(file: &Path, why: String) -> Loaded {
    let aside = file.with_extension("json.corrupt");
    let set_aside = std::fs::rename(file, &aside).ok().map(|_| aside);
    Loaded::Corrupt { set_aside, why }
}

/// Applies `change` to the progress on disk and saves it, under the lock.
/// Returns the progress as saved (with what other checkers recorded).
pub fn update(root: &Path, change: impl FnOnce(&mut Progress)) -> Result<Progress> {
    let file = path(root);
    let dir = file.parent().expect("the progress file has a folder");
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let _lock = Lock::acquire(&lock_path(root))?;
    let mut progress = match load(root) {
        Loaded::Found(progress) => progress,
        Loaded::Missing | Loaded::Corrupt { .. } => Progress::new(),
        Loaded::NotAFile { why } => bail!("{why}"),
    };
    change(&mut progress);
    write_atomically(&file, &(serde_json::to_string_pretty(&progress)? + "\n"))?;
    Ok(progress)
}

/// A temporary file with a name no other writer uses, then a rename: a reader
/// sees the old file or the new one, never half of one.
fn write_atomically(file: &Path, text: &str) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let tmp = file.with_extension(format!(
        "json.{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut out| out.write_all(text.as_bytes()));
    if let Err(err) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(err).with_context(|| format!("writing {}", tmp.display()));
    }
    std::fs::rename(&tmp, file).map_err(|err| {
        let _ = std::fs::remove_file(&tmp);
        anyhow::Error::new(err).context(format!("replacing {}", file.display()))
    })
}

/// An exclusive lock on `.workbook/progress.lock`, released on drop (and by
/// the system if the process dies).
struct Lock(File);

impl Lock {
    fn acquire(path: &Path) -> Result<Lock> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .with_context(|| format!("opening the lock file {}", path.display()))?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Lock(file)),
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => bail!(
                    "another checker has held {} for {} s",
                    path.display(),
                    LOCK_WAIT.as_secs()
                ),
                Err(std::fs::TryLockError::Error(err)) => {
                    return Err(err).with_context(|| format!("locking {}", path.display()));
                }
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// The progress file as it was before a check ran learner code. Only the
/// checker records verdicts: what lesson code writes there while it runs (a
/// forged pass for every lesson) is put back afterwards. A save by another
/// checker in that moment is undone too; that checker keeps its verdict in
/// memory and saves it again with its next one.
pub struct Snapshot {
    root: PathBuf,
    bytes: Option<Vec<u8>>,
    fingerprint: Option<crate::check::Fingerprint>,
}

impl Snapshot {
    pub fn take(root: &Path) -> Snapshot {
        let file = path(root);
        let fingerprint = crate::check::Fingerprint::of(&file);
        // Only a regular file is read (never a FIFO someone put there).
        let bytes = std::fs::symlink_metadata(&file)
            .is_ok_and(|meta| meta.is_file())
            .then(|| std::fs::read(&file).ok())
            .flatten();
        Snapshot {
            root: root.to_path_buf(),
            bytes,
            fingerprint,
        }
    }

    /// Puts the progress file back as it was, if it changed; says whether
    /// it had.
    pub fn undo_changes(&self) -> bool {
        let file = path(&self.root);
        if crate::check::Fingerprint::of(&file) == self.fingerprint {
            return false;
        }
        let Ok(_lock) = Lock::acquire(&lock_path(&self.root)) else {
            return true;
        };
        if std::fs::symlink_metadata(&file).is_ok_and(|meta| meta.is_dir()) {
            let _ = std::fs::remove_dir_all(&file);
        }
        match &self.bytes {
            Some(bytes) => {
                let _ = write_atomically(&file, &String::from_utf8_lossy(bytes));
            }
            None => {
                let _ = std::fs::remove_file(&file);
            }
        }
        true
    }
}

/// What a lesson's editable files hold, as a short string: equal strings mean
/// the same files (a missing file counts as a difference too).
pub fn fingerprint(root: &Path, lesson: &Lesson) -> String {
    let mut hasher = crc32fast::Hasher::new();
    let mut total = 0u64;
    for path in lesson.editable_paths() {
        hasher.update(path.to_string_lossy().as_bytes());
        // A FIFO would block the read forever, a device never end: only a
        // regular file of a source file's size is read.
        let meta = std::fs::metadata(root.join(&path));
        if let Ok(meta) = &meta
            && (!meta.is_file() || meta.len() > MAX_LESSON_FILE_BYTES)
        {
            hasher.update(b"\0not-a-source-file\0");
            hasher.update(&meta.len().to_le_bytes());
            continue;
        }
        match std::fs::read(root.join(&path)) {
            Ok(bytes) => {
                total += bytes.len() as u64;
                hasher.update(&(bytes.len() as u64).to_le_bytes());
                hasher.update(&bytes);
            }
            Err(_) => hasher.update(b"\0missing\0"),
        }
    }
    format!("{:08x}-{total}", hasher.finalize())
}

impl Progress {
    pub fn new() -> Progress {
        Progress {
            version: VERSION,
            passed: BTreeMap::new(),
            not_run: BTreeMap::new(),
        }
    }

    /// The state of `lesson` whose files now have `fingerprint`.
    pub fn state(&self, lesson: &Lesson, fingerprint: &str) -> LessonState {
        match self.passed.get(&lesson.name) {
            Some(passed_on) if passed_on == fingerprint => LessonState::Passed,
            Some(_) => LessonState::NeedsRecheck,
            None => LessonState::NotPassed,
        }
    }

    /// Records a verdict: a pass on files with `fingerprint`, or no pass.
    pub fn record(&mut self, lesson: &Lesson, passed_on: Option<&str>) {
        match passed_on {
            Some(fingerprint) => {
                self.passed
                    .insert(lesson.name.clone(), fingerprint.to_string());
            }
            None => {
                self.passed.remove(&lesson.name);
            }
        }
        self.not_run.remove(&lesson.name);
    }

    /// Records, with a pass just recorded, the checks that did not run.
    pub fn record_not_run(&mut self, lesson: &Lesson, not_run: &[String]) {
        if self.passed.contains_key(&lesson.name) && !not_run.is_empty() {
            self.not_run.insert(lesson.name.clone(), not_run.to_vec());
        }
    }

    /// The checks that did not run when `lesson` last passed.
    pub fn not_run(&self, lesson: &Lesson) -> &[String] {
        self.not_run.get(&lesson.name).map_or(&[], Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.passed.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(name: &str) -> Lesson {
        Lesson {
            editable: vec!["src/lib.rs".into()],
            hints: vec!["hint".into()],
            ..Lesson::for_tests(&format!("01_{name}"))
        }
    }

    #[test]
    fn missing_corrupt_and_valid_files() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(matches!(load(tmp.path()), Loaded::Missing));

        std::fs::create_dir_all(tmp.path().join(".workbook")).unwrap();
        std::fs::write(path(tmp.path()), "{ this is not json").unwrap();
        match load(tmp.path()) {
            Loaded::Corrupt {
                set_aside: Some(aside),
                ..
            } => assert!(aside.is_file()),
            other => panic!("expected Corrupt, got {other:?}"),
        }
        assert!(!path(tmp.path()).exists(), "the bad file is moved aside");

        let saved = update(tmp.path(), |p| p.record(&lesson("pointers"), Some("abc"))).unwrap();
        match load(tmp.path()) {
            Loaded::Found(found) => assert_eq!(found, saved),
            other => panic!("expected Found, got {other:?}"),
        }
    }

    #[test]
    fn a_file_from_an_unknown_version_is_set_aside() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join(".workbook")).unwrap();
        std::fs::write(path(tmp.path()), r#"{"version": 99, "passed": []}"#).unwrap();
        assert!(matches!(load(tmp.path()), Loaded::Corrupt { .. }));
    }

    #[test]
    fn version_1_passes_are_kept_as_needing_a_recheck() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join(".workbook")).unwrap();
        std::fs::write(path(tmp.path()), r#"{"version": 1, "passed": ["libm"]}"#).unwrap();
        let Loaded::Found(progress) = load(tmp.path()) else {
            panic!("a version 1 file loads");
        };
        assert_eq!(
            progress.state(&lesson("libm"), "anything"),
            LessonState::NeedsRecheck
        );
        assert_eq!(
            progress.state(&lesson("pointers"), "x"),
            LessonState::NotPassed
        );
    }

    #[test]
    fn a_pass_is_tied_to_the_files_it_passed_on() {
        let tmp = tempfile::tempdir().unwrap();
        let lesson = lesson("pointers");
        let file = tmp.path().join("exercises/01_pointers/src/lib.rs");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "fn a() {}").unwrap();
        let before = fingerprint(tmp.path(), &lesson);
        let mut progress = Progress::new();
        progress.record(&lesson, Some(&before));
        assert_eq!(progress.state(&lesson, &before), LessonState::Passed);
        std::fs::write(&file, "fn b() {}").unwrap();
        let after = fingerprint(tmp.path(), &lesson);
        assert_ne!(before, after);
        assert_eq!(progress.state(&lesson, &after), LessonState::NeedsRecheck);
        std::fs::remove_file(&file).unwrap();
        assert_ne!(fingerprint(tmp.path(), &lesson), before);
        progress.record(&lesson, None);
        assert_eq!(progress.state(&lesson, &after), LessonState::NotPassed);
    }

    #[test]
    fn updates_merge_with_what_another_checker_saved() {
        let tmp = tempfile::tempdir().unwrap();
        update(tmp.path(), |p| p.record(&lesson("a"), Some("1"))).unwrap();
        let merged = update(tmp.path(), |p| p.record(&lesson("b"), Some("2"))).unwrap();
        assert_eq!(merged.state(&lesson("a"), "1"), LessonState::Passed);
        assert_eq!(merged.state(&lesson("b"), "2"), LessonState::Passed);
    }

    #[test]
    fn a_folder_in_place_of_the_file_is_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(path(tmp.path())).unwrap();
        assert!(matches!(load(tmp.path()), Loaded::NotAFile { .. }));
        assert!(update(tmp.path(), |p| p.record(&lesson("a"), Some("1"))).is_err());
        assert!(path(tmp.path()).is_dir());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_in_place_of_the_file_never_blocks() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join(".workbook")).unwrap();
        let fifo = std::ffi::CString::new(path(tmp.path()).to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads a NUL-terminated path that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        assert!(matches!(load(tmp.path()), Loaded::NotAFile { .. }));
    }

    #[test]
    fn a_pass_remembers_the_checks_that_did_not_run_until_the_next_verdict() {
        let tmp = tempfile::tempdir().unwrap();
        let lesson = lesson("c_strings");
        let skipped = vec!["t::leak: valgrind is not installed".to_string()];
        update(tmp.path(), |p| {
            p.record(&lesson, Some("1"));
            p.record_not_run(&lesson, &skipped);
        })
        .unwrap();
        let Loaded::Found(loaded) = load(tmp.path()) else {
            panic!("saved progress")
        };
        assert_eq!(loaded.not_run(&lesson), skipped.as_slice());
        let failed = update(tmp.path(), |p| p.record(&lesson, None)).unwrap();
        assert!(failed.not_run(&lesson).is_empty());
    }
}
