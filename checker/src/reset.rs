//! `checker reset LESSON`: puts a lesson's editable files back as the course
//! shipped them, after keeping the learner's version in a named backup.
//!
//! The pristine files come from git: the branch the workbook was cloned from
//! (`@{upstream}`, then `origin/HEAD`), else the last commit. The learner's
//! own commits and the working tree are never the source.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::workbook::{Lesson, git};

/// What a reset did.
#[derive(Debug)]
pub struct Outcome {
    /// Where the learner's files were saved (None if nothing differed).
    pub backup: Option<PathBuf>,
    /// The git revision the pristine files came from.
    pub source: String,
    pub restored: Vec<PathBuf>,
}

pub fn reset(root: &Path, lesson: &Lesson) -> Result<Outcome> {
    let source = pristine_revision(root)?;
    // Read every pristine file first: if one is missing, nothing is touched.
    let mut pristine = Vec::new();
    for path in lesson.editable_paths() {
        let spec = format!("{source}:{}", path.to_string_lossy().replace('\\', "/"));
        let text = git(root, &["show", &spec])
            .with_context(|| format!("finding the original {} in git ({spec})", path.display()))?;
        pristine.push((path, text));
    }

    let backups = root.join(".workbook").join("backups");
    let mut backup_dir: Option<PathBuf> = None;
    for (path, original) in &pristine {
        let current = root.join(path);
        if let Ok(mine) = std::fs::read(&current)
            && mine != *original
        {
            if backup_dir.is_none() {
                backup_dir = Some(new_backup_dir(&backups, &lesson.dir_name)?);
            }
            let dir = backup_dir.as_ref().expect("set just above");
            let saved = dir.join(path);
            std::fs::create_dir_all(saved.parent().expect("a file path has a folder"))?;
            std::fs::write(&saved, &mine)
                .with_context(|| format!("backing up {}", current.display()))?;
        }
    }
    let mut restored = Vec::new();
    for (path, original) in pristine {
        let target = root.join(&path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, original)
            .with_context(|| format!("restoring {}", target.display()))?;
        restored.push(path);
    }
    Ok(Outcome {
        backup: backup_dir,
        source,
        restored,
    })
}

/// A backup folder of its own for this reset: `LESSON-SECONDS`, with `-2`,
/// `-3`... when a reset in the same second already made that one. Created
/// here (`create_dir` fails if it exists), so two resets never share one.
fn new_backup_dir(backups: &Path, lesson: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(backups).with_context(|| format!("creating {}", backups.display()))?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    for n in 1u32.. {
        let name = match n {
            1 => format!("{lesson}-{stamp}"),
            n => format!("{lesson}-{stamp}-{n}"),
        };
        let dir = backups.join(name);
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => {
                return Err(err).with_context(|| format!("creating {}", dir.display()));
            }
        }
    }
    unreachable!("some backup name is free")
}

fn pristine_revision(root: &Path) -> Result<String> {
    if git(root, &["rev-parse", "--git-dir"]).is_err() {
        bail!(
            "reset needs the workbook's git history to find the original files, and {} is not a \
             git clone. Clone the workbook with git, or copy the files back from a fresh copy.",
            root.display()
        );
    }
    for candidate in ["@{upstream}", "origin/HEAD", "HEAD"] {
        if git(root, &["rev-parse", "--verify", "--quiet", candidate]).is_ok() {
            return Ok(candidate.to_string());
        }
    }
    bail!(
        "the git repository at {} has no commits to reset from",
        root.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_made_in_the_same_second_never_share_a_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let dirs: Vec<PathBuf> = (0..3)
            .map(|_| new_backup_dir(tmp.path(), "01_pointers").unwrap())
            .collect();
        assert_ne!(dirs[0], dirs[1]);
        assert_ne!(dirs[1], dirs[2]);
        assert!(dirs.iter().all(|dir| dir.is_dir()));
    }
}
