//! The learner's progress: which lessons have passed. It is a cache of
//! verdicts, so a missing or unreadable file is never fatal: it is set aside
//! and rebuilt by checking the lessons again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::workbook::{Lesson, Workbook};

const VERSION: u32 = 1;

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    version: u32,
    /// Short names of the lessons whose last check passed.
    passed: BTreeSet<String>,
}

/// What loading found.
#[derive(Debug)]
pub enum Loaded {
    Found(Progress),
    /// No progress file yet (a fresh clone, or it was deleted).
    Missing,
    /// The file was unreadable; it was moved to `set_aside` and must be rebuilt.
    Corrupt {
        set_aside: PathBuf,
        why: String,
    },
}

/// `.workbook/progress.json` under the workbook root.
pub fn path(root: &Path) -> PathBuf {
    root.join(".workbook").join("progress.json")
}

pub fn load(root: &Path) -> Loaded {
    let file = path(root);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
        Err(err) => return set_aside(&file, err.to_string()),
    };
    match serde_json::from_str::<Progress>(&text) {
        Ok(progress) if progress.version == VERSION => Loaded::Found(progress),
        Ok(progress) => set_aside(&file, format!("unknown version {}", progress.version)),
        Err(err) => set_aside(&file, err.to_string()),
    }
}

fn set_aside(file: &Path, why: String) -> Loaded {
    let aside = file.with_extension("json.corrupt");
    let _ = std::fs::rename(file, &aside);
    Loaded::Corrupt {
        set_aside: aside,
        why,
    }
}

impl Progress {
    pub fn new() -> Progress {
        Progress {
            version: VERSION,
            passed: BTreeSet::new(),
        }
    }

    pub fn has_passed(&self, lesson: &Lesson) -> bool {
        self.passed.contains(&lesson.name)
    }

    pub fn record(&mut self, lesson: &Lesson, passed: bool) {
        if passed {
            self.passed.insert(lesson.name.clone());
        } else {
            self.passed.remove(&lesson.name);
        }
    }

    /// How many of the workbook's lessons have passed.
    pub fn count(&self, workbook: &Workbook) -> usize {
        workbook
            .lessons
            .iter()
            .filter(|l| self.has_passed(l))
            .count()
    }

    /// The first lesson not passed yet, in course order.
    pub fn current<'w>(&self, workbook: &'w Workbook) -> Option<&'w Lesson> {
        workbook.lessons.iter().find(|l| !self.has_passed(l))
    }

    /// Writes atomically (a temporary file, then a rename), so an interrupted
    /// write can never leave a half file behind.
    pub fn save(&self, root: &Path) -> Result<()> {
        let file = path(root);
        let dir = file.parent().expect("progress file has a folder");
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let tmp = file.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self)? + "\n";
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &file).with_context(|| format!("writing {}", file.display()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_corrupt_and_valid_files() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(matches!(load(tmp.path()), Loaded::Missing));

        std::fs::create_dir_all(tmp.path().join(".workbook")).unwrap();
        std::fs::write(path(tmp.path()), "{ this is not json").unwrap();
        match load(tmp.path()) {
            Loaded::Corrupt { set_aside, .. } => assert!(set_aside.is_file()),
            other => panic!("expected Corrupt, got {other:?}"),
        }
        assert!(!path(tmp.path()).exists(), "the bad file is moved aside");

        let mut progress = Progress::new();
        progress.passed.insert("pointers".into());
        progress.save(tmp.path()).unwrap();
        match load(tmp.path()) {
            Loaded::Found(found) => assert_eq!(found, progress),
            other => panic!("expected Found, got {other:?}"),
        }
    }

    #[test]
    fn a_file_from_another_version_is_set_aside() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join(".workbook")).unwrap();
        std::fs::write(path(tmp.path()), r#"{"version": 99, "passed": []}"#).unwrap();
        assert!(matches!(load(tmp.path()), Loaded::Corrupt { .. }));
    }
}
