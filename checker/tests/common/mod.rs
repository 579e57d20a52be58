//! Shared by the checker's integration tests: copies of workbooks in
//! places where their builds are kept between tests.

#![allow(dead_code)] // each test file uses a different part

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The real workbook this checker belongs to.
pub fn workbook_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The fixture workbook `checker grade` is tested on (tests/grade.rs,
/// tests/cheating.rs): three small lessons with reference solutions.
pub fn grading_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grading")
}

/// A learner's clone `dir/name` of the grading fixture with every lesson
/// solved (its `solutions/` still there).
pub fn solved_clone(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    copy_dir(&grading_fixture(), &path);
    copy_dir(&path.join("solutions"), &path.join("exercises"));
    path
}

/// A fresh copy `name` of the two-lesson course fixture (tests/cli.rs,
/// tests/progress.rs).
pub fn course(name: &str) -> PathBuf {
    fresh_copy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/course"),
        name,
    )
}

/// Solves `lesson` of a course copy with its reference solution.
pub fn solve(course: &Path, lesson: &str) {
    std::fs::copy(
        course.join(format!("solutions/{lesson}/src/lib.rs")),
        course.join(format!("exercises/{lesson}/src/lib.rs")),
    )
    .unwrap();
}

/// Writes `text` to `root/rel`, making its folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The submission `name` of a JSON grading report.
pub fn submission<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no submission {name} in the report"))
}

/// A graded submission's verdicts, lesson by lesson.
pub fn verdicts(sub: &serde_json::Value) -> Vec<String> {
    sub["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["verdict"].as_str().unwrap().to_string())
        .collect()
}

/// The fixture workbook whose lessons each produce one verdict.
pub fn verdicts_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/verdicts")
}

/// A cargo target folder for copies of the real workbook, so its
/// dependencies compile once. Only for copies built one after another:
/// cargo names a path package's artifacts by its path *relative to the
/// workspace*, so two copies of one workbook built at the same time in one
/// target folder can pick up each other's builds.
pub fn shared_target() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("checker-tests-target")
}

/// Copies `from` to a fresh folder named `name` under the test temp dir.
/// The name is stable (not random) so cargo's incremental builds still apply.
pub fn fresh_copy(from: &Path, name: &str) -> PathBuf {
    let to = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    if to.exists() {
        std::fs::remove_dir_all(&to).unwrap();
    }
    copy_dir(from, &to);
    to
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if ["target", "build", ".git", ".workbook"]
            .iter()
            .any(|skip| name == *skip)
        {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// The checker, pointed at `workbook` (built in its own `target/`), with a
/// short time limit.
pub fn checker(workbook: &Path) -> Command {
    checker_with_timeout(workbook, 5)
}

/// The same with a time limit of `seconds` for learner code.
pub fn checker_with_timeout(workbook: &Path, seconds: u32) -> Command {
    let mut command = Command::cargo_bin("checker").unwrap();
    command
        .arg("--workbook")
        .arg(workbook)
        .args(["--timeout", &seconds.to_string()])
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("FFI_WORKBOOK_ROOT");
    command
}

/// Is `tool` on PATH? When it is not, the test that needs it says plainly
/// that it was skipped and why, unless FFI_WORKBOOK_REQUIRE_TOOLS names the
/// tool (as .ci/run does, where every tool is installed): then it fails.
pub fn tool_available(tool: &str, why: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()));
    if !found {
        // Printed past the test harness's capture, so `cargo test` shows it.
        workbook_support::testing::skip_without(
            tool,
            &format!("{tool} is not installed, so {why} cannot be tested here"),
        );
    }
    found
}

/// Every file under `root` (but `target/`) and its contents: to prove a
/// folder is byte-for-byte unchanged.
pub fn tree(root: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, rel: &Path, out: &mut std::collections::BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
            return;
        };
        for entry in entries.flatten() {
            let rel = rel.join(entry.file_name());
            if rel == Path::new("target") {
                continue;
            }
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                walk(root, &rel, out);
            } else if kind.is_symlink() {
                let target = std::fs::read_link(entry.path()).unwrap();
                out.insert(rel, target.to_string_lossy().as_bytes().to_vec());
            } else {
                out.insert(rel, std::fs::read(entry.path()).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(root, Path::new(""), &mut out);
    out
}

/// A folder of links to the programs on PATH that `keep` accepts (by file
/// name), to run the checker on a machine that lacks the others: put it
/// alone on PATH. The first program of a name on PATH wins, as in a shell.
pub fn bin_dir_with(keep: impl Fn(&str) -> bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    for folder in std::env::split_paths(&path) {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let link = dir.path().join(&name);
            if keep(&name.to_string_lossy()) && !link.exists() && entry.path().is_file() {
                #[cfg(unix)]
                std::os::unix::fs::symlink(entry.path(), &link).unwrap();
                #[cfg(not(unix))]
                std::fs::copy(entry.path(), &link).unwrap();
            }
        }
    }
    dir
}

/// The Rust toolchain's own programs, and nothing else: no C compiler, no linker.
pub fn rust_only(name: &str) -> bool {
    ["cargo", "rustc", "rustup"].contains(&name)
}
