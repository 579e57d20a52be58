//! Builds the C artifacts the lessons need from `csrc/` into one folder:
//! programs (`csrc/NAME.c` -> `NAME`) and shared libraries
//! (`csrc/NAME.c` -> `libNAME.so`, `.dylib`, `NAME.dll`).
//!
//! `cc` finds the compiler and its flags for this platform; it only makes
//! static libraries, so we run its compiler command ourselves with the flags
//! for a program or a shared library, which also lets us show the compiler's
//! own message when the C does not compile.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::workbook::CArtifact;

/// Why the C could not be built.
#[derive(Debug)]
pub enum CBuildError {
    /// No working C compiler: an environment problem, not the learner's.
    NoCompiler(String),
    /// A source file named by a lesson is missing.
    MissingSource(PathBuf),
    /// The compiler ran and refused the code; `output` is its message.
    Compile {
        source: PathBuf,
        output: String,
    },
    Io(std::io::Error),
}

impl std::fmt::Display for CBuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CBuildError::NoCompiler(why) => write!(
                f,
                "No C compiler was found ({why}).\n\
                 Install one and try again: on Debian or Ubuntu `sudo apt install build-essential`, \
                 on Fedora `sudo dnf install gcc`, on macOS `xcode-select --install`. \
                 To use a particular compiler, set CC (for example `CC=clang`)."
            ),
            CBuildError::MissingSource(path) => write!(
                f,
                "The C source {} is missing. It belongs to the workbook: restore it with \
                 `git checkout -- {}`.",
                path.display(),
                path.display()
            ),
            CBuildError::Compile { source, output } => write!(
                f,
                "The C compiler could not compile {}:\n{}",
                source.display(),
                output.trim_end()
            ),
            CBuildError::Io(err) => write!(f, "Building the C failed: {err}"),
        }
    }
}

impl std::error::Error for CBuildError {}

impl From<std::io::Error> for CBuildError {
    fn from(err: std::io::Error) -> Self {
        CBuildError::Io(err)
    }
}

/// What happened to one artifact.
#[derive(Debug, PartialEq, Eq)]
pub enum Built {
    Fresh,
    Rebuilt,
}

/// Builds `artifacts` from `csrc_dir` into `out_dir`, skipping those newer
/// than their source and every header in `csrc/`.
pub fn build_all(
    csrc_dir: &Path,
    out_dir: &Path,
    artifacts: &[CArtifact],
) -> Result<Vec<(CArtifact, Built)>, CBuildError> {
    std::fs::create_dir_all(out_dir)?;
    let headers_time = newest_header(csrc_dir)?;
    let mut results = Vec::new();
    for artifact in artifacts {
        let source = csrc_dir.join(format!("{}.c", artifact.source_name()));
        if !source.is_file() {
            return Err(CBuildError::MissingSource(source));
        }
        let output = out_dir.join(artifact.file_name());
        let inputs_time = modified(&source)?.max(headers_time);
        let fresh = output.is_file() && modified(&output)? >= inputs_time;
        if fresh {
            results.push((artifact.clone(), Built::Fresh));
            continue;
        }
        compile(csrc_dir, &source, &output, artifact)?;
        results.push((artifact.clone(), Built::Rebuilt));
    }
    Ok(results)
}

fn compile(
    csrc_dir: &Path,
    source: &Path,
    output: &Path,
    artifact: &CArtifact,
) -> Result<(), CBuildError> {
    let (mut command, gnu_like) = compiler_command()?;
    command.arg("-I").arg(csrc_dir);
    if gnu_like {
        // No fused multiply-add: the C must compute exactly what the lessons'
        // pure-Rust versions compute (clang fuses by default on ARM).
        command.arg("-ffp-contract=off");
    }
    if let CArtifact::Library(_) = artifact {
        // Position-independent code in a shared object, as the source's Makefile does.
        command.args(["-fPIC", "-shared"]);
    }
    // Write to a temporary name and rename, so a failed or interrupted build
    // never leaves a half-written library for a lesson to load.
    let partial = output.with_extension("partial");
    command.arg("-o").arg(&partial).arg(source);
    command.env("LC_ALL", "C");
    let result = command.output().map_err(|err| {
        CBuildError::NoCompiler(format!(
            "{} could not be started: {err}",
            command_name(&command)
        ))
    })?;
    if !result.status.success() {
        let _ = std::fs::remove_file(&partial);
        let mut message = String::from_utf8_lossy(&result.stderr).into_owned();
        message.push_str(&String::from_utf8_lossy(&result.stdout));
        return Err(CBuildError::Compile {
            source: source.to_path_buf(),
            output: message,
        });
    }
    std::fs::rename(&partial, output)?;
    Ok(())
}

/// The platform's C compiler with cc's flags for this target (optimised,
/// warnings on), honouring CC and CFLAGS as cc does; and whether it takes
/// GCC-style flags.
fn compiler_command() -> Result<(Command, bool), CBuildError> {
    let compiler = cc::Build::new()
        .target(env!("CHECKER_TARGET"))
        .host(env!("CHECKER_HOST"))
        .opt_level(3)
        .warnings(true)
        .cargo_metadata(false)
        .cargo_warnings(false)
        .try_get_compiler()
        .map_err(|err| CBuildError::NoCompiler(err.to_string()))?;
    let command = compiler.to_command();
    // Probe that the compiler exists before we blame the learner's C.
    let mut probe = compiler.to_command();
    probe.arg("--version");
    match probe.output() {
        Ok(out) if out.status.success() => {
            Ok((command, compiler.is_like_gnu() || compiler.is_like_clang()))
        }
        Ok(_) | Err(_) => Err(CBuildError::NoCompiler(format!(
            "`{}` did not run",
            compiler.path().display()
        ))),
    }
}

fn command_name(command: &Command) -> String {
    command.get_program().to_string_lossy().into_owned()
}

fn modified(path: &Path) -> std::io::Result<SystemTime> {
    std::fs::metadata(path)?.modified()
}

fn newest_header(csrc_dir: &Path) -> Result<SystemTime, CBuildError> {
    let mut newest = SystemTime::UNIX_EPOCH;
    let Ok(entries) = std::fs::read_dir(csrc_dir) else {
        return Ok(newest);
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "h") {
            newest = newest.max(modified(&path)?);
        }
    }
    Ok(newest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn builds_programs_and_libraries_then_skips_fresh_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let csrc = tmp.path().join("csrc");
        std::fs::create_dir(&csrc).unwrap();
        write(
            &csrc,
            "hello.c",
            "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n",
        );
        write(&csrc, "twice.c", "int twice(int x){return 2*x;}\n");
        let out = tmp.path().join("build");
        let wanted = [
            CArtifact::Program("hello".into()),
            CArtifact::Library("twice".into()),
        ];
        let first = build_all(&csrc, &out, &wanted).unwrap();
        assert!(first.iter().all(|(_, built)| *built == Built::Rebuilt));
        let ran = Command::new(out.join("hello")).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&ran.stdout), "hi\n");
        assert!(out.join(wanted[1].file_name()).is_file());
        let second = build_all(&csrc, &out, &wanted).unwrap();
        assert!(second.iter().all(|(_, built)| *built == Built::Fresh));
    }

    #[test]
    fn compile_errors_carry_the_compilers_message() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "broken.c",
            "int broken(void) { return nope; }\n",
        );
        let err = build_all(
            tmp.path(),
            &tmp.path().join("build"),
            &[CArtifact::Library("broken".into())],
        )
        .unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, CBuildError::Compile { .. }), "{message}");
        assert!(message.contains("'nope' undeclared"), "{message}");
    }

    #[test]
    fn a_missing_source_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        let err =
            build_all(tmp.path(), tmp.path(), &[CArtifact::Program("gone".into())]).unwrap_err();
        assert!(matches!(err, CBuildError::MissingSource(_)));
        assert!(err.to_string().contains("gone.c"));
    }
}
