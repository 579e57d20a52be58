//! The real workbook, as a course author changes it: every reference solution
//! passes, every untouched exercise fails with the verdict we expect, and the
//! Makefile builds everything the lessons need.

mod common;

use std::process::Command;
use std::sync::Mutex;

use cargo_metadata::Message;
use predicates::prelude::*;

/// The tests that build copies of the workbook in the shared target folder
/// take turns (see `common::shared_target`).
static SHARED_TARGET: Mutex<()> = Mutex::new(());

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
    let _turn = SHARED_TARGET.lock().unwrap_or_else(|e| e.into_inner());
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

/// The lessons' package names, from their manifests.
fn packages() -> Vec<String> {
    let mut packages: Vec<String> = std::fs::read_dir(common::workbook_root().join("exercises"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| {
            let manifest: toml::Table =
                toml::from_str(&std::fs::read_to_string(e.path().join("Cargo.toml")).unwrap())
                    .unwrap();
            manifest["package"]["name"].as_str().unwrap().to_string()
        })
        .collect();
    packages.sort();
    packages
}

/// `cargo test --no-run` of `packages` in `copy`: the artifacts cargo had to
/// build (not fresh).
fn built_anew(copy: &std::path::Path, packages: &[String]) -> Vec<String> {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", common::shared_target())
        .args(["test", "--no-run", "--message-format=json"]);
    for package in packages {
        command.args(["-p", package]);
    }
    let output = command.output().expect("cargo runs");
    assert!(
        output.status.success(),
        "the lessons do not build:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Message::parse_stream(&output.stdout[..])
        .flatten()
        .filter_map(|message| match message {
            Message::CompilerArtifact(artifact) if !artifact.fresh => Some(format!(
                "{} ({})",
                artifact.package_id.repr, artifact.target.name
            )),
            _ => None,
        })
        .collect()
}

/// `verify` and grading compile every lesson in one cargo call; the
/// learner's loop compiles one. cargo unifies dependency features across
/// the packages of one call, so the two could make different builds of a
/// dependency, and each would then rebuild what the other made (insta,
/// support and the lesson, seconds each time), and grading's build-file
/// checks would watch builds its checks do not use. This proves they share
/// one build. When it fails, a lesson's dependency turns on features of a
/// shared one that the others lack: pin them in support/Cargo.toml.
#[test]
fn a_lesson_built_alone_reuses_the_build_of_all_lessons_together() {
    let _turn = SHARED_TARGET.lock().unwrap_or_else(|e| e.into_inner());
    let copy = common::fresh_copy(&common::workbook_root(), "shared-build-workbook");
    common::checker(&copy)
        .env("CARGO_TARGET_DIR", common::shared_target())
        .arg("build-c")
        .assert()
        .success();
    let packages = packages();
    built_anew(&copy, &packages);
    for package in &packages {
        // The lesson's own crate may run its build script again (lesson 4's,
        // as shipped, names no files to watch); its dependencies may not
        // build again.
        let rebuilt: Vec<String> = built_anew(&copy, std::slice::from_ref(package))
            .into_iter()
            .filter(|artifact| !artifact.contains(&format!("#{package}@")))
            .collect();
        assert!(
            rebuilt.is_empty(),
            "after all lessons were built together, building `{package}` alone built again:\n{}",
            rebuilt.join("\n")
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
