//! `checker template DIR`: the learners' repository is made from this
//! workbook, holds no answer, and works as its README says.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

use common::{checker, shared_target, workbook_root};

fn files_under(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(root.join(rel)).unwrap() {
        let entry = entry.unwrap();
        let rel = rel.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if rel != Path::new("target") && rel != Path::new("build") {
                files_under(root, &rel, out);
            }
        } else {
            out.push(rel);
        }
    }
}

/// CRLF as LF, trimmed: a copy of an answer is found whatever its line endings.
fn normalized(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    text.trim().as_bytes().to_vec()
}

#[test]
fn the_template_has_no_answers_and_works_for_a_learner() {
    let tmp = tempfile::tempdir().unwrap();

    // Never written over anyone's files.
    let busy = tmp.path().join("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("notes.txt"), "mine").unwrap();
    checker(&workbook_root())
        .arg("template")
        .arg(&busy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not empty"));
    assert_eq!(std::fs::read_dir(&busy).unwrap().count(), 1);
    assert_eq!(std::fs::read(busy.join("notes.txt")).unwrap(), b"mine");

    let dir = tmp.path().join("ffi-workbook-template");
    checker(&workbook_root())
        .arg("template")
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("Wrote the learners' repository"));

    let mut files = Vec::new();
    files_under(&dir, Path::new(""), &mut files);
    let contents: Vec<(PathBuf, Vec<u8>)> = files
        .iter()
        .map(|rel| {
            (
                rel.clone(),
                normalized(&std::fs::read(dir.join(rel)).unwrap()),
            )
        })
        .collect();

    // No file holds any reference answer, fixtures' included.
    let workbook = checker::workbook::Workbook::load(&workbook_root()).unwrap();
    let mut answers = 0;
    for lesson in &workbook.lessons {
        for file in &lesson.editable {
            let answer =
                normalized(&std::fs::read(lesson.solution_dir(&workbook.root).join(file)).unwrap());
            assert!(!answer.is_empty());
            answers += 1;
            for (rel, text) in &contents {
                assert!(
                    !text.windows(answer.len()).any(|w| w == answer),
                    "{} holds the answer {}/{}",
                    rel.display(),
                    lesson.dir_name,
                    file.display()
                );
            }
        }
    }
    assert!(answers >= workbook.lessons.len());
    for rel in &files {
        let text = rel.to_string_lossy();
        assert!(
            !text.starts_with("solutions") && !text.contains("/solutions/"),
            "{text}"
        );
        assert!(!text.starts_with("checker/tests"), "{text}");
    }

    // The learner's README and CI, not the authors'.
    assert_eq!(
        std::fs::read(dir.join("README.md")).unwrap(),
        std::fs::read(workbook_root().join("template/README.md")).unwrap()
    );
    let workflows: Vec<String> = std::fs::read_dir(dir.join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(workflows, ["classroom.yml"]);
    for gone in [".ci", "AUTHORING.md", "template", "solutions", "bench"] {
        assert!(!dir.join(gone).exists(), "{gone}");
    }

    // `cargo run -p checker` can build: the workspace and its lock file
    // are whole without the files left out.
    let metadata = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--locked", "--offline", "--format-version", "1"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        metadata.status.success(),
        "{}",
        String::from_utf8_lossy(&metadata.stderr)
    );

    // The checker works in it: the status, from the first lesson.
    checker(&dir)
        .arg("list")
        .env("CARGO_TARGET_DIR", shared_target())
        .timeout(std::time::Duration::from_secs(900))
        .assert()
        .success()
        .stdout(predicate::str::contains("FFI Workbook"))
        .stdout(predicate::str::contains("pointers"));

    // `template` is the instructor's command, and says so in a learners'
    // repository (it has no solutions/ to leave out).
    let again = tmp.path().join("template-of-a-template");
    checker(&dir)
        .arg("template")
        .arg(&again)
        .env("CARGO_TARGET_DIR", shared_target())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is the instructor's command"))
        .stderr(predicate::str::contains("learners' repository"));
    assert!(!again.exists(), "nothing was written");

    // A bare `cargo test` passes in a fresh template: it tests the checker
    // and the book a learner has, not the unsolved exercises.
    let tested = std::process::Command::new(env!("CARGO"))
        .args(["test", "--offline", "--locked", "-q"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", shared_target())
        .env_remove("FFI_WORKBOOK_REQUIRE_TOOLS")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&tested.stdout);
    assert!(
        tested.status.success(),
        "`cargo test` fails in a fresh template:\n{report}\n{}",
        String::from_utf8_lossy(&tested.stderr)
    );
    // It ran the checker's own tests and the book's examples.
    assert!(report.matches("test result: ok").count() >= 3, "{report}");

    // And says plainly that the answers are not there.
    Command::cargo_bin("checker")
        .unwrap()
        .arg("--workbook")
        .arg(&dir)
        .args(["verify", "--solutions"])
        .env_remove("CARGO_TARGET_DIR")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no reference solutions"))
        .stderr(predicate::str::contains("checker template"));
    assert!(!dir.join("target").exists(), "nothing was built for it");
}

/// The learners' README is made from the lessons' manifests, and the
/// committed `template/README.md` is that text. `UPDATE=1 cargo test -p
/// checker --test template` rewrites it.
#[test]
fn the_student_readme_is_made_from_the_manifests() {
    let root = workbook_root();
    let workbook = checker::workbook::Workbook::load(&root).unwrap();
    let made = checker::template::student_readme(&workbook).unwrap();
    let path = root.join("template/README.md");
    if std::env::var_os("UPDATE").is_some_and(|v| v == "1") {
        std::fs::write(&path, &made).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == made,
        "template/README.md is out of date with the lessons' manifests: run \
         `UPDATE=1 cargo test -p checker --test template the_student_readme` and commit it"
    );

    // What it says, lesson by lesson: every number and name (`hint NAME` works).
    for lesson in &workbook.lessons {
        let row = format!(
            "| {} | `{}` | {} |",
            lesson.number, lesson.name, lesson.title
        );
        assert!(made.contains(&row), "no row {row:?}");
        checker(&root)
            .args(["hint", &lesson.name])
            .assert()
            .success();
    }
    // The tools: valgrind for the lessons whose checks run it, libclang for bindgen's.
    let memory: Vec<String> = workbook
        .lessons
        .iter()
        .filter(|lesson| {
            std::fs::read_dir(lesson.exercise_dir(&root).join("tests"))
                .unwrap()
                .any(|e| {
                    std::fs::read_to_string(e.unwrap().path())
                        .is_ok_and(|text| text.contains("memcheck") || text.contains("valgrind"))
                })
        })
        .map(|lesson| lesson.number.to_string())
        .collect();
    assert!(memory.len() >= 2, "{memory:?}");
    let (last, rest) = memory.split_last().unwrap();
    let sentence = format!("memory checks of lessons {} and {last}", rest.join(", "));
    assert!(made.contains(&sentence), "no {sentence:?}");
    assert!(made.contains("Lesson 11 needs libclang"));
    for command in [
        "cargo run -p checker -- hint LESSON",
        "cargo run -p checker -- lesson LESSON",
        "cargo run -p checker -- list",
        "cargo test -p pointers",
    ] {
        assert!(made.contains(command), "no {command:?}");
    }
}
