//! The real workbook, as a course author changes it: every reference solution
//! passes, every untouched exercise fails with the verdict we expect, and the
//! Makefile builds everything the lessons need.

mod common;

use predicates::prelude::*;

/// What each untouched exercise must be judged, by lesson. A new lesson must
/// be added here: the test fails for a lesson it does not know.
const UNTOUCHED: &[(&str, &str)] = &[
    ("pointers", "panicked"),
    ("import_libm", "panicked"),
    ("abi_add", "panicked"),
    ("api_add", "panicked"),
    ("fibonacci", "panicked"),
    ("evolve", "panicked"),
    ("c_strings", "panicked"),
    ("repr_c", "checks failed"),
    ("callbacks", "panicked"),
    ("handles", "panicked"),
    ("generated_bindings", "panicked"),
];

fn lesson_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(common::workbook_root().join("exercises"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter_map(|dir| dir.split_once('_').map(|(_, name)| name.to_string()))
        .collect();
    names.sort();
    names
}

#[test]
fn every_reference_solution_passes() {
    let root = common::workbook_root();
    let assert = common::checker_with_timeout(&root, 60)
        .args(["verify", "--solutions"])
        .assert();
    let output = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert.success().stdout(predicate::str::contains(format!(
        "{n} of {n} reference solutions pass",
        n = lesson_names().len()
    )));
    assert!(!output.contains("FAIL"), "{output}");
}

#[test]
fn every_untouched_exercise_fails_with_the_expected_verdict() {
    let copy = common::fresh_copy(&common::workbook_root(), "untouched-workbook");
    let assert = common::checker_with_timeout(&copy, 60)
        .env("CARGO_TARGET_DIR", common::shared_target())
        .arg("verify")
        .assert()
        .code(1);
    let output = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for name in lesson_names() {
        let expected = UNTOUCHED
            .iter()
            .find(|(lesson, _)| *lesson == name)
            .map(|(_, verdict)| *verdict)
            .unwrap_or_else(|| panic!("add lesson `{name}` to UNTOUCHED in {}", file!()));
        let line = output
            .lines()
            .find(|line| line.split_whitespace().nth(2) == Some(name.as_str()))
            .unwrap_or_else(|| panic!("no verdict line for {name} in:\n{output}"));
        assert!(
            line.starts_with("FAIL") && line.contains(expected),
            "untouched lesson {name} should fail with `{expected}`, got: {line}\n\n{output}"
        );
    }
}

#[test]
fn the_makefile_builds_every_c_artifact_the_lessons_need() {
    let copy = common::fresh_copy(&common::workbook_root(), "makefile-workbook");
    let status = std::process::Command::new("make")
        .arg("--quiet")
        .current_dir(&copy)
        .status()
        .expect("make runs");
    assert!(status.success(), "make failed");
    for name in lesson_names() {
        let dir = std::fs::read_dir(copy.join("exercises"))
            .unwrap()
            .filter_map(|e| e.ok())
            .find(|e| {
                e.file_name()
                    .to_string_lossy()
                    .ends_with(&format!("_{name}"))
            })
            .unwrap()
            .path();
        let manifest: toml::Table =
            toml::from_str(&std::fs::read_to_string(dir.join("Cargo.toml")).unwrap()).unwrap();
        let needs = manifest["package"]["metadata"]["workbook"]
            .get("c")
            .and_then(|c| c.as_array())
            .cloned()
            .unwrap_or_default();
        for need in needs {
            let need = need.as_str().unwrap();
            let file = match need.split_once(':') {
                Some(("program", name)) => name.to_string(),
                Some(("library", name)) => format!(
                    "{}{name}{}",
                    std::env::consts::DLL_PREFIX,
                    std::env::consts::DLL_SUFFIX
                ),
                _ => panic!("bad need {need}"),
            };
            assert!(
                copy.join("build").join(&file).is_file(),
                "`make` did not build build/{file}, which lesson {name} needs ({need})"
            );
        }
    }
}
