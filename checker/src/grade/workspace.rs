//! The workspace a submission is graded in: the instructor's copy, with only
//! the submission's editable files laid over it.
//!
//! Each grading job keeps one scratch copy at a stable path for the whole
//! batch (and between batches), so cargo's fingerprints stay valid and
//! dependencies compile once. Files are written only when their contents
//! differ: an unchanged file keeps its modification time, so neither cargo
//! nor the C build redoes work for it.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::report::{Flag, FlagKind};
use crate::workbook::Workbook;

/// Top-level folders never copied into a scratch workspace: build output,
/// history and a learner's progress.
pub const SKIPPED_TOP: &[&str] = &["target", "build", ".git", ".workbook"];

/// The largest editable file taken from a submission.
pub const MAX_EDITABLE_BYTES: u64 = 4 << 20;

/// Files that are never compared or copied: insta's pending snapshots.
fn is_pending_snapshot(path: &Path) -> bool {
    let name = path.to_string_lossy();
    name.ends_with(".snap.new") || name.ends_with(".pending-snap")
}

/// Every regular file below `root/rel`, as paths relative to `root`. Links
/// are not followed; folders named `target` and hidden entries are skipped
/// when `skip_hidden` is set (for submissions, where they are noise).
fn walk_files(root: &Path, rel: &Path, skip_hidden: bool, out: &mut Vec<PathBuf>) {
    let Ok(meta) = std::fs::symlink_metadata(root.join(rel)) else {
        return;
    };
    if meta.is_file() {
        if !is_pending_snapshot(rel) {
            out.push(rel.to_path_buf());
        }
        return;
    }
    if !meta.is_dir() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    let mut names: Vec<OsString> = entries.flatten().map(|e| e.file_name()).collect();
    names.sort();
    for name in names {
        let text = name.to_string_lossy();
        if skip_hidden && (text.starts_with('.') || text == "target") {
            continue;
        }
        walk_files(root, &rel.join(&name), skip_hidden, out);
    }
}

/// The same text, allowing for Windows line endings (git's autocrlf turns
/// every file of a learner's clone into CRLF; that is not a change).
pub fn same_text(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let strip = |bytes: &[u8]| -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        for (i, &byte) in bytes.iter().enumerate() {
            if byte == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                continue;
            }
            out.push(byte);
        }
        out
    };
    strip(a) == strip(b)
}

/// Writes `contents` to `path` unless it already holds exactly that.
/// Returns whether it wrote.
fn write_if_changed(path: &Path, contents: &[u8]) -> Result<bool> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.is_file() && std::fs::read(path).is_ok_and(|old| old == contents) {
            return Ok(false);
        }
        if meta.is_dir() {
            std::fs::remove_dir_all(path)?;
        } else {
            std::fs::remove_file(path)?;
        }
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}

/// One job's scratch copy of the instructor's workbook.
#[derive(Debug, Clone)]
pub struct Scratch {
    /// The instructor's workbook: the pristine tests, snapshots, manifests, C.
    pub instructor: PathBuf,
    /// The scratch copy.
    pub root: PathBuf,
    /// Top-level entries of the instructor's folder that are not copied.
    skipped_top: BTreeSet<OsString>,
    /// Every lesson's editable files, relative to the workbook root.
    editable: BTreeSet<PathBuf>,
}

impl Scratch {
    /// `also_skip`: top-level entries of the instructor's folder that hold
    /// other things (the submissions themselves, the grading work folder).
    pub fn new(workbook: &Workbook, root: PathBuf, also_skip: &[OsString]) -> Scratch {
        let mut skipped_top: BTreeSet<OsString> = SKIPPED_TOP.iter().map(OsString::from).collect();
        skipped_top.extend(also_skip.iter().cloned());
        let editable = workbook
            .lessons
            .iter()
            .flat_map(|lesson| lesson.editable_paths())
            .collect();
        Scratch {
            instructor: workbook.root.clone(),
            root,
            skipped_top,
            editable,
        }
    }

    fn copied(&self, rel: &Path) -> bool {
        let top = rel.components().next().map(|c| c.as_os_str().to_owned());
        !top.is_some_and(|top| self.skipped_top.contains(&top))
            && !self.editable.contains(rel)
            && !is_pending_snapshot(rel)
    }

    /// Makes every file of the scratch copy (but the editable ones) equal to
    /// the instructor's, and removes files the instructor does not have.
    /// Returns the instructor's files that had to be rewritten: after a
    /// submission was graded, those are files its code changed.
    pub fn restore(&self) -> Result<Vec<PathBuf>> {
        std::fs::create_dir_all(&self.root)?;
        let mut wanted = Vec::new();
        walk_files(&self.instructor, Path::new(""), false, &mut wanted);
        wanted.retain(|rel| self.copied(rel));
        let mut rewritten = Vec::new();
        for rel in &wanted {
            let contents = std::fs::read(self.instructor.join(rel))
                .with_context(|| format!("reading {}", self.instructor.join(rel).display()))?;
            if write_if_changed(&self.root.join(rel), &contents)? {
                rewritten.push(rel.clone());
            }
        }
        let wanted: BTreeSet<PathBuf> = wanted.into_iter().collect();
        let mut present = Vec::new();
        walk_files(&self.root, Path::new(""), false, &mut present);
        for rel in present {
            if self.copied(&rel) && !wanted.contains(&rel) {
                std::fs::remove_file(self.root.join(&rel))
                    .with_context(|| format!("removing {}", self.root.join(&rel).display()))?;
            }
        }
        Ok(rewritten)
    }

    /// Lays the submission's editable files over the scratch copy; a file the
    /// submission lacks is the instructor's. Returns, per lesson, whether the
    /// submission had any of its editable files, and what to flag.
    pub fn take_editable(
        &self,
        workbook: &Workbook,
        submission: &Path,
        links_ignored: &[PathBuf],
    ) -> Result<(Vec<bool>, Vec<Flag>)> {
        let mut present = Vec::new();
        let mut flags = Vec::new();
        for lesson in &workbook.lessons {
            let mut any = false;
            for rel in lesson.editable_paths() {
                let theirs = submission.join(&rel);
                let taken = match std::fs::symlink_metadata(&theirs) {
                    Ok(meta) if meta.is_file() && meta.len() > MAX_EDITABLE_BYTES => {
                        flags.push(Flag::new(
                            FlagKind::FileNotTaken,
                            Some(&rel),
                            format!(
                                "is larger than {} MiB and was not taken",
                                MAX_EDITABLE_BYTES >> 20
                            ),
                        ));
                        None
                    }
                    Ok(meta) if meta.is_file() => Some(
                        std::fs::read(&theirs)
                            .with_context(|| format!("reading {}", theirs.display()))?,
                    ),
                    Ok(meta) if meta.is_symlink() => {
                        flags.push(link_flag(&rel));
                        None
                    }
                    _ => {
                        if links_ignored.contains(&rel) {
                            flags.push(link_flag(&rel));
                        }
                        None
                    }
                };
                any |= taken.is_some();
                let contents = match taken {
                    Some(contents) => contents,
                    None => std::fs::read(self.instructor.join(&rel)).with_context(|| {
                        format!(
                            "reading the instructor's {}",
                            self.instructor.join(&rel).display()
                        )
                    })?,
                };
                write_if_changed(&self.root.join(&rel), &contents)?;
            }
            present.push(any);
        }
        Ok((present, flags))
    }
}

fn link_flag(rel: &Path) -> Flag {
    Flag::new(
        FlagKind::FileNotTaken,
        Some(rel),
        "is a link, not a file, and was not taken".to_string(),
    )
}

/// The places whose files decide a grade besides the editable ones: every
/// lesson crate, the C, the support crate and the workspace manifest.
fn protected_areas(workbook: &Workbook) -> Vec<PathBuf> {
    let mut areas: Vec<PathBuf> = workbook
        .lessons
        .iter()
        .map(|lesson| Path::new("exercises").join(&lesson.dir_name))
        .collect();
    areas.extend(["csrc", "support", "Cargo.toml"].map(PathBuf::from));
    areas
}

/// Compares a submission's protected files with the instructor's: each one
/// it changed or deleted is flagged (it is graded on the instructor's), and
/// each file it added where only the instructor's count is flagged as ignored.
pub fn compare_protected(workbook: &Workbook, submission: &Path) -> Vec<Flag> {
    let editable: BTreeSet<PathBuf> = workbook
        .lessons
        .iter()
        .flat_map(|lesson| lesson.editable_paths())
        .collect();
    let mut flags = Vec::new();
    for area in protected_areas(workbook) {
        let mut ours = Vec::new();
        walk_files(&workbook.root, &area, true, &mut ours);
        ours.retain(|rel| !editable.contains(rel));
        let area_submitted = std::fs::symlink_metadata(submission.join(&area)).is_ok();
        for rel in &ours {
            let theirs = submission.join(rel);
            match std::fs::symlink_metadata(&theirs) {
                Ok(meta) if meta.is_file() => {
                    let same = match (
                        std::fs::read(&theirs),
                        std::fs::read(workbook.root.join(rel)),
                    ) {
                        (Ok(a), Ok(b)) => same_text(&a, &b),
                        _ => false,
                    };
                    if !same {
                        flags.push(Flag::new(
                            FlagKind::ProtectedFileChanged,
                            Some(rel),
                            "was changed; it was graded with the instructor's copy".to_string(),
                        ));
                    }
                }
                Ok(_) => flags.push(Flag::new(
                    FlagKind::ProtectedFileChanged,
                    Some(rel),
                    "is not a plain file; it was graded with the instructor's copy".to_string(),
                )),
                Err(_) if area_submitted => flags.push(Flag::new(
                    FlagKind::ProtectedFileDeleted,
                    Some(rel),
                    "was deleted; it was graded with the instructor's copy".to_string(),
                )),
                Err(_) => {}
            }
        }
        let ours: BTreeSet<PathBuf> = ours.into_iter().collect();
        let mut theirs = Vec::new();
        walk_files(submission, &area, true, &mut theirs);
        for rel in theirs {
            if !ours.contains(&rel) && !editable.contains(&rel) {
                flags.push(Flag::new(
                    FlagKind::FileNotTaken,
                    Some(&rel),
                    "was added, but only the lesson's editable files are taken from a \
                     submission, so it was ignored"
                        .to_string(),
                ));
            }
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_is_not_a_change() {
        assert!(same_text(b"a\r\nb\r\n", b"a\nb\n"));
        assert!(same_text(b"a\nb", b"a\nb"));
        assert!(!same_text(b"a\nb", b"a\nc"));
        assert!(!same_text(b"a\r\n", b"a\n\n"));
    }

    #[test]
    fn unchanged_files_are_not_rewritten() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("d/f.rs");
        assert!(write_if_changed(&path, b"one").unwrap());
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(!write_if_changed(&path, b"one").unwrap());
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            before
        );
        assert!(write_if_changed(&path, b"two").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
    }
}
