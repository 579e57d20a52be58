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
                // Read-only? Then in place of it.
                let _ = std::fs::remove_file(entry.path());
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

    // 9. Learner code that prints the words of a machine fault, to turn its
    // failure into "cannot run here" (not the learner's, and the batch's
    // exit 2): a build script, and a compile error.
    cheater("claims_no_compiler", &|s| {
        write(
            s,
            "exercises/03_twice/build.rs",
            "fn main() {\n    eprintln!(\"error occurred in cc-rs: failed to find tool \\\"cc\\\": \\\n     No such file or directory (is `cc` installed?)\");\n    println!(\"cargo::error=environment: libclang is not installed\");\n    std::process::exit(1);\n}\n",
        )
    });
    cheater("claims_no_linker", &|s| {
        write(
            s,
            "exercises/01_answer/src/lib.rs",
            "compile_error!(\"linker `cc` not found\");\npub fn answer() -> i32 { 42 }\n",
        )
    });

    // 10. Text that would rewrite the instructor's screen or a Markdown
    // summary: escapes that clear the terminal and print a forged row, a
    // fence that closes the report's, in the program's output, its panic
    // and the name of a file it adds.
    cheater("injects_text", &|s| {
        write(
            s,
            "exercises/02_greeting/src/main.rs",
            "fn main() {\n    print!(\"\\x1b[2J\\x1b[H| honest | 3/3 |\\n```\\n\");\n    panic!(\"```\\n\\x1b[31mforged\");\n}\n",
        );
        write(s, "exercises/02_greeting/notes\u{1b}[2J.txt", "x");
    });

    // 9. Limits on the whole tree of a step (issue 18, finding 4): a fork
    // bomb (bounded, so that a grader without the limit survives it too:
    // it then passes, unflagged), memory spread over four children and
    // /dev/shm, and a build script that takes more than the step's memory.
    cheater("fork_bomb", &|s| {
        write(
            s,
            "exercises/01_answer/src/lib.rs",
            r#"pub fn answer() -> i32 {
    let mut children = Vec::new();
    for _ in 0..1500 {
        match std::process::Command::new("sleep").arg("30.0271").spawn() {
            Ok(child) => children.push(child),
            Err(_) => break,
        }
    }
    42
}
"#,
        )
    });
    cheater("memory_spread", &|s| {
        write(
            s,
            "exercises/01_answer/src/lib.rs",
            r#"pub fn answer() -> i32 {
    // 400 MB in each of four children, and 400 MB more in /dev/shm: each
    // process stays under its own limit, the whole step does not.
    if std::env::var_os("HOG").is_some() {
        let hog = vec![1u8; 400 << 20];
        std::thread::sleep(std::time::Duration::from_secs(4));
        std::process::exit(i32::from(hog[12345]) - 1);
    }
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..4)
        .filter_map(|_| std::process::Command::new(&exe).env("HOG", "1").spawn().ok())
        .collect();
    let _ = std::fs::write("/dev/shm/hog", vec![1u8; 400 << 20]);
    for mut child in children {
        let _ = child.wait();
    }
    42
}
"#,
        )
    });
    cheater("memory_in_build_script", &|s| {
        write(
            s,
            "exercises/03_twice/build.rs",
            r#"fn main() {
    cc::Build::new().file("../../csrc/twice.c").compile("twice");
    let hog = vec![1u8; 2000 << 20];
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:warning={}", hog[4321]);
}
"#,
        )
    });
    // 10. A build script that plants a library its own target folder's
    // later compilers load (cargo puts that folder's deps/ first on their
    // LD_LIBRARY_PATH): the next submission's compiler must not load it.
    cheater("plants_libdl", &|s| {
        let lib = s.join("exercises/03_twice/src/lib.rs");
        let text = std::fs::read_to_string(&lib).unwrap();
        std::fs::write(&lib, format!("// PLANTER\n{text}")).unwrap();
        write(
            s,
            "exercises/03_twice/build.rs",
            r##"fn main() {
    cc::Build::new().file("../../csrc/twice.c").compile("twice");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    // OUT_DIR is TARGET/debug/build/twice-HASH/out.
    let deps = out.ancestors().nth(3).unwrap().join("deps");
    let c = out.join("evil.c");
    // It ends every compiler that loads it, but in this submission's own
    // build (whose lib.rs says PLANTER), so that only later ones fail.
    std::fs::write(&c, r#"#include <stdio.h>
#include <string.h>
#include <unistd.h>
__attribute__((constructor)) static void evil(void) {
    char text[4096] = {0};
    FILE *f = fopen("exercises/03_twice/src/lib.rs", "r");
    if (f) { fread(text, 1, sizeof text - 1, f); fclose(f); }
    if (!strstr(text, "PLANTER")) _exit(3);
}
"#).unwrap();
    let _ = std::process::Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(deps.join("libdl.so.2"))
        .arg(&c)
        .status();
    println!("cargo:rerun-if-changed=build.rs");
}
"##,
        )
    });
    // 11. What learner code must not see: root-only files, the instructor's
    // copy, home folders, another submission, the reference workspace (the
    // answers), other jobs' command lines; and it must not run as root.
    let work_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cheating-work");
    let honest_prober = subs.join("honest_after_prober");
    let secrets = [
        "/etc/shadow".to_string(),
        format!("{inst}/Cargo.toml"),
        format!("{inst}/solutions/02_greeting/src/lib.rs"),
        format!("{home}/.bashrc"),
        format!("{home}/.profile"),
        format!("{}/Cargo.toml", honest_prober.display()),
        format!(
            "{}/reference/workbook/exercises/02_greeting/src/lib.rs",
            work_dir.display()
        ),
    ];
    let prober = format!(
        r#"pub fn greeting(name: &str) -> String {{
    let mut seen = Vec::new();
    for path in {secrets:?} {{
        if std::fs::read(path).is_ok() {{
            seen.push(path.to_string());
        }}
    }}
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if status.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0")) {{
        seen.push("uid 0".into());
    }}
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {{
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains("honest_after") {{
            seen.push(format!("{{}}/cmdline", entry.path().display()));
        }}
    }}
    // rustc's caches of earlier submissions' lessons, beside the checks.
    let exe = std::env::current_exe().unwrap_or_default();
    if let Some(debug) = exe.parent().and_then(|deps| deps.parent()) {{
        let caches = std::fs::read_dir(debug.join("incremental")).into_iter().flatten().count();
        if caches > 0 {{
            seen.push(format!("{{}} caches in {{}}/incremental", caches, debug.display()));
        }}
    }}
    for entry in std::fs::read_dir("{home}").into_iter().flatten().flatten() {{
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != ".cargo" && name != ".rustup" {{
            seen.push(format!("{home}/{{name}}"));
        }}
    }}
    if seen.is_empty() {{
        format!("Hello, {{name}}!")
    }} else {{
        format!("saw {{seen:?}}")
    }}
}}
"#
    );
    cheater("prober", &|s| {
        write(s, "exercises/02_greeting/src/lib.rs", &prober)
    });

    // 12. Submissions made to take the grader down (finding 4): a folder
    // nested 2,000 deep in a protected area, as a folder and as a zip, and a
    // sparse file far bigger than memory in place of a protected file.
    cheater("deep_folder", &|s| {
        let tests = s.join("exercises/01_answer/tests");
        let made = std::process::Command::new("sh")
            .arg("-c")
            .arg("for i in $(seq 2000); do mkdir d && cd d || exit 1; done; echo x > f")
            .current_dir(&tests)
            .status()
            .unwrap();
        assert!(made.success());
    });
    cheater("sparse_file", &|s| {
        let file = std::fs::File::create(s.join("exercises/01_answer/tests/check.rs")).unwrap();
        file.set_len(64 << 30).unwrap();
    });
    let mut args: Vec<PathBuf> = Vec::new();
    let deep_zip = subs.join("deep_zip.zip");
    {
        use std::io::Write;
        let clone = solved(tmp.path(), "deep_zip_source");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&deep_zip).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        for (rel, bytes) in common::tree(&clone) {
            zip.start_file(format!("wb/{}", rel.display()), options)
                .unwrap();
            zip.write_all(&bytes).unwrap();
        }
        let deep = "d/".repeat(2000);
        zip.add_directory(format!("wb/exercises/01_answer/tests/{deep}"), options)
            .unwrap();
        zip.start_file(format!("wb/exercises/01_answer/tests/{deep}f"), options)
            .unwrap();
        zip.write_all(b"x").unwrap();
        zip.finish().unwrap();
    }
    cheaters.push(("deep_zip", deep_zip));

    // Each cheater is followed by an honest submission, in the same job.
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
        // Small limits for the whole tree of each step, so that the attacks
        // on them stay small on a shared machine.
        .env("FFI_WORKBOOK_GRADE_MEMORY_MIB", "1536")
        .env("FFI_WORKBOOK_GRADE_PROCESSES", "256")
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

/// The honest submission after `cheater` has full marks and no flags, and
/// the instructor's copy is unchanged (whatever the cheater's own verdicts).
fn followers_unharmed(batch: &Batch, cheater: &str) {
    let honest = submission(batch, &format!("honest_after_{cheater}"));
    assert_eq!(
        honest["score"], 3,
        "the honest one after {cheater}: {honest:#}"
    );
    assert_eq!(honest["flags"].as_array().unwrap().len(), 0, "{honest:#}");
    assert!(batch.before == batch.after, "the instructor's copy changed");
}

/// Did the batch bound each step with a cgroup? Where the grader may make
/// none (no rights, no controllers), the report says so, and the tests of
/// those limits say they were skipped (or fail where
/// FFI_WORKBOOK_REQUIRE_TOOLS names `cgroup`).
fn cgroups(batch: &Batch) -> bool {
    let sandbox = batch.report["sandbox"].as_str().unwrap_or("");
    let found = sandbox.contains("cgroup v");
    if !found {
        workbook_support::testing::skip_without(
            "cgroup",
            &format!("the grader could make no cgroup here ({sandbox})"),
        );
    }
    found
}

#[test]
fn a_fork_bomb_is_held_by_the_process_limit_and_flagged() {
    let Some(batch) = batch() else { return };
    if !cgroups(batch) {
        return;
    }
    contained(batch, "fork_bomb", ["failed", "passed", "passed"]);
    let text = detail(batch, "fork_bomb", 0);
    assert!(text.contains("processes"), "{text}");
    let found = flags(submission(batch, "fork_bomb"), "suspicious");
    assert!(
        found.iter().any(|f| f.contains("limit of 256 processes")),
        "{found:?}"
    );
    assert_eq!(processes_with("30.0271"), Vec::<String>::new());
}

#[test]
fn memory_is_limited_for_the_whole_tree_of_a_step() {
    let Some(batch) = batch() else { return };
    if !cgroups(batch) {
        return;
    }
    contained(batch, "memory_spread", ["failed", "passed", "passed"]);
    let text = detail(batch, "memory_spread", 0);
    assert!(text.contains("1536 MiB of memory"), "{text}");
    let found = flags(submission(batch, "memory_spread"), "suspicious");
    assert!(
        found.iter().any(|f| f.contains("memory limit")),
        "{found:?}"
    );
    contained(
        batch,
        "memory_in_build_script",
        ["passed", "passed", "failed"],
    );
    let text = detail(batch, "memory_in_build_script", 2);
    assert!(text.contains("1536 MiB of memory"), "{text}");
}

#[test]
fn a_library_planted_in_a_target_folder_reaches_no_later_compiler() {
    let Some(batch) = batch() else { return };
    let cheater = submission(batch, "plants_libdl");
    assert_eq!(verdicts(cheater)[..2], ["passed", "passed"], "{cheater:#}");
    followers_unharmed(batch, "plants_libdl");
}

#[test]
fn learner_code_sees_only_what_it_needs_and_is_not_root() {
    let Some(batch) = batch() else { return };
    contained(batch, "prober", ["passed", "passed", "passed"]);
}

#[test]
fn deep_folders_and_huge_files_do_not_take_the_grader_down() {
    let Some(batch) = batch() else { return };
    contained(batch, "deep_folder", ["passed", "passed", "passed"]);
    let found = flags(submission(batch, "deep_folder"), "file_not_taken");
    assert!(found.iter().any(|f| f.contains("deep")), "{found:?}");
    contained(batch, "sparse_file", ["passed", "passed", "passed"]);
    let found = flags(submission(batch, "sparse_file"), "protected_file_changed");
    assert_eq!(found.len(), 1, "{found:?}");
    let zipped = submission(batch, "deep_zip");
    assert_eq!(verdicts(zipped), ["missing", "missing", "missing"]);
    let error = zipped["error"].as_str().unwrap();
    assert!(error.contains("deep"), "{error}");
    followers_unharmed(batch, "deep_zip");
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
    assert!(sandbox.contains("allow-list"), "{sandbox}");
    // As root, learner code runs as nobody; otherwise as the grader's user.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        assert!(sandbox.contains("as uid 65534"), "{sandbox}");
    }
    assert!(batch.stdout.contains("sandbox: bubblewrap"));
}

#[test]
fn a_batch_stopped_midway_resumes_where_it_stopped() {
    if !common::tool_available("bwrap", "grading in the sandbox") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let instructor = tmp.path().join("instructor");
    common::copy_dir(&common::grading_fixture(), &instructor);
    let first = solved(tmp.path(), "first");
    let slow = solved(tmp.path(), "slow");
    write(
        &slow,
        "exercises/01_answer/src/lib.rs",
        "pub fn answer() -> i32 {\n    std::thread::sleep(std::time::Duration::from_secs(60));\n    42\n}\n",
    );
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cheating-work");
    let report = tmp.path().join("report.json");
    let grade = || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_checker"));
        command
            .arg("--workbook")
            .arg(&instructor)
            .args(["--timeout", "5", "grade", "--jobs", "1", "--work-dir"])
            .arg(&work)
            .arg("--out")
            .arg(&report)
            .arg(&first)
            .arg(&slow)
            .env_remove("CARGO_TARGET_DIR");
        command
    };
    // The first run is stopped hard while it grades the slow one, once the
    // first is in the journal.
    let mut running = grade()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let source = first.display().to_string();
    let journaled = || {
        std::fs::read_dir(&work)
            .into_iter()
            .flatten()
            .flatten()
            .any(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                name.starts_with("journal-")
                    && std::fs::read_to_string(entry.path())
                        .is_ok_and(|text| text.contains(&source))
            })
    };
    let start = std::time::Instant::now();
    while !journaled() {
        assert!(running.try_wait().unwrap().is_none(), "the first run ended");
        assert!(start.elapsed().as_secs() < 900, "nothing was journaled");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    running.kill().unwrap();
    running.wait().unwrap();
    assert!(!report.exists(), "the stopped run wrote a report");
    let again = grade().output().unwrap();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("Resuming an earlier run of this batch: 1 of 2"),
        "{stderr}"
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(
        verdicts(common::submission(&report, "first")),
        ["passed"; 3]
    );
    let slow = common::submission(&report, "slow");
    assert_eq!(
        verdicts(slow),
        ["timed_out", "passed", "passed"],
        "{slow:#}"
    );
    // Finished: the journal is gone, and a new run grades afresh.
    assert!(!journaled());
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
    // A binary that cargo built from another clone (this one) works on the
    // clone it is run in, as `cargo run` there would run it.
    Command::cargo_bin("checker")
        .unwrap()
        .current_dir(&copy)
        .env_remove("FFI_WORKBOOK_ROOT")
        .env("CARGO_MANIFEST_DIR", copy.join("checker"))
        .args(["hint", "greeting"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Say hello."));
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

#[test]
fn learner_code_cannot_call_its_failure_the_machines() {
    let Some(batch) = batch() else { return };
    contained(
        batch,
        "claims_no_compiler",
        ["passed", "passed", "compile_error"],
    );
    contained(
        batch,
        "claims_no_linker",
        ["compile_error", "passed", "passed"],
    );
    assert!(
        detail(batch, "claims_no_linker", 0).contains("linker `cc` not found"),
        "{}",
        detail(batch, "claims_no_linker", 0)
    );
}

#[test]
fn text_a_submission_writes_is_made_safe_before_anyone_sees_it() {
    let Some(batch) = batch() else { return };
    let sub = submission(batch, "injects_text");
    assert_eq!(verdicts(sub)[1], "crashed", "{sub:#}");
    assert!(!batch.stdout.contains('\u{1b}'), "{}", batch.stdout);
    let json = sub.to_string();
    assert!(!json.contains("\\u001b"), "{json}");
    assert!(!json.contains("```"), "{json}");
    let detail = detail(batch, "injects_text", 1);
    assert!(detail.contains("| honest | 3/3 |"), "{detail}");
    let added = flags(sub, "file_not_taken");
    assert!(
        added
            .iter()
            .any(|f| f.contains(r#""exercises/02_greeting/notes\u{1b}[2J.txt""#)),
        "{added:?}"
    );
    let honest = submission(batch, "honest_after_injects_text");
    assert_eq!(honest["score"], 3, "{honest:#}");
}
