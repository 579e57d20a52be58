//! `checker clean`: removes grading work folders (each a workspace and
//! cargo target folders per job, often more than a gigabyte), listing each
//! with its size first.
//!
//! Without `--work-dir`, every workbook's default work folder
//! (`~/.cache/ffi-workbook/grade-*`) is removed. Only a folder a grading
//! batch made (it holds the `.lock` file `grade` creates) is ever removed,
//! and never one a batch is using (its lock is held).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};

/// The bytes of the files under `path` (links not followed).
fn size_of(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries.flatten().map(|e| size_of(&e.path())).sum()
}

/// "1.5 GB", "340 kB".
pub fn human(bytes: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < units.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

/// Whether `dir` is a grading work folder: `grade` made its `.lock`.
fn is_work_folder(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir())
        && std::fs::symlink_metadata(dir.join(".lock")).is_ok_and(|m| m.is_file())
}

/// The work folders to remove: `work_dir`, or every default one under `cache`.
fn candidates(work_dir: Option<&Path>, cache: &Path) -> Result<Vec<PathBuf>> {
    if let Some(dir) = work_dir {
        if !dir.exists() {
            bail!("{} does not exist: nothing to clean", dir.display());
        }
        if !is_work_folder(dir) {
            bail!(
                "{} is not a grading work folder (it has no .lock made by `checker grade`); \
                 nothing was removed",
                dir.display()
            );
        }
        return Ok(vec![dir.to_path_buf()]);
    }
    let Ok(entries) = std::fs::read_dir(cache) else {
        return Ok(Vec::new());
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("grade-"))
                && is_work_folder(p)
        })
        .collect();
    found.sort();
    Ok(found)
}

pub fn run(work_dir: Option<PathBuf>, dry_run: bool) -> Result<ExitCode> {
    let cache = super::cache_root();
    let found = candidates(work_dir.as_deref(), &cache)?;
    if found.is_empty() {
        println!("No grading work folders in {}.", cache.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut total = 0;
    let mut busy = 0;
    for dir in &found {
        let size = size_of(dir);
        let lock = File::open(dir.join(".lock"))
            .with_context(|| format!("opening {}", dir.join(".lock").display()))?;
        if lock.try_lock().is_err() {
            busy += 1;
            println!(
                "{}  {}  (in use by a grading batch: kept)",
                human(size),
                dir.display()
            );
            continue;
        }
        total += size;
        if dry_run {
            println!("{:>9}  {}  (would be removed)", human(size), dir.display());
            continue;
        }
        println!("{:>9}  {}", human(size), dir.display());
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    println!(
        "{} {} in {} folder{}{}.",
        if dry_run { "Would free" } else { "Freed" },
        human(total),
        found.len() - busy,
        if found.len() - busy == 1 { "" } else { "s" },
        if busy > 0 {
            format!("; {busy} in use kept")
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_work_folders_are_candidates() {
        let tmp = tempfile::tempdir().unwrap();
        let ours = tmp.path().join("grade-0123");
        std::fs::create_dir_all(ours.join("job-0")).unwrap();
        std::fs::write(ours.join(".lock"), "").unwrap();
        std::fs::create_dir_all(tmp.path().join("grade-notours")).unwrap();
        std::fs::create_dir_all(tmp.path().join("other")).unwrap();
        std::fs::write(tmp.path().join("other/.lock"), "").unwrap();
        assert_eq!(candidates(None, tmp.path()).unwrap(), [ours]);
        let err = candidates(Some(&tmp.path().join("grade-notours")), tmp.path()).unwrap_err();
        assert!(
            err.to_string().contains("not a grading work folder"),
            "{err}"
        );
        assert_eq!(human(999), "999 B");
        assert_eq!(human(1_500_000_000), "1.5 GB");
    }
}
