//! The workbook on disk: its root folder and its lessons.
//!
//! A lesson's facts are written once, in its crate's `Cargo.toml` under
//! `[package.metadata.workbook]`; its order and short name come from its folder
//! name (`03_abi_add` is lesson 3, `abi_add`). Its hints are in
//! `lessons/hints/NN_name.toml` ([`HINTS_DIR`]), not in the manifest: learners
//! open the manifest to see what they may edit, and would read every level,
//! the code included, at once. Everything else in the checker reads lessons
//! from here.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// Where the workbook keeps answers, relative to its root: the reference
/// solutions, and the checker's own tests (its learner-mistake tests hold
/// lines of the solutions). Never copied where learner code runs when
/// grading, nor into the learners' template.
pub const ANSWER_PATHS: &[&str] = &["solutions", "checker/tests"];

/// Where a lesson's hints are, relative to the workbook root: one file per
/// lesson, `lessons/hints/NN_name.toml`, holding `hints = ["level 1", ...]`.
pub const HINTS_DIR: &str = "lessons/hints";

/// One lesson, as its manifest describes it.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// 1-based position in the course.
    pub number: u32,
    /// The folder name, `03_abi_add`: the same in exercises/, solutions/ and lessons/src/.
    pub dir_name: String,
    /// The short name, `abi_add`.
    pub name: String,
    /// The Cargo package name (what `cargo test -p` takes).
    pub package: String,
    pub title: String,
    /// Files the learner edits, relative to the exercise crate.
    pub editable: Vec<PathBuf>,
    /// What the lesson needs built from `csrc/` first.
    pub c_needs: Vec<CArtifact>,
    /// Hints in levels, from `lessons/hints/NN_name.toml`: the first names the
    /// concept and where to read, the next the functions and types involved,
    /// only the last shows code.
    pub hints: Vec<String>,
    /// Checks whose failure tells the most, first: patterns of the form
    /// `TARGET` (a test file's name, `steps`) or `TARGET::PREFIX` (a test
    /// name's start, `steps::abi_`). Failures matching none come last.
    pub rank: Vec<String>,
    /// Advice attached to a failing check or to the file where a panic was.
    pub advice: Vec<Advice>,
}

/// A line of advice shown when a check matching `check` fails, when a
/// panic is located in `file` (a path relative to the exercise crate), or
/// under a compile error whose text holds `symptom` (a missing name, an
/// undefined symbol).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Advice {
    #[serde(default)]
    pub check: Option<String>,
    #[serde(default)]
    pub file: Option<PathBuf>,
    #[serde(default)]
    pub symptom: Option<String>,
    pub text: String,
}

/// Does a check pattern (`TARGET` or `TARGET::PREFIX`) match the test
/// `name` of the test target `target`?
pub fn check_matches(pattern: &str, target: &str, name: &str) -> bool {
    match pattern.split_once("::") {
        None => pattern == target,
        Some((t, prefix)) => t == target && name.starts_with(prefix),
    }
}

/// Something built from `csrc/NAME.c`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum CArtifact {
    /// A C program, `build/NAME`.
    Program(String),
    /// A shared library, `build/libNAME.so` (per platform).
    Library(String),
}

impl CArtifact {
    pub fn source_name(&self) -> &str {
        match self {
            CArtifact::Program(name) | CArtifact::Library(name) => name,
        }
    }

    /// The file this artifact is built into, inside the C build folder.
    pub fn file_name(&self) -> String {
        match self {
            CArtifact::Program(name) => format!("{name}{}", std::env::consts::EXE_SUFFIX),
            CArtifact::Library(name) => format!(
                "{}{name}{}",
                std::env::consts::DLL_PREFIX,
                std::env::consts::DLL_SUFFIX
            ),
        }
    }
}

impl fmt::Display for CArtifact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CArtifact::Program(name) => write!(f, "program:{name}"),
            CArtifact::Library(name) => write!(f, "library:{name}"),
        }
    }
}

impl std::str::FromStr for CArtifact {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.split_once(':') {
            Some(("program", name)) if !name.is_empty() => Ok(CArtifact::Program(name.into())),
            Some(("library", name)) if !name.is_empty() => Ok(CArtifact::Library(name.into())),
            _ => bail!("`{s}` is not \"program:NAME\" or \"library:NAME\""),
        }
    }
}

#[cfg(test)]
impl Lesson {
    /// A lesson for unit tests, from its folder's name ("06_evolve"): its
    /// number and name come from it, everything else is empty and set by
    /// each test as it needs.
    pub fn for_tests(dir_name: &str) -> Lesson {
        let (number, name) = dir_name.split_once('_').expect("NN_name");
        Lesson {
            number: number.parse().expect("NN_name"),
            dir_name: dir_name.into(),
            name: name.into(),
            package: name.into(),
            title: name.into(),
            editable: vec![],
            c_needs: vec![],
            hints: vec![String::new()],
            rank: vec![],
            advice: vec![],
        }
    }
}

impl Lesson {
    pub fn exercise_dir(&self, root: &Path) -> PathBuf {
        root.join("exercises").join(&self.dir_name)
    }
    pub fn solution_dir(&self, root: &Path) -> PathBuf {
        root.join("solutions").join(&self.dir_name)
    }
    /// The lesson's hints file: `lessons/hints/NN_name.toml`.
    pub fn hints_path(&self, root: &Path) -> PathBuf {
        root.join(HINTS_DIR).join(format!("{}.toml", self.dir_name))
    }
    pub fn text_path(&self, root: &Path) -> PathBuf {
        root.join("lessons")
            .join("src")
            .join(format!("{}.md", self.dir_name))
    }
    /// The editable files, as paths relative to the workbook root.
    pub fn editable_paths(&self) -> impl Iterator<Item = PathBuf> + '_ {
        self.editable
            .iter()
            .map(|file| Path::new("exercises").join(&self.dir_name).join(file))
    }
}

#[derive(Deserialize)]
struct Manifest {
    package: ManifestPackage,
}

#[derive(Deserialize)]
struct ManifestPackage {
    name: String,
    metadata: Option<ManifestMetadata>,
}

#[derive(Deserialize)]
struct ManifestMetadata {
    workbook: Option<LessonMeta>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonMeta {
    title: String,
    editable: Vec<PathBuf>,
    #[serde(default)]
    c: Vec<String>,
    /// Refused: hints live in `lessons/hints/` (read here only to say so).
    #[serde(default)]
    hints: Option<toml::Value>,
    #[serde(default)]
    rank: Vec<String>,
    #[serde(default)]
    advice: Vec<Advice>,
}

/// The workbook: where it is and its lessons, in order.
#[derive(Debug, Clone)]
pub struct Workbook {
    pub root: PathBuf,
    pub lessons: Vec<Lesson>,
}

impl Workbook {
    /// Reads every `exercises/NN_name/Cargo.toml` below `root`.
    pub fn load(root: &Path) -> Result<Workbook> {
        let exercises = root.join("exercises");
        let entries = std::fs::read_dir(&exercises).with_context(|| {
            format!(
                "{} is not a workbook: it has no exercises/ folder",
                root.display()
            )
        })?;
        let mut lessons = Vec::new();
        for entry in entries {
            let entry = entry?;
            if !entry.file_type()?.is_dir() {
                continue;
            }
            let dir_name = entry.file_name().to_string_lossy().into_owned();
            let Some((number, name)) = split_dir_name(&dir_name) else {
                continue;
            };
            let manifest_path = entry.path().join("Cargo.toml");
            let mut lesson =
                read_lesson(&manifest_path, number, &dir_name, name).with_context(|| {
                    format!("reading the lesson manifest {}", manifest_path.display())
                })?;
            let hints_path = lesson.hints_path(root);
            lesson.hints = read_hints(&hints_path)
                .with_context(|| format!("reading the lesson's hints {}", hints_path.display()))?;
            lessons.push(lesson);
        }
        lessons.sort_by_key(|lesson| lesson.number);
        if lessons.is_empty() {
            bail!(
                "{} has no lessons (exercises/NN_name folders)",
                exercises.display()
            );
        }
        for pair in lessons.windows(2) {
            if pair[0].number == pair[1].number {
                bail!(
                    "two lessons share the number {}: {} and {}",
                    pair[0].number,
                    pair[0].dir_name,
                    pair[1].dir_name
                );
            }
        }
        Ok(Workbook {
            root: root.to_path_buf(),
            lessons,
        })
    }

    /// Finds a lesson by number (`3`, `03`), short name (`abi_add`),
    /// folder name (`03_abi_add`) or package name.
    pub fn find(&self, query: &str) -> Result<&Lesson> {
        let query = query.trim();
        let by_number = query.parse::<u32>().ok();
        self.lessons
            .iter()
            .find(|lesson| {
                Some(lesson.number) == by_number
                    || lesson.name == query
                    || lesson.dir_name == query
                    || lesson.package == query
            })
            .with_context(|| {
                let names: Vec<String> = self
                    .lessons
                    .iter()
                    .map(|l| format!("{} ({})", l.number, l.name))
                    .collect();
                format!(
                    "there is no lesson `{query}`; the lessons are: {}",
                    names.join(", ")
                )
            })
    }

    /// Every C artifact any lesson needs, once each.
    pub fn all_c_needs(&self) -> Vec<CArtifact> {
        let mut needs: Vec<CArtifact> = self
            .lessons
            .iter()
            .flat_map(|lesson| lesson.c_needs.iter().cloned())
            .collect();
        needs.sort();
        needs.dedup();
        needs
    }
}

/// `03_abi_add` -> (3, "abi_add"); anything else is not a lesson folder.
fn split_dir_name(dir_name: &str) -> Option<(u32, &str)> {
    let (number, name) = dir_name.split_once('_')?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) || name.is_empty() {
        return None;
    }
    Some((number.parse().ok()?, name))
}

fn read_lesson(manifest_path: &Path, number: u32, dir_name: &str, name: &str) -> Result<Lesson> {
    let text = std::fs::read_to_string(manifest_path)?;
    let manifest: Manifest = toml::from_str(&text)?;
    let meta = manifest
        .package
        .metadata
        .and_then(|m| m.workbook)
        .context("it has no [package.metadata.workbook] table (see AUTHORING.md)")?;
    if meta.editable.is_empty() {
        bail!("`editable` lists no files");
    }
    if meta.hints.is_some() {
        bail!(
            "it holds `hints`: they belong in {HINTS_DIR}/{dir_name}.toml, where learners do not \
             read them by chance (see AUTHORING.md)"
        );
    }
    for advice in &meta.advice {
        let named = [
            advice.check.is_some(),
            advice.file.is_some(),
            advice.symptom.is_some(),
        ];
        if named.iter().filter(|n| **n).count() != 1 {
            bail!(
                "each `advice` entry names exactly one of `check`, `file` or `symptom` (\"{}\")",
                advice.text
            );
        }
    }
    for file in &meta.editable {
        if file.is_absolute() || file.components().any(|c| c.as_os_str() == "..") {
            bail!(
                "editable file {} must be a path inside the crate",
                file.display()
            );
        }
    }
    let c_needs = meta
        .c
        .iter()
        .map(|need| need.parse())
        .collect::<Result<Vec<CArtifact>>>()?;
    Ok(Lesson {
        number,
        dir_name: dir_name.to_string(),
        name: name.to_string(),
        package: manifest.package.name,
        title: meta.title,
        editable: meta.editable,
        c_needs,
        hints: Vec::new(),
        rank: meta.rank,
        advice: meta.advice,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HintsFile {
    hints: Vec<String>,
}

/// A lesson's hint levels, trimmed, empty ones dropped; at least one.
fn read_hints(path: &Path) -> Result<Vec<String>> {
    let text = match std::fs::read_to_string(path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            bail!("it is missing: every lesson has one, holding `hints = [\"level 1\", ...]`")
        }
        other => other?,
    };
    let file: HintsFile = toml::from_str(&text)?;
    let hints: Vec<String> = file
        .hints
        .iter()
        .map(|hint| hint.trim().to_string())
        .filter(|hint| !hint.is_empty())
        .collect();
    if hints.is_empty() {
        bail!("`hints` holds no hint");
    }
    Ok(hints)
}

/// Runs git in the workbook at `root` and returns what it printed; its
/// error says which command failed where. (`reset` takes pristine files
/// from git, `template` the committed tree.)
pub fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .context("running git (is it installed?)")?;
    if !output.status.success() {
        bail!(
            "`git {}` failed in {}: {}",
            args.join(" "),
            root.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(output.stdout)
}

/// Is `dir` the root of a workbook (an `exercises/` folder beside a
/// `Cargo.toml`)?
pub fn is_root(dir: &Path) -> bool {
    dir.join("exercises").is_dir() && dir.join("Cargo.toml").is_file()
}

/// The workbook to work on: `explicit` (`--workbook`, `FFI_WORKBOOK_ROOT`),
/// else the one the current folder is in, found by walking up from it.
/// Nothing of where the binary was compiled is kept in it: a checker that
/// cargo built from another clone (two clones sharing one CARGO_TARGET_DIR)
/// works on the clone it is run in.
pub fn locate(explicit: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(root) = explicit {
        return Ok(root);
    }
    let cwd = std::env::current_dir().context("the current folder cannot be read")?;
    let Some(root) = cwd.ancestors().find(|dir| is_root(dir)) else {
        bail!(
            "{} is not inside a workbook (a folder with exercises/ and Cargo.toml): run the \
             checker from your clone of the workbook, or pass --workbook DIR",
            cwd.display()
        );
    };
    Ok(root.to_path_buf())
}

/// The workbook these tests were compiled in (tests only: the checker
/// itself finds its workbook when it runs, with [`locate`]).
#[cfg(test)]
pub(crate) fn source_workbook() -> PathBuf {
    let checker_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    checker_dir.parent().unwrap_or(checker_dir).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_folder_names() {
        assert_eq!(split_dir_name("03_abi_add"), Some((3, "abi_add")));
        assert_eq!(split_dir_name("10_x"), Some((10, "x")));
        assert_eq!(split_dir_name("abi_add"), None);
        assert_eq!(split_dir_name("03_"), None);
        assert_eq!(split_dir_name("target"), None);
    }

    #[test]
    fn c_artifacts_parse_and_print() {
        let lib: CArtifact = "library:ABI_add".parse().unwrap();
        assert_eq!(lib, CArtifact::Library("ABI_add".into()));
        assert_eq!(lib.to_string(), "library:ABI_add");
        assert!("binary:x".parse::<CArtifact>().is_err());
        assert!("program:".parse::<CArtifact>().is_err());
    }

    #[test]
    fn the_real_workbook_loads() {
        let workbook = Workbook::load(&source_workbook()).unwrap();
        assert_eq!(workbook.lessons[0].dir_name, "01_pointers");
        assert_eq!(workbook.find("1").unwrap().name, "pointers");
        assert_eq!(workbook.find("pointers").unwrap().number, 1);
        assert!(workbook.find("nope").is_err());
        let pointers = workbook.find("pointers").unwrap();
        assert!(pointers.hints.len() >= 2);
        assert!(pointers.hints_path(&workbook.root).is_file());
    }

    /// A one-lesson workbook whose manifest ends with `extra`, and whose
    /// hints file holds `hints` (none when `None`).
    fn one_lesson(extra: &str, hints: Option<&str>) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let crate_dir = dir.path().join("exercises/01_one");
        std::fs::create_dir_all(&crate_dir).unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[workspace]\n").unwrap();
        std::fs::write(
            crate_dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"one\"\n\n[package.metadata.workbook]\ntitle = \"One\"\n\
                 editable = [\"src/lib.rs\"]\n{extra}"
            ),
        )
        .unwrap();
        if let Some(hints) = hints {
            std::fs::create_dir_all(dir.path().join(HINTS_DIR)).unwrap();
            std::fs::write(dir.path().join(HINTS_DIR).join("01_one.toml"), hints).unwrap();
        }
        dir
    }

    #[test]
    fn hints_come_from_their_own_file_never_the_manifest() {
        let good = one_lesson(
            "",
            Some("hints = [\"\"\"\n  first\n\"\"\", \"\", \"second\"]\n"),
        );
        let workbook = Workbook::load(good.path()).unwrap();
        assert_eq!(workbook.lessons[0].hints, ["first", "second"]);

        let in_manifest = one_lesson("hints = [\"the code\"]\n", Some("hints = [\"a\"]\n"));
        let err = format!("{:#}", Workbook::load(in_manifest.path()).unwrap_err());
        assert!(err.contains("it holds `hints`"), "{err}");
        assert!(err.contains("lessons/hints/01_one.toml"), "{err}");

        let missing = one_lesson("", None);
        let err = format!("{:#}", Workbook::load(missing.path()).unwrap_err());
        assert!(
            err.contains("01_one.toml") && err.contains("it is missing"),
            "{err}"
        );

        let empty = one_lesson("", Some("hints = [\" \"]\n"));
        let err = format!("{:#}", Workbook::load(empty.path()).unwrap_err());
        assert!(err.contains("holds no hint"), "{err}");

        let misspelt = one_lesson("", Some("hint = [\"a\"]\n"));
        assert!(Workbook::load(misspelt.path()).is_err());
    }
}
