//! bindgen needs libclang when build.rs runs. On a machine without it, the
//! build must stop with a message that says what to install (and, with the
//! `environment:` prefix, the checker blames the machine, not your code).
//!
//! This runs the lesson's own build script again (build.rs tells the tests
//! where it is) with `LIBCLANG_PATH` set to an empty folder: clang-sys then
//! looks for libclang there and nowhere else, as on a machine without it.

use std::process::Command;

#[test]
fn a_missing_libclang_stops_the_build_with_what_to_install() {
    let empty = std::env::temp_dir().join(format!(
        "ffi-workbook-no-libclang-here-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&empty).expect("a scratch folder");
    let output = Command::new(env!("GENERATED_BINDINGS_BUILD_SCRIPT"))
        .env("LIBCLANG_PATH", &empty)
        // Where a build script may write; it must not get that far.
        .env("OUT_DIR", &empty)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the lesson's build script runs");
    let printed = String::from_utf8_lossy(&output.stdout);
    let _ = std::fs::remove_dir_all(&empty);
    let error_line = printed
        .lines()
        .find(|line| line.starts_with("cargo::error="))
        .unwrap_or_else(|| {
            panic!("without libclang, build.rs should stop with a cargo::error line. It printed:\n{printed}")
        });
    for words in [
        "cargo::error=environment: libclang is not installed",
        "sudo apt install libclang-dev",
        "sudo dnf install clang-devel",
        "xcode-select --install",
        "LIBCLANG_PATH",
    ] {
        assert!(
            error_line.contains(words),
            "the missing-libclang message should say `{words}`. It is:\n{error_line}"
        );
    }
    assert!(
        !printed.contains("cargo:rustc-link-lib"),
        "without libclang, build.rs should stop before compiling any C. It printed:\n{printed}"
    );
}
