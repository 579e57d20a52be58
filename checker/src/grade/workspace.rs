//! The workspace a submission is graded in: the instructor's copy (a
//! `scratch::Scratch`, kept in sync file by file), with only the submission's
//! editable files laid over it; and the comparison of a submission's
//! protected files with the instructor's.
//!
//! Each grading job keeps one scratch copy at a stable path for the whole
//! batch (and between batches), so cargo's fingerprints stay valid and
//! dependencies compile once.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::report::{Flag, FlagKind};
use crate::scratch::{Scratch, walk_files, write_if_changed};
use crate::workbook::Workbook;

/// The largest editable file taken from a submission.
pub const MAX_EDITABLE_BYTES: u64 = 4 << 20;

/// How deep a submission's folders are looked into (the workbook's own go
/// six deep), and how many entries of one protected area are looked at.
pub const MAX_DEPTH: usize = 32;
pub const MAX_WALKED: usize = 20_000;

/// The files under `root/area`, relative to `root`, sorted, skipping hidden
/// folders and `target/`, walked without recursion: a folder nested
/// thousands deep costs no stack. Returns what was not looked at, when a
/// limit was reached.
pub fn walk_submission(root: &Path, area: &Path, out: &mut Vec<PathBuf>) -> Option<String> {
    let mut todo = vec![(area.to_path_buf(), 0usize)];
    let mut seen = 0usize;
    let mut cut = None;
    while let Some((rel, depth)) = todo.pop() {
        let Ok(meta) = std::fs::symlink_metadata(root.join(&rel)) else {
            continue;
        };
        if meta.is_file() {
            out.push(rel);
            continue;
        }
        if !meta.is_dir() {
            continue;
        }
        if depth >= MAX_DEPTH {
            cut.get_or_insert(format!(
                "{} is nested more than {MAX_DEPTH} folders deep; what is below it was not \
                 looked at",
                rel.display()
            ));
            continue;
        }
        let Ok(entries) = std::fs::read_dir(root.join(&rel)) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > MAX_WALKED {
                out.sort();
                return Some(format!(
                    "{} holds more than {MAX_WALKED} entries; the rest were not looked at",
                    area.display()
                ));
            }
            let name = entry.file_name();
            let text = name.to_string_lossy();
            if text.starts_with('.') || text == "target" {
                continue;
            }
            todo.push((rel.join(&name), depth + 1));
        }
    }
    out.sort();
    cut
}

/// Is the submission's file at `theirs` the same text as the instructor's
/// at `ours`? A file more than twice the instructor's size (CRLF at most
/// doubles it) is different without being read: a sparse file of terabytes
/// costs nothing.
fn same_file(theirs: &Path, their_len: u64, ours: &Path) -> bool {
    let Ok(our_bytes) = std::fs::read(ours) else {
        return false;
    };
    if their_len > 2 * our_bytes.len() as u64 + 2 {
        return false;
    }
    use std::io::Read as _;
    let mut their_bytes = Vec::new();
    let read = std::fs::File::open(theirs).and_then(|file| {
        file.take(2 * our_bytes.len() as u64 + 3)
            .read_to_end(&mut their_bytes)
    });
    read.is_ok() && same_text(&their_bytes, &our_bytes)
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

impl Scratch {
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
                // A folder on the way that is a link could lead anywhere
                // (another student's files, the answers): never followed.
                let linked_folder =
                    crate::reach::first_link(submission, &theirs).filter(|link| *link != theirs);
                let taken = match std::fs::symlink_metadata(&theirs) {
                    _ if linked_folder.is_some() => {
                        let link = linked_folder.unwrap_or_default();
                        flags.push(Flag::new(
                            FlagKind::ReachesOutside,
                            Some(&rel),
                            format!(
                                "is inside {}, a folder that is a link; links are never \
                                 followed, so the file was not taken",
                                link.strip_prefix(submission).unwrap_or(&link).display()
                            ),
                        ));
                        None
                    }
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
                    if !same_file(&theirs, meta.len(), &workbook.root.join(rel)) {
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
        if let Some(cut) = walk_submission(submission, &area, &mut theirs) {
            flags.push(Flag::new(FlagKind::FileNotTaken, None, cut));
        }
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
    fn deep_folders_are_walked_without_recursion_and_cut() {
        let tmp = tempfile::tempdir().unwrap();
        let mut deep = tmp.path().join("area");
        for _ in 0..MAX_DEPTH + 5 {
            deep.push("d");
        }
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("f"), "x").unwrap();
        std::fs::write(tmp.path().join("area/top.rs"), "x").unwrap();
        let mut found = Vec::new();
        let cut = walk_submission(tmp.path(), Path::new("area"), &mut found).unwrap();
        assert!(cut.contains("folders deep"), "{cut}");
        assert_eq!(found, [PathBuf::from("area/top.rs")]);
    }

    #[test]
    fn a_huge_sparse_file_is_different_without_being_read() {
        let tmp = tempfile::tempdir().unwrap();
        let ours = tmp.path().join("ours.rs");
        std::fs::write(&ours, "fn main() {}\n").unwrap();
        let theirs = tmp.path().join("theirs.rs");
        let file = std::fs::File::create(&theirs).unwrap();
        file.set_len(64 << 30).unwrap();
        assert!(!same_file(&theirs, 64 << 30, &ours));
        std::fs::write(&theirs, "fn main() {}\r\n").unwrap();
        assert!(same_file(&theirs, 14, &ours));
    }

    #[test]
    fn crlf_is_not_a_change() {
        assert!(same_text(b"a\r\nb\r\n", b"a\nb\n"));
        assert!(same_text(b"a\nb", b"a\nb"));
        assert!(!same_text(b"a\nb", b"a\nc"));
        assert!(!same_text(b"a\r\n", b"a\n\n"));
    }
}
