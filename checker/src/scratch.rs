//! Scratch copies of a workbook: `verify --solutions` checks the reference
//! answers in one, so nothing in the learner's `exercises/` is touched.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::workbook::Workbook;

/// Top-level folders that are never copied: build output, history and the
/// learner's own progress.
const SKIPPED: &[&str] = &["target", "build", ".git", ".workbook"];

/// Copies the workbook at `from` into `to` (which is emptied first).
pub fn copy_workbook(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to).with_context(|| format!("clearing {}", to.display()))?;
    }
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if SKIPPED.iter().any(|skip| name == *skip) {
            continue;
        }
        copy_tree(&entry.path(), &to.join(&name))?;
    }
    Ok(())
}

/// Copies a file or a folder, recursively. Symbolic links are not followed
/// (a link could point anywhere); pending insta snapshots are left out.
pub fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    let meta = std::fs::symlink_metadata(from)?;
    if meta.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
    } else if meta.is_file() {
        let name = from.to_string_lossy();
        if name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
            return Ok(());
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, to)
            .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    }
    Ok(())
}

/// Copies every lesson's reference answers over its exercise, in the copy at `scratch`.
pub fn overlay_solutions(workbook: &Workbook, scratch: &Path) -> Result<()> {
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
            let target = lesson.exercise_dir(scratch).join(file);
            copy_tree(&solution, &target)?;
        }
    }
    Ok(())
}
