//! Helpers shared by the lesson crates.
//!
//! Two jobs: say where the C artifacts built from `csrc/` live (so every
//! lesson, the checker and the Makefile agree on one folder), and give the
//! lessons' snapshot tests one set of redactions (addresses and times change
//! on every run, so they are replaced before a snapshot is compared). The
//! `testing` module holds the checks several lessons make the same way.

use std::fmt;
use std::path::{Path, PathBuf};

pub mod memcheck;
pub mod probe;
pub mod testing;

/// The environment variable the checker sets to the folder holding the C
/// artifacts. When it is unset (a learner running `cargo run -p CRATE`), the
/// workbook's own `build/` folder is used.
pub const C_DIR_ENV: &str = "FFI_WORKBOOK_C_DIR";

/// The workbook the running program belongs to, found when it runs: up from
/// the package cargo runs it for (`CARGO_MANIFEST_DIR`, which `cargo test`
/// and `cargo run` set), else up from the current folder (the checker runs
/// a lesson's programs in its crate). Nothing is compiled in: a test
/// program built by one clone and run in another finds the other's C.
pub fn workbook_root() -> Option<PathBuf> {
    let starts = [
        std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
        std::env::current_dir().ok(),
    ];
    starts.into_iter().flatten().find_map(|start| {
        start
            .ancestors()
            .find(|dir| {
                dir.join("exercises").is_dir()
                    && dir.join("csrc").is_dir()
                    && dir.join("Cargo.toml").is_file()
            })
            .map(Path::to_path_buf)
    })
}

/// `rel` in the workbook (or, outside one, relative to the current folder).
fn in_workbook(rel: &str) -> PathBuf {
    workbook_root().unwrap_or_default().join(rel)
}

/// The folder that `checker build-c` and `make` write the C artifacts into.
pub fn c_build_dir() -> PathBuf {
    match std::env::var_os(C_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => in_workbook("build"),
    }
}

/// The file name a shared library called `name` has on this platform:
/// `libname.so` on Linux, `libname.dylib` on macOS, `name.dll` on Windows.
pub fn shared_library_file_name(name: &str) -> String {
    format!(
        "{}{name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// A C artifact that has not been built yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotBuilt {
    pub path: PathBuf,
}

impl fmt::Display for NotBuilt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} has not been built yet. Build the C libraries with \
             `cargo run -p checker -- build-c` (or `make`), then try again.",
            self.path.display()
        )
    }
}

impl std::error::Error for NotBuilt {}

fn existing(path: PathBuf) -> Result<PathBuf, NotBuilt> {
    if path.is_file() {
        Ok(path)
    } else {
        Err(NotBuilt { path })
    }
}

/// The path of the prebuilt shared library `name` (for example `"ABI_add"`),
/// or an error that says which command builds it.
pub fn shared_library_path(name: &str) -> Result<PathBuf, NotBuilt> {
    existing(c_build_dir().join(shared_library_file_name(name)))
}

/// The path of the C program `name` built from `csrc/NAME.c`.
pub fn c_program_path(name: &str) -> Result<PathBuf, NotBuilt> {
    existing(c_build_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
}

/// The environment variable naming where lesson programs write files they
/// make (pictures, data). The checker sets it; the default is `build/output/`.
pub const OUTPUT_DIR_ENV: &str = "FFI_WORKBOOK_OUT_DIR";

/// Where a lesson program writes the files it makes. Never inside
/// `exercises/`, so that writing them does not look like a learner's save.
/// The folder is created if it does not exist yet.
pub fn output_dir() -> std::io::Result<PathBuf> {
    let dir = match std::env::var_os(OUTPUT_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => in_workbook("build/output"),
    };
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Snapshot settings every lesson uses: addresses become `[address]`,
/// durations (as `Duration`'s `{:?}` prints them, `12.3ms`) become `[time]`,
/// and this system's shared-library file names read as Linux's.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"0x[0-9a-fA-F]+", "[address]");
    settings.add_filter(r"\b\d+(\.\d+)?(ns|µs|us|ms|s)\b", "[time]");
    // A shared library's file name is written as Linux's (`libABI_add.so`),
    // so that one snapshot holds on every system.
    if cfg!(target_vendor = "apple") {
        settings.add_filter(r"\blib(\w+)\.dylib\b", "lib$1.so");
    } else if cfg!(windows) {
        settings.add_filter(r"\b(\w+)\.dll\b", "lib$1.so");
    }
    settings.set_prepend_module_to_snapshot(false);
    settings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_the_platform() {
        let name = shared_library_file_name("ABI_add");
        if cfg!(target_os = "linux") {
            assert_eq!(name, "libABI_add.so");
        } else if cfg!(target_os = "macos") {
            assert_eq!(name, "libABI_add.dylib");
        } else if cfg!(windows) {
            assert_eq!(name, "ABI_add.dll");
        }
    }

    #[test]
    fn missing_library_names_the_build_command() {
        let err = existing(PathBuf::from("/nonexistent/libx.so")).unwrap_err();
        assert!(err.to_string().contains("checker -- build-c"));
    }

    #[test]
    fn library_file_names_read_as_linux_ones() {
        let line = format!("opened {}", shared_library_file_name("ABI_add"));
        snapshot_settings().bind(|| {
            insta::assert_snapshot!(line, @"opened libABI_add.so");
        });
    }

    #[test]
    fn redactions_hide_addresses_and_times() {
        snapshot_settings().bind(|| {
            insta::assert_snapshot!(
                "redactions",
                "at 0x7ffee11d36bc after 12.5ms and 3s and 250µs, 2 items"
            );
        });
    }
}
