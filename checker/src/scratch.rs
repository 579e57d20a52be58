//! Scratch copies of a workbook, kept in sync file by file: `verify
//! --solutions` checks the reference answers in one (nothing in the
//! learner's `exercises/` is touched), and each grading job grades in one.
//!
//! A copy lives at a stable path and is brought up to date rather than made
//! anew: files are written only when their contents differ, so an unchanged
//! file keeps its modification time and neither cargo nor the C build redoes
//! work for it.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::workbook::Workbook;

/// Top-level folders never copied into a scratch workspace: build output,
/// history and a learner's progress.
pub const SKIPPED_TOP: &[&str] = &["target", "build", ".git", ".workbook"];

/// Files that are never compared or copied: insta's pending snapshots.
fn is_pending_snapshot(path: &Path) -> bool {
    let name = path.to_string_lossy();
    name.ends_with(".snap.new") || name.ends_with(".pending-snap")
}

/// Every regular file below `root/rel`, as paths relative to `root`. Links
/// are not followed; folders named `target` and hidden entries are skipped
/// when `skip_hidden` is set (for submissions, where they are noise).
pub fn walk_files(root: &Path, rel: &Path, skip_hidden: bool, out: &mut Vec<PathBuf>) {
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

/// Writes `contents` to `path` unless it already holds exactly that.
/// Returns whether it wrote.
pub fn write_if_changed(path: &Path, contents: &[u8]) -> Result<bool> {
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
    /// Deeper folders that are not copied either (relative to the root).
    skipped_dirs: Vec<PathBuf>,
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
            skipped_dirs: Vec::new(),
            editable,
        }
    }

    /// The same copy without the workbook's answers (`ANSWER_PATHS`): what
    /// grading runs learner code in.
    pub fn without_answers(mut self) -> Scratch {
        self.skipped_dirs
            .extend(crate::workbook::ANSWER_PATHS.iter().map(PathBuf::from));
        self
    }

    fn copied(&self, rel: &Path) -> bool {
        let top = rel.components().next().map(|c| c.as_os_str().to_owned());
        !top.is_some_and(|top| self.skipped_top.contains(&top))
            && !self.skipped_dirs.iter().any(|dir| rel.starts_with(dir))
            && !self.editable.contains(rel)
            && !is_pending_snapshot(rel)
    }

    /// Makes every file of the scratch copy (but the editable ones) equal to
    /// the instructor's, and removes files the instructor does not have.
    /// Returns the instructor's files that had to be rewritten: after a
    /// submission was graded, those are files its code changed.
    pub fn restore(&self) -> Result<Vec<PathBuf>> {
        std::fs::create_dir_all(&self.root)?;
        let mut wanted = self.files_below_copied_tops(&self.instructor);
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
        for rel in self.files_below_copied_tops(&self.root) {
            let answer = self.skipped_dirs.iter().any(|dir| rel.starts_with(dir));
            if (self.copied(&rel) && !wanted.contains(&rel)) || answer {
                std::fs::remove_file(self.root.join(&rel))
                    .with_context(|| format!("removing {}", self.root.join(&rel).display()))?;
            }
        }
        self.remove_folders_gone_from_the_instructor()?;
        Ok(rewritten)
    }

    /// Every file of `root` outside the top-level folders that are never
    /// copied: those are not even walked (the instructor's `target/` alone
    /// can hold a hundred thousand files).
    fn files_below_copied_tops(&self, root: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        let Ok(entries) = std::fs::read_dir(root) else {
            return files;
        };
        let mut tops: Vec<OsString> = entries.flatten().map(|e| e.file_name()).collect();
        tops.sort();
        for top in tops.iter().filter(|top| !self.skipped_top.contains(*top)) {
            walk_files(root, Path::new(top), false, &mut files);
        }
        files
    }

    /// Removes folders of the copy that the instructor's workbook no longer
    /// has (a lesson renamed, say): cargo takes every `exercises/*` folder
    /// for a workspace member, and an emptied one would stop every build.
    fn remove_folders_gone_from_the_instructor(&self) -> Result<()> {
        fn walk(scratch: &Scratch, rel: &Path) -> Result<()> {
            let Ok(entries) = std::fs::read_dir(scratch.root.join(rel)) else {
                return Ok(());
            };
            for entry in entries.flatten() {
                if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                    continue;
                }
                let rel = rel.join(entry.file_name());
                let top = rel.components().next().map(|c| c.as_os_str().to_owned());
                if top.is_some_and(|top| scratch.skipped_top.contains(&top)) {
                    continue;
                }
                if scratch.instructor.join(&rel).is_dir() {
                    walk(scratch, &rel)?;
                } else {
                    std::fs::remove_dir_all(entry.path())
                        .with_context(|| format!("removing {}", entry.path().display()))?;
                }
            }
            Ok(())
        }
        walk(self, Path::new(""))
    }
}

/// Fails with a plain message when the workbook has no `solutions/`: the
/// learners' copy (`checker template`) has none.
pub fn require_solutions(workbook: &Workbook) -> Result<()> {
    if !workbook.root.join("solutions").is_dir() {
        bail!(
            "this workbook has no reference solutions: {} has no solutions/ folder. It is the \
             learners' copy of the course (made by `checker template`), and the answers stay \
             with the instructor. `verify` without --solutions checks your own exercises.",
            workbook.root.display()
        );
    }
    Ok(())
}

/// Writes every lesson's reference answers over its exercise, in the copy at `scratch`.
pub fn overlay_solutions(workbook: &Workbook, scratch: &Path) -> Result<()> {
    require_solutions(workbook)?;
    for lesson in &workbook.lessons {
        for file in &lesson.editable {
            let solution = lesson.solution_dir(&workbook.root).join(file);
            if !solution.is_file() {
                bail!(
                    "lesson {} lists {} as editable, but {} has no reference answer for it",
                    lesson.dir_name,
                    file.display(),
                    solution.display()
                );
            }
            let contents = std::fs::read(&solution)
                .with_context(|| format!("reading {}", solution.display()))?;
            write_if_changed(&lesson.exercise_dir(scratch).join(file), &contents)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_the_instructor_no_longer_has_is_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let instructor = tmp.path().join("instructor");
        let copy = tmp.path().join("copy");
        let write = |rel: &str| {
            let path = instructor.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        };
        write("exercises/02_libm/Cargo.toml");
        write("Cargo.toml");
        let workbook = Workbook {
            root: instructor.clone(),
            lessons: Vec::new(),
        };
        let scratch = Scratch::new(&workbook, copy.clone(), &[]);
        scratch.restore().unwrap();
        // A pending snapshot the copy's own run left there.
        std::fs::create_dir_all(copy.join("exercises/02_libm/tests/snapshots")).unwrap();
        std::fs::write(
            copy.join("exercises/02_libm/tests/snapshots/x.snap.new"),
            "y",
        )
        .unwrap();
        std::fs::rename(
            instructor.join("exercises/02_libm"),
            instructor.join("exercises/02_import_libm"),
        )
        .unwrap();
        scratch.restore().unwrap();
        assert!(copy.join("exercises/02_import_libm/Cargo.toml").is_file());
        assert!(!copy.join("exercises/02_libm").exists());
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
