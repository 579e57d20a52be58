//! Learner code is hostile when grading. Each test here is one way a
//! submission could fake a pass or reach outside its workspace, tried for
//! real on the grading fixture (tests/fixtures/grading): the cheated lesson
//! fails or the attempt is contained, it is flagged where it can be seen,
//! the instructor's copy is byte-for-byte unchanged afterwards, and an honest
//! submission graded right after it (same job, same workspace) keeps full
//! marks.
//!
//! All cheaters and their honest followers are graded in one batch, in the
//! sandbox (bubblewrap), with one job so that each honest submission really
//! comes after its cheater. Without bubblewrap these tests say they were
//! skipped (and fail where FFI_WORKBOOK_REQUIRE_TOOLS names bwrap, as in CI).
//! The last tests check the learner's own checker, without a sandbox.
//! Linux only: the sandbox, setsid and /proc are.
#![cfg(target_os = "linux")]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use common::{verdicts, write};

/// A learner's clone of the grading fixture with every lesson solved, and
/// without the reference solutions.
fn solved(dir: &Path, name: &str) -> PathBuf {
    let path = common::solved_clone(dir, name);
    std::fs::remove_dir_all(path.join("solutions")).unwrap();
    path
}

const WRONG_GREETING: &str =
    "pub fn greeting(name: &str) -> String { format!(\"Hello {name}\") }\n";

/// A process name no honest program has, so a surviving daemon is found.
const DAEMON_MARK: &str = "612.3456";

/// What one batch showed.
struct Batch {
    report: Value,
    stdout: String,
    instructor: PathBuf,
    before: BTreeMap<PathBuf, Vec<u8>>,
    after: BTreeMap<PathBuf, Vec<u8>>,
    /// Paths learner code tried to create outside its workspace.
    outside: Vec<PathBuf>,
    _tmp: tempfile::TempDir,
}

/// The batch, graded once for every test of this file; None without bwrap.
fn batch() -> Option<&'static Batch> {
    static BATCH: OnceLock<Option<Batch>> = OnceLock::new();
    BATCH
        .get_or_init(|| {
            common::tool_available("bwrap", "grading in the sandbox").then(grade_the_cheaters)
        })
        .as_ref()
}

fn grade_the_cheaters() -> Batch {
    let tmp = tempfile::tempdir().unwrap();
    let instructor = tmp.path().join("instructor");
    common::copy_dir(&common::grading_fixture(), &instructor);
    let before = common::tree(&instructor);
    let subs = tmp.path().join("class");
    std::fs::create_dir(&subs).unwrap();
    let inst = instructor.display().to_string();
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let outside = vec![
        PathBuf::from(&home).join("ffi-workbook-pwned"),
        instructor.join("pwned"),
        tmp.path().join("pwned"),
    ];
    let mut cheaters: Vec<(&str, PathBuf)> = Vec::new();
    let mut cheater = |name: &'static str, change: &dyn Fn(&Path)| {
        let path = solved(&subs, name);
        change(&path);
        cheaters.push((name, path));
    };

    // 1. A pass that is only an exit code.
    cheater("early_exit", &|s| {
        write(
            s,
            "exercises/01_answer/src/lib.rs",
            "pub fn answer() -> i32 {\n    std::process::exit(0)\n}\n",
        )
    });
    // 2. Its program swaps the compiled checks for a fake that reports a pass.
    cheater("test_swapper", &|s| {
        write(s, "exercises/02_greeting/src/lib.rs", WRONG_GREETING);
        write(
            s,
            "exercises/02_greeting/src/main.rs",
            r##"fn main() {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap().join("deps");
    let fake = "#!/bin/sh\necho 'test greets_ferris ... ok'\necho\necho 'test result: ok. 1 passed; 0 failed; 0 ignored'\n";
    for entry in std::fs::read_dir(deps).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("check-") {
            let _ = std::fs::remove_file(entry.path());
            let _ = std::fs::write(entry.path(), fake);
        }
    }
    println!("{}", greeting::greeting("world"));
}
"##,
        );
    });
    // 3. The answers, or a classmate's work, through `#[path]` and a link.
    cheater("path_to_solutions", &|s| {
        write(
            s,
            "exercises/01_answer/src/lib.rs",
            "#[path = \"../../../solutions/01_answer/src/lib.rs\"]\nmod answer;\npub use answer::*;\n",
        )
    });
    let honest_abs = subs.join("honest_after_path_to_solutions");
    let classmate = format!(
        "#[path = \"{}/exercises/01_answer/src/lib.rs\"]\nmod answer;\npub use answer::*;\n",
        honest_abs.display()
    );
    cheater("path_to_classmate", &|s| {
        write(s, "exercises/01_answer/src/lib.rs", &classmate)
    });
    let linked_to = honest_abs.join("exercises/01_answer/src");
    cheater("linked_folder", &|s| {
        let src = s.join("exercises/01_answer/src");
        std::fs::remove_dir_all(&src).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&linked_to, &src).unwrap();
        #[cfg(windows)]
        std::os::windows::fs::symlink_dir(&linked_to, &src).unwrap();
    });
    // ... and at run time, by absolute and relative paths.
    let reader = format!(
        r#"pub fn greeting(name: &str) -> String {{
    for path in ["{inst}/solutions/02_greeting/src/lib.rs", "../../solutions/02_greeting/src/lib.rs"] {{
        if std::fs::read_to_string(path).is_ok() {{
            return format!("Hello, {{name}}!");
        }}
    }}
    format!("Hello {{name}}")
}}
"#
    );
    cheater("reads_answers", &|s| {
        write(s, "exercises/02_greeting/src/lib.rs", &reader)
    });
    // 4. Writing into the instructor's copy, the workspace and the C build.
    let writer = format!(
        r##"fn main() {{
    let weak = "#[test]\nfn greets_ferris() {{}}\n";
    let _ = std::fs::write("{inst}/exercises/02_greeting/tests/check.rs", weak);
    let _ = std::fs::write("tests/check.rs", weak);
    let _ = std::fs::write("../../csrc/answer.c", "int main(void) {{ return 0; }}");
    if let Some(dir) = std::env::var_os("FFI_WORKBOOK_C_DIR") {{
        let _ = std::fs::write(std::path::Path::new(&dir).join("answer"), "garbage");
    }}
    let _ = std::fs::write("{inst}/pwned", "x");
    println!("{{}}", greeting::greeting("world"));
}}
"##
    );
    cheater("writes_everywhere", &|s| {
        write(s, "exercises/02_greeting/src/lib.rs", WRONG_GREETING);
        write(s, "exercises/02_greeting/src/main.rs", &writer);
    });
    // 5. An editable build.rs writing outside its workspace, and into the
    // dependencies' build files that every later submission links against.
    let pwned_home = outside[0].display().to_string();
    let pwned_tmp = outside[2].display().to_string();
    let build_rs = format!(
        r#"fn main() {{
    cc::Build::new().file("../../csrc/twice.c").compile("twice");
    let _ = std::fs::write("{pwned_home}", "x");
    let _ = std::fs::write("{pwned_tmp}", "x");
    let _ = std::fs::write("{inst}/csrc/twice.c", "int twice(int x) {{ return x; }}");
    let _ = std::fs::write("../../csrc/twice.c", "int twice(int x) {{ return x; }}");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    // TARGET/debug/build/twice-HASH/out: its own target folder's compiled
    // dependencies, and those of any target folder beside it.
    let mut targets = vec![out.ancestors().nth(4).unwrap().to_path_buf()];
    for sibling in std::fs::read_dir(out.ancestors().nth(5).unwrap()).into_iter().flatten().flatten() {{
        targets.push(sibling.path());
    }}
    for target in targets {{
        for entry in std::fs::read_dir(target.join("debug/deps")).into_iter().flatten().flatten() {{
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("libinsta") || name.starts_with("libshlex") {{
                let _ = std::fs::write(entry.path(), "not an rlib any more");
            }}
        }}
    }}
    println!("cargo:rerun-if-changed=build.rs");
}}
"#
    );
    cheater("build_script", &|s| {
        write(s, "exercises/03_twice/build.rs", &build_rs)
    });
    // 5b. An editable build.rs planting builds for later submissions: it
    // makes another lesson's build look newer than any source (so cargo
    // would reuse it) and puts a fake in place of its compiled checks, in
    // its own target folder and in any other it can find beside it.
    let planter = r##"use std::os::unix::fs::PermissionsExt;
fn plant(debug: &std::path::Path) {
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(10 * 365 * 86400);
    for entry in std::fs::read_dir(debug.join(".fingerprint")).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with("greeting-") {
            for file in std::fs::read_dir(entry.path()).into_iter().flatten().flatten() {
                if let Ok(f) = std::fs::File::options().write(true).open(file.path()) {
                    let _ = f.set_modified(later);
                }
            }
        }
    }
    let fake = "#!/bin/sh\necho 'test greets_ferris ... ok'\necho\necho 'test result: ok. 1 passed; 0 failed; 0 ignored'\n";
    for entry in std::fs::read_dir(debug.join("deps")).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("check-") && !name.contains('.') {
            let _ = std::fs::remove_file(entry.path());
            let _ = std::fs::write(entry.path(), fake);
            let _ = std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o755));
        }
    }
}
fn main() {
    cc::Build::new().file("../../csrc/twice.c").compile("twice");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    // OUT_DIR is TARGET/debug/build/twice-HASH/out.
    let debug = out.ancestors().nth(3).unwrap().to_path_buf();
    plant(&debug);
    for sibling in std::fs::read_dir(out.ancestors().nth(5).unwrap()).into_iter().flatten().flatten() {
        plant(&sibling.path().join("debug"));
    }
    println!("cargo:rerun-if-changed=build.rs");
}
"##;
    cheater("plants_for_later", &|s| {
        write(s, "exercises/03_twice/build.rs", planter)
    });
    // ... and a wrong greeting graded after it, which such a plant would pass.
    cheater("wrong_after_plants", &|s| {
        write(s, "exercises/02_greeting/src/lib.rs", WRONG_GREETING)
    });
    // 6. A daemon in a session of its own, holding the output pipes.
    let daemon = format!(
        "pub fn answer() -> i32 {{\n    let _ = std::process::Command::new(\"setsid\")\n        \
         .args([\"sleep\", \"{DAEMON_MARK}\"])\n        .spawn();\n    42\n}}\n"
    );
    cheater("daemon", &|s| {
        write(s, "exercises/01_answer/src/lib.rs", &daemon)
    });
    // 8. A check that prints a gigabyte, kept in memory by libtest's capture.
    cheater("flood_in_checks", &|s| {
        write(
            s,
            "exercises/02_greeting/src/lib.rs",
            r#"pub fn greeting(name: &str) -> String {
    if std::env::current_exe().unwrap().to_string_lossy().contains("/deps/") {
        let line = "x".repeat(1 << 20);
        for _ in 0..1200 {
            println!("{line}");
        }
    }
    format!("Hello, {name}!")
}
"#,
        )
    });
    // 9. A complete libtest report printed by learner code before any test
    // runs: a constructor in lesson 1's library lists its own test program's
    // tests, prints `ok` for each and the summary, and ends the process.
    cheater("forged_report_constructor", &|s| {
        write(s, "exercises/01_answer/src/lib.rs", &forger(FORGE_ALL_OK))
    });
    // ... the same report from inside the first library function a test
    // calls (the test's names are in the learner's own tests/check.rs).
    cheater("forged_report_in_call", &|s| {
        write(
            s,
            "exercises/01_answer/src/lib.rs",
            r#"use std::io::Write;
unsafe extern "C" {
    fn _exit(code: i32) -> !;
}
pub fn answer() -> i32 {
    let mut out = std::io::stdout();
    let _ = out.write_all(
        b"\ntest rust_agrees_with_c ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n\n",
    );
    let _ = out.flush();
    unsafe { _exit(0) }
}
"#,
        )
    });
    // ... and a report in which every test is `ignored`.
    cheater("forged_all_ignored", &|s| {
        write(
            s,
            "exercises/01_answer/src/lib.rs",
            &forger(FORGE_ALL_IGNORED),
        )
    });
    // 10. Right only on the published inputs: the snapshot's name.
    cheater("only_published_inputs", &|s| {
        write(
            s,
            "exercises/02_greeting/src/lib.rs",
            "pub fn greeting(name: &str) -> String {\n    if name == \"Ferris\" {\n        \
             return \"Hello, Ferris!\".into();\n    }\n    name.to_string()\n}\n",
        )
    });

    // Each cheater is followed by an honest submission, in the same job.
    let mut args: Vec<PathBuf> = Vec::new();
    for (name, path) in &cheaters {
        args.push(path.clone());
        let honest = subs.join(format!("honest_after_{name}"));
        if !honest.exists() {
            solved(&subs, honest.file_name().unwrap().to_str().unwrap());
        }
        args.push(honest);
    }
    let report_path = tmp.path().join("report.json");
    let assert = Command::cargo_bin("checker")
        .unwrap()
        .arg("--workbook")
        .arg(&instructor)
        .args(["--timeout", "10", "grade", "--jobs", "1", "--work-dir"])
        .arg(Path::new(env!("CARGO_TARGET_TMPDIR")).join("cheating-work"))
        .arg("--out")
        .arg(&report_path)
        .args(&args)
        .env_remove("CARGO_TARGET_DIR")
        .timeout(std::time::Duration::from_secs(1800))
        .assert();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        assert.get_output().status.success(),
        "grading failed:\n{stdout}\n{stderr}"
    );
    let report = serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    let after = common::tree(&instructor);
    Batch {
        report,
        stdout,
        instructor,
        before,
        after,
        outside,
        _tmp: tmp,
    }
}

/// Lesson 1's library with a constructor (in `.init_array`, run before
/// `main`) that prints a whole libtest report for its own test program's
/// tests, each reported as `outcome`, and ends the process with 0; the
/// lesson itself is not done.
fn forger(outcome: &str) -> String {
    format!(
        r#"use std::io::Write;
unsafe extern "C" {{
    fn _exit(code: i32) -> !;
}}

#[used]
#[unsafe(link_section = ".init_array")]
static FORGE: extern "C" fn() = forge;

extern "C" fn forge() {{
    // Not while the checker lists the tests, nor in its own listing run.
    let cmdline = std::fs::read("/proc/self/cmdline").unwrap_or_default();
    if std::env::var_os("FORGING").is_some() || cmdline.split(|b| *b == 0).any(|a| a == b"--list") {{
        return;
    }}
    let Ok(exe) = std::env::current_exe() else {{ return }};
    let Ok(out) = std::process::Command::new(exe)
        .args(["--list", "--format", "terse"])
        .env("FORGING", "1")
        .output()
    else {{
        return;
    }};
    let list = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = list.lines().filter_map(|l| l.strip_suffix(": test")).collect();
    let mut report = format!("\nrunning {{}} tests\n", names.len());
    for name in &names {{
        report.push_str(&format!("test {{name}} ... {outcome}\n"));
    }}
    report.push_str(&format!({summary:?}, names.len()));
    let mut stdout = std::io::stdout();
    let _ = stdout.write_all(report.as_bytes());
    let _ = stdout.flush();
    unsafe {{ _exit(0) }}
}}

pub fn answer() -> i32 {{
    std::hint::black_box(&FORGE);
    todo!("the answer")
}}
"#,
        summary = if outcome == FORGE_ALL_OK {
            "\ntest result: ok. {} passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n\n"
        } else {
            "\ntest result: ok. 0 passed; 0 failed; {} ignored; 0 measured; 0 filtered out; finished in 0.00s\n\n"
        }
    )
}

const FORGE_ALL_OK: &str = "ok";
const FORGE_ALL_IGNORED: &str = "ignored";

fn submission<'a>(batch: &'a Batch, name: &str) -> &'a Value {
    common::submission(&batch.report, name)
}

fn flags(sub: &Value, kind: &str) -> Vec<String> {
    sub["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

/// The cheater's verdicts are `wanted`; the honest submission after it has
/// full marks and no flags; the instructor's copy is unchanged.
fn contained(batch: &Batch, cheater: &str, wanted: [&str; 3]) -> &'static str {
    let sub = submission(batch, cheater);
    assert_eq!(verdicts(sub), wanted, "{cheater}: {sub:#}");
    let honest = submission(batch, &format!("honest_after_{cheater}"));
    assert_eq!(
        honest["score"], 3,
        "the honest one after {cheater}: {honest:#}"
    );
    assert_eq!(honest["flags"].as_array().unwrap().len(), 0, "{honest:#}");
    if batch.before != batch.after {
        let changed: Vec<_> = batch
            .after
            .iter()
            .filter(|(path, bytes)| batch.before.get(*path) != Some(*bytes))
            .map(|(path, _)| path.display().to_string())
            .collect();
        panic!(
            "the instructor's copy {} changed: {changed:?}",
            batch.instructor.display()
        );
    }
    "ok"
}

fn detail<'a>(batch: &'a Batch, name: &str, lesson: usize) -> &'a str {
    submission(batch, name)["lessons"][lesson]["detail"]
        .as_str()
        .unwrap()
}

#[test]
fn an_early_exit_is_not_a_pass() {
    let Some(batch) = batch() else { return };
    contained(batch, "early_exit", ["failed", "passed", "passed"]);
    assert!(
        detail(batch, "early_exit", 0).contains("ended before the checks finished"),
        "{}",
        detail(batch, "early_exit", 0)
    );
}

#[test]
fn compiled_checks_cannot_be_swapped() {
    let Some(batch) = batch() else { return };
    contained(batch, "test_swapper", ["passed", "failed", "passed"]);
    assert!(detail(batch, "test_swapper", 1).contains("Hello Ferris"));
}

#[test]
fn path_attributes_to_the_answers_fail_and_are_flagged() {
    let Some(batch) = batch() else { return };
    contained(batch, "path_to_solutions", ["failed", "passed", "passed"]);
    let found = flags(submission(batch, "path_to_solutions"), "reaches_outside");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("#[path"), "{found:?}");
}

#[test]
fn another_students_files_are_out_of_reach() {
    let Some(batch) = batch() else { return };
    contained(batch, "path_to_classmate", ["failed", "passed", "passed"]);
    assert_eq!(
        flags(submission(batch, "path_to_classmate"), "reaches_outside").len(),
        1
    );
    contained(batch, "linked_folder", ["missing", "passed", "passed"]);
    let found = flags(submission(batch, "linked_folder"), "reaches_outside");
    assert!(
        found.iter().any(|f| f.contains("a folder that is a link")),
        "{found:?}"
    );
}

#[test]
fn the_answers_are_not_in_the_sandbox() {
    let Some(batch) = batch() else { return };
    contained(batch, "reads_answers", ["passed", "failed", "passed"]);
}

#[test]
fn learner_code_cannot_write_into_the_instructors_copy_or_the_c_build() {
    let Some(batch) = batch() else { return };
    contained(batch, "writes_everywhere", ["passed", "failed", "passed"]);
    assert!(!batch.instructor.join("pwned").exists());
}

#[test]
fn an_editable_build_script_is_confined_and_cannot_poison_later_builds() {
    let Some(batch) = batch() else { return };
    // Its writes to the dependencies' build files are seen: that lesson
    // fails, and the build folder is made anew for the next submission.
    contained(batch, "build_script", ["passed", "passed", "failed"]);
    // It could reach only the dependencies in its own target folder (the
    // build script's, as lesson 3 has no insta).
    let found = flags(submission(batch, "build_script"), "changed_during_grading");
    assert!(
        found
            .iter()
            .any(|f| f.contains("target-03_twice/debug/deps/libshlex")),
        "{found:?}"
    );
    assert!(!found.iter().any(|f| f.contains("libinsta")), "{found:?}");
    for path in &batch.outside {
        assert!(!path.exists(), "{} was written", path.display());
    }
}

#[test]
fn a_build_script_cannot_plant_builds_for_later_submissions() {
    let Some(batch) = batch() else { return };
    // Its own target folder holds no other lesson's build, and the sandbox
    // shows its build no other: there was nothing to plant into.
    contained(batch, "plants_for_later", ["passed", "passed", "passed"]);
    // The wrong greeting graded later was compiled and checked for real.
    let wrong = submission(batch, "wrong_after_plants");
    assert_eq!(verdicts(wrong), ["passed", "failed", "passed"], "{wrong:#}");
    assert!(detail(batch, "wrong_after_plants", 1).contains("Hello Ferris"));
}

/// Processes whose command line holds `mark`.
fn processes_with(mark: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .map(|cmdline| String::from_utf8_lossy(&cmdline).replace('\0', " "))
        .filter(|cmdline| cmdline.contains(mark))
        .collect()
}

#[test]
fn daemons_end_with_their_step_and_are_flagged() {
    let Some(batch) = batch() else { return };
    contained(batch, "daemon", ["passed", "passed", "passed"]);
    let found = flags(submission(batch, "daemon"), "suspicious");
    assert!(
        found.iter().any(|f| f.contains("running; they were ended")),
        "{found:?}"
    );
    assert_eq!(processes_with(DAEMON_MARK), Vec::<String>::new());
}

#[test]
fn a_check_that_prints_a_gigabyte_fails() {
    let Some(batch) = batch() else { return };
    contained(batch, "flood_in_checks", ["passed", "failed", "passed"]);
    assert!(
        detail(batch, "flood_in_checks", 1).contains("memory"),
        "{}",
        detail(batch, "flood_in_checks", 1)
    );
}

#[test]
fn a_complete_report_forged_before_the_tests_run_is_not_a_pass() {
    let Some(batch) = batch() else { return };
    contained(
        batch,
        "forged_report_constructor",
        ["failed", "passed", "passed"],
    );
    let detail = detail(batch, "forged_report_constructor", 0);
    assert!(detail.contains("inputs of its own"), "{detail}");
    let found = flags(submission(batch, "forged_report_constructor"), "suspicious");
    assert!(
        found
            .iter()
            .any(|f| f.contains("probe exited with success before it finished")),
        "{found:?}"
    );
}

#[test]
fn a_complete_report_forged_inside_a_call_is_not_a_pass() {
    let Some(batch) = batch() else { return };
    contained(
        batch,
        "forged_report_in_call",
        ["failed", "passed", "passed"],
    );
    let detail = detail(batch, "forged_report_in_call", 0);
    assert!(detail.contains("inputs of its own"), "{detail}");
    let found = flags(submission(batch, "forged_report_in_call"), "suspicious");
    assert!(
        found
            .iter()
            .any(|f| f.contains("probe exited with success before it finished")),
        "{found:?}"
    );
}

#[test]
fn a_report_of_every_test_ignored_is_not_a_pass() {
    let Some(batch) = batch() else { return };
    contained(batch, "forged_all_ignored", ["failed", "passed", "passed"]);
    let detail = detail(batch, "forged_all_ignored", 0);
    assert!(detail.contains("not marked #[ignore]"), "{detail}");
}

#[test]
fn code_right_only_on_the_published_inputs_fails() {
    let Some(batch) = batch() else { return };
    contained(
        batch,
        "only_published_inputs",
        ["passed", "failed", "passed"],
    );
    let detail = detail(batch, "only_published_inputs", 1);
    assert!(detail.contains("On `greeting("), "{detail}");
    assert!(detail.contains("inputs of its own"), "{detail}");
    // The reference's value is not shown.
    assert!(!detail.contains("`Hello, "), "{detail}");
}

#[test]
fn the_report_records_the_probe_seed() {
    let Some(batch) = batch() else { return };
    assert!(
        batch.report["probe_seed"].is_u64(),
        "{:#}",
        batch.report["probe_seed"]
    );
    assert!(
        batch.report.get("tests_only").is_none(),
        "{:#}",
        batch.report["tests_only"]
    );
    assert!(
        batch.stdout.contains("judged by its probe on seed"),
        "{}",
        batch.stdout
    );
}

#[test]
fn the_report_says_how_learner_code_was_confined() {
    let Some(batch) = batch() else { return };
    let sandbox = batch.report["sandbox"].as_str().unwrap();
    assert!(sandbox.starts_with("bubblewrap"), "{sandbox}");
    assert!(batch.stdout.contains("sandbox: bubblewrap"));
}

#[test]
fn without_a_sandbox_grading_refuses_unless_told() {
    let tmp = tempfile::tempdir().unwrap();
    let learner = solved(tmp.path(), "alice");
    // A PATH without bwrap (cargo and the C compiler are still found by
    // their full paths through CARGO and cc's own search).
    let empty = tmp.path().join("empty-bin");
    std::fs::create_dir(&empty).unwrap();
    Command::cargo_bin("checker")
        .unwrap()
        .arg("--workbook")
        .arg(common::grading_fixture())
        .args(["grade", "--work-dir"])
        .arg(tmp.path().join("work"))
        .arg(&learner)
        .env("PATH", &empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bubblewrap"))
        .stderr(predicate::str::contains("--unconfined"));
}

// The learner's own checker: no sandbox, but the same positive verdicts and
// process trees that always end.

/// A copy of the grading fixture, solved, with `change` made, checked with
/// `checker run LESSON`.
fn learner_run(name: &str, lesson: &str, change: &dyn Fn(&Path)) -> assert_cmd::assert::Assert {
    // The copies share one target folder, so they take turns: cargo names a
    // path package's builds by its path inside the workspace, and two copies
    // built at once would pick up each other's (common::shared_target).
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cheating-learner");
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join(name);
    if copy.exists() {
        std::fs::remove_dir_all(&copy).unwrap();
    }
    let copy = solved(&dir, name);
    change(&copy);
    common::checker_with_timeout(&copy, 10)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .args(["run", lesson])
        .timeout(std::time::Duration::from_secs(900))
        .assert()
}

#[test]
fn learners_see_an_early_exit_as_one() {
    learner_run("early-exit", "1", &|s| {
        write(
            s,
            "exercises/01_answer/src/lib.rs",
            "pub fn answer() -> i32 {\n    std::process::exit(0)\n}\n",
        )
    })
    .code(1)
    .stdout(predicate::str::contains(
        "FAIL ended before the checks finished",
    ))
    .stdout(predicate::str::contains("never reported"));
}

#[test]
fn learners_see_swapped_checks() {
    learner_run("swapper", "2", &|s| {
        write(
            s,
            "exercises/02_greeting/src/main.rs",
            r##"fn main() {
    let deps = std::env::current_exe().unwrap().parent().unwrap().join("deps");
    for entry in std::fs::read_dir(deps).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("check-") {
            let _ = std::fs::remove_file(entry.path());
            let _ = std::fs::write(entry.path(), "#!/bin/sh\nexit 0\n");
        }
    }
}
"##,
        )
    })
    .code(1)
    .stdout(predicate::str::contains(
        "FAIL the compiled checks were changed",
    ));
}

#[test]
fn learners_see_a_report_of_ignored_checks_as_forged() {
    learner_run("all-ignored", "1", &|s| {
        write(
            s,
            "exercises/01_answer/src/lib.rs",
            &forger(FORGE_ALL_IGNORED),
        )
    })
    .code(1)
    .stdout(predicate::str::contains("not marked #[ignore]"));
}

#[test]
fn a_learners_pass_says_the_instructor_grades_it_again() {
    learner_run("pass-note", "3", &|_| {})
        .success()
        .stdout(predicate::str::contains("PASS passed"))
        .stdout(predicate::str::contains(
            "your instructor grades it again on fresh inputs against the reference solution",
        ));
}

#[test]
fn a_learners_daemon_ends_with_the_check() {
    let mark = "613.4567";
    learner_run("daemon", "1", &|s| {
        write(
            s,
            "exercises/01_answer/src/lib.rs",
            &format!(
                "pub fn answer() -> i32 {{\n    let _ = std::process::Command::new(\"setsid\")\n        \
                 .args([\"sleep\", \"{mark}\"])\n        .spawn();\n    42\n}}\n"
            ),
        )
    })
    .success()
    .stdout(predicate::str::contains("PASS passed"));
    assert_eq!(processes_with(mark), Vec::<String>::new());
}

#[test]
fn the_checker_works_on_the_workbook_it_is_run_in() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = solved(tmp.path(), "clone");
    // Found from the current folder, even one inside a lesson.
    Command::cargo_bin("checker")
        .unwrap()
        .current_dir(copy.join("exercises/02_greeting/src"))
        .env_remove("FFI_WORKBOOK_ROOT")
        .env_remove("CARGO_MANIFEST_DIR")
        .args(["hint", "greeting"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Say hello."));
    // A binary that cargo built from another clone says so and does nothing.
    Command::cargo_bin("checker")
        .unwrap()
        .current_dir(&copy)
        .env_remove("FFI_WORKBOOK_ROOT")
        .env("CARGO_MANIFEST_DIR", copy.join("checker"))
        .arg("list")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("this checker was built from"));
    // Outside any workbook it says where to run it.
    Command::cargo_bin("checker")
        .unwrap()
        .current_dir(tmp.path())
        .env_remove("FFI_WORKBOOK_ROOT")
        .env_remove("CARGO_MANIFEST_DIR")
        .arg("list")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not inside a workbook"));
}

#[test]
fn workflows_give_learner_code_no_token_and_splice_no_input() {
    let workflows = common::workbook_root().join(".github/workflows");
    for entry in std::fs::read_dir(&workflows).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let checkouts = text.matches("uses: actions/checkout").count();
        let without_token = text
            .lines()
            .filter(|line| line.trim() == "persist-credentials: false")
            .count();
        assert_eq!(
            checkouts, without_token,
            "{name}: every checkout must set persist-credentials: false"
        );
        // No `${{ }}` inside a `run:` script: inputs reach scripts through env.
        let mut in_run = false;
        let mut run_indent = 0;
        for line in text.lines() {
            let indent = line.len() - line.trim_start().len();
            let trimmed = line.trim_start();
            if in_run && !trimmed.is_empty() && indent <= run_indent {
                in_run = false;
            }
            if let Some(rest) = trimmed
                .strip_prefix("run:")
                .or_else(|| trimmed.strip_prefix("- run:"))
            {
                in_run = true;
                run_indent = indent;
                assert!(!rest.contains("${{"), "{name}: `${{{{ }}}}` in run: {line}");
                continue;
            }
            if in_run {
                assert!(
                    !line.contains("${{"),
                    "{name}: `${{{{ }}}}` in a run: script: {line}"
                );
            }
        }
    }
}
