//! Builds the C artifacts the lessons need from `csrc/` into one folder:
//! programs (`csrc/NAME.c` -> `NAME`) and shared libraries
//! (`csrc/NAME.c` -> `libNAME.so`, `.dylib`, `NAME.dll`).
//!
//! `cc` finds the compiler, its family and its flags for this platform; it
//! only makes static libraries, so we run its compiler command ourselves with
//! the flags for a program or a shared library (`compile_args`, one pure
//! function per family and system), which also lets us show the compiler's
//! own message when the C does not compile.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
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
                 on Fedora `sudo dnf install gcc`, on macOS `xcode-select --install`, \
                 on Windows the Visual Studio Build Tools with the \"Desktop development \
                 with C++\" workload (the one rustup's installer asks for). To use a particular compiler, set CC (for example `CC=clang`)."
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
    // A library built for ASan cannot be loaded without its runtime, nor
    // the other way round: a change of mode rebuilds everything.
    let (triple, os) = c_target();
    let mode = format!("{} {triple}", if asan_mode() { "asan" } else { "plain" });
    let stamp = out_dir.join(".memcheck-mode");
    let same_mode = std::fs::read_to_string(&stamp).is_ok_and(|old| old == mode);
    let headers_time = if same_mode {
        newest_header(csrc_dir)?
    } else {
        SystemTime::now()
    };
    // Found once, and only when something needs building.
    let mut compiler = None;
    let mut results = Vec::new();
    for artifact in artifacts {
        let source = csrc_dir.join(format!("{}.c", artifact.source_name()));
        if !source.is_file() {
            return Err(CBuildError::MissingSource(source));
        }
        let inputs_time = modified(&source)?.max(headers_time);
        if is_fresh(out_dir, &os.output_files(artifact), inputs_time)? {
            results.push((artifact.clone(), Built::Fresh));
            continue;
        }
        let compiler = match &compiler {
            Some(compiler) => compiler,
            None => compiler.insert(Compiler::find(&triple)?),
        };
        let job = CompileJob {
            artifact,
            source: &source,
            include: csrc_dir,
            dir: out_dir,
        };
        compile(compiler, os, &job)?;
        results.push((artifact.clone(), Built::Rebuilt));
    }
    // Only once everything is built in this mode.
    if !same_mode {
        std::fs::write(&stamp, mode)?;
    }
    Ok(results)
}

/// The environment variable naming the target triple to build the C for,
/// when it is not the checker's own: CI builds Windows DLLs with mingw on
/// Linux (`x86_64-pc-windows-gnu`) for the Windows test programs it runs
/// under Wine.
pub const C_TARGET_ENV: &str = "FFI_WORKBOOK_C_TARGET";

/// The target triple the C is built for, and its system.
fn c_target() -> (String, TargetOs) {
    match std::env::var(C_TARGET_ENV) {
        Ok(triple) if !triple.is_empty() => {
            let os = TargetOs::of_triple(&triple);
            (triple, os)
        }
        _ => (env!("CHECKER_TARGET").to_string(), TargetOs::this()),
    }
}

/// Every file of the artifact exists and is newer than its inputs.
fn is_fresh(dir: &Path, files: &[String], inputs_time: SystemTime) -> std::io::Result<bool> {
    for file in files {
        let path = dir.join(file);
        if !path.is_file() || modified(&path)? < inputs_time {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The compiler families whose command lines differ. Apple Clang is Clang:
/// on macOS both take the same flags, and the target decides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Gnu,
    Clang,
    /// `cl.exe`, or `clang-cl`, which takes cl's flags.
    Msvc,
}

/// The systems whose programs and shared libraries are made differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetOs {
    /// Linux and the other ELF systems: `libNAME.so`.
    Linux,
    /// `libNAME.dylib`, found through its `@rpath` install name.
    MacOs,
    /// Windows with Microsoft's linker: `NAME.dll`, linked through `NAME.lib`.
    WindowsMsvc,
    /// Windows with MinGW: `NAME.dll`, which GNU ld links against directly.
    WindowsGnu,
}

impl TargetOs {
    /// The system the checker, and so the lessons, are built for.
    pub fn this() -> TargetOs {
        if cfg!(all(windows, target_env = "msvc")) {
            TargetOs::WindowsMsvc
        } else if cfg!(windows) {
            TargetOs::WindowsGnu
        } else if cfg!(target_vendor = "apple") {
            TargetOs::MacOs
        } else {
            TargetOs::Linux
        }
    }

    /// The system a target triple names.
    pub fn of_triple(triple: &str) -> TargetOs {
        if triple.contains("windows") && triple.ends_with("msvc") {
            TargetOs::WindowsMsvc
        } else if triple.contains("windows") {
            TargetOs::WindowsGnu
        } else if triple.contains("apple") {
            TargetOs::MacOs
        } else {
            TargetOs::Linux
        }
    }

    fn is_windows(self) -> bool {
        matches!(self, TargetOs::WindowsMsvc | TargetOs::WindowsGnu)
    }

    /// The file a program or a library is written to: `pointers.exe`, `libABI_add.so`...
    pub fn file_name(self, artifact: &CArtifact) -> String {
        match (artifact, self) {
            (CArtifact::Program(name), os) if os.is_windows() => format!("{name}.exe"),
            (CArtifact::Program(name), _) => name.clone(),
            (CArtifact::Library(name), TargetOs::Linux) => format!("lib{name}.so"),
            (CArtifact::Library(name), TargetOs::MacOs) => format!("lib{name}.dylib"),
            (CArtifact::Library(name), _) => format!("{name}.dll"),
        }
    }

    /// The import library a linker links against a DLL through
    /// (`cargo:rustc-link-lib=dylib=NAME` looks for `NAME.lib` with
    /// Microsoft's linker, and `libNAME.dll.a` first with GNU ld, which
    /// would otherwise take the DLL itself).
    pub fn import_library(self, artifact: &CArtifact) -> Option<String> {
        match (artifact, self) {
            (CArtifact::Library(name), TargetOs::WindowsMsvc) => Some(format!("{name}.lib")),
            (CArtifact::Library(name), TargetOs::WindowsGnu) => Some(format!("lib{name}.dll.a")),
            _ => None,
        }
    }

    /// Every file a build of `artifact` leaves: the import library (if any),
    /// then the file that is run or loaded.
    pub fn output_files(self, artifact: &CArtifact) -> Vec<String> {
        let mut files: Vec<String> = self.import_library(artifact).into_iter().collect();
        files.push(self.file_name(artifact));
        files
    }
}

/// One artifact to compile from `source` into `dir`, with headers from `include`.
#[derive(Debug, Clone, Copy)]
pub struct CompileJob<'a> {
    pub artifact: &'a CArtifact,
    pub source: &'a Path,
    pub include: &'a Path,
    pub dir: &'a Path,
}

/// The compiler arguments, after cc's own (optimisation, warnings, target),
/// that build `job` with a compiler of `family` for `os`.
///
/// Every family gets the same promise: no fused multiply-add, so the C
/// computes exactly what the lessons' pure-Rust versions compute (clang fuses
/// by default on ARM).
/// A Windows DLL is built with WORKBOOK_DLL defined, which makes
/// `csrc/dll_export.h` mark its functions for export.
pub fn compile_args(family: Family, os: TargetOs, job: &CompileJob) -> Vec<OsString> {
    let file_name = os.file_name(job.artifact);
    let output = job.dir.join(&file_name);
    let import = os.import_library(job.artifact).map(|lib| job.dir.join(lib));
    let library = matches!(job.artifact, CArtifact::Library(_));
    let mut args: Vec<OsString> = Vec::new();
    match family {
        Family::Gnu | Family::Clang => {
            args.push(joined("-I", job.include));
            args.push("-ffp-contract=off".into());
            if library && os.is_windows() {
                args.push("-DWORKBOOK_DLL".into());
            }
            if library {
                match os {
                    // Position-independent code in a shared object, as the source's Makefile does.
                    TargetOs::Linux => args.extend(["-fPIC".into(), "-shared".into()]),
                    // The install name is what a program linked against the
                    // library records; @rpath makes the loader search the
                    // program's rpath (lesson 3's build.rs adds build/).
                    TargetOs::MacOs => args.extend([
                        "-dynamiclib".into(),
                        format!("-Wl,-install_name,@rpath/{file_name}").into(),
                    ]),
                    TargetOs::WindowsGnu => {
                        args.push("-shared".into());
                        args.extend(import.map(|lib| joined("-Wl,--out-implib,", lib)));
                    }
                    // clang for an MSVC target links with Microsoft's linker.
                    TargetOs::WindowsMsvc => {
                        args.push("-shared".into());
                        args.extend(import.map(|lib| joined("-Wl,/IMPLIB:", lib)));
                    }
                }
            }
            args.extend(["-o".into(), output.into(), job.source.into()]);
        }
        Family::Msvc => {
            args.extend(["/I".into(), job.include.into()]);
            // No contraction into fma: what /fp:precise promises from VS 2022
            // 17.0 on (and x64's default instruction set has no fma to use).
            args.push("/fp:precise".into());
            if library {
                args.extend(["/DWORKBOOK_DLL".into(), "/LD".into()]);
            }
            args.push(joined("/Fe:", output));
            // The object file goes beside the output, not into the current folder.
            let mut objects = joined("/Fo:", job.dir);
            objects.push("\\");
            args.extend([objects, job.source.into()]);
            if let Some(lib) = import {
                // Everything after /link goes to the linker.
                args.extend(["/link".into(), joined("/IMPLIB:", lib)]);
            }
        }
    }
    args
}

/// `-I` and a path, as one argument.
fn joined(flag: &str, value: impl AsRef<OsStr>) -> OsString {
    let mut arg = OsString::from(flag);
    arg.push(value);
    arg
}

/// The variables to set for the lessons' builds and programs: on Windows,
/// PATH, so that learner programs find the C's DLLs in `c_dir` when they
/// start (Windows has no rpath: its loader searches the program's folder,
/// then PATH; elsewhere the rpath, and on macOS the `@rpath` install name,
/// recorded at link time finds the library); and in an AddressSanitizer
/// build ([`asan_mode`]) what makes cargo build one.
pub fn library_search_env(c_dir: &Path) -> Vec<(OsString, OsString)> {
    let c_dir = std::path::absolute(c_dir).unwrap_or_else(|_| c_dir.to_path_buf());
    // A canonical Windows path starts with \\?\, which the DLL search may not take.
    let c_dir = dunce::simplified(&c_dir);
    let mut env: Vec<(OsString, OsString)> =
        library_search_env_for(TargetOs::this(), c_dir, std::env::var_os("PATH"))
            .into_iter()
            .collect();
    if asan_mode() {
        let var = |name: &str| std::env::var(name).ok();
        env.extend(
            workbook_support::memcheck::asan_build_env(
                var("CFLAGS").as_deref(),
                var("RUSTFLAGS").as_deref(),
            )
            .into_iter()
            .map(|(key, value)| (key.into(), value.into())),
        );
    }
    env
}

/// Whether the lessons are built with AddressSanitizer for their memory
/// checks: when `FFI_WORKBOOK_MEMCHECK=asan`, or, unless it says `valgrind`,
/// where valgrind is missing and the C compiler links an ASan program (on
/// Linux and macOS; on Windows only when asked, as MSVC's ASan is untested).
pub fn asan_mode() -> bool {
    static MODE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *MODE.get_or_init(|| {
        choose_asan(
            std::env::var(workbook_support::memcheck::MEMCHECK_ENV).ok(),
            cfg!(unix),
            workbook_support::memcheck::available,
            compiler_has_asan,
        )
    })
}

/// [`asan_mode`]'s choice, from what `FFI_WORKBOOK_MEMCHECK` says, whether
/// this is Unix, and (asked only when needed) whether valgrind is installed
/// and the compiler has ASan.
fn choose_asan(
    asked: Option<String>,
    unix: bool,
    valgrind: impl FnOnce() -> bool,
    compiler_has_asan: impl FnOnce() -> bool,
) -> bool {
    match asked.as_deref() {
        Some("asan") => true,
        Some("valgrind") => false,
        _ => unix && !valgrind() && compiler_has_asan(),
    }
}

/// Whether the C compiler builds and links a program with `-fsanitize=address`.
fn compiler_has_asan() -> bool {
    let Ok(compiler) = Compiler::find(env!("CHECKER_TARGET")) else {
        return false;
    };
    let Ok(dir) = tempfile::tempdir() else {
        return false;
    };
    let source = dir.path().join("probe.c");
    if std::fs::write(&source, "int main(void) { return 0; }\n").is_err() {
        return false;
    }
    let mut command = compiler.tool.to_command();
    command
        .args(workbook_support::memcheck::ASAN_CFLAGS.split(' '))
        .arg("-o")
        .arg(dir.path().join("probe"))
        .arg(&source);
    command.output().is_ok_and(|out| out.status.success())
}

/// The compiler arguments that build the C for AddressSanitizer.
fn sanitizer_args(family: Family) -> Vec<OsString> {
    match family {
        Family::Gnu | Family::Clang => workbook_support::memcheck::ASAN_CFLAGS
            .split(' ')
            .map(OsString::from)
            .collect(),
        // Visual Studio 2019 16.9 and later; written for, not run.
        Family::Msvc => vec!["/fsanitize=address".into(), "/Zi".into()],
    }
}

fn library_search_env_for(
    os: TargetOs,
    c_dir: &Path,
    path: Option<OsString>,
) -> Option<(OsString, OsString)> {
    if !os.is_windows() {
        return None;
    }
    let mut value = c_dir.as_os_str().to_owned();
    if let Some(path) = path.filter(|path| !path.is_empty()) {
        value.push(";");
        value.push(path);
    }
    Some(("PATH".into(), value))
}

/// Compiles one artifact. The compiler writes into a private folder beside
/// the outputs, under the final file names (a macOS install name and an MSVC
/// import library both record the name they were built under), and the files
/// are then renamed into place: a failed or interrupted build never leaves a
/// half-written library for a lesson to load.
fn compile(compiler: &Compiler, os: TargetOs, job: &CompileJob) -> Result<(), CBuildError> {
    let staging = tempfile::Builder::new()
        .prefix(".building-")
        .tempdir_in(job.dir)?;
    let mut command = compiler.tool.to_command();
    // The workbook's paths are canonical; on Windows that means a \\?\ prefix,
    // which compilers may not take: give them the plain form where there is one.
    let staged = CompileJob {
        artifact: job.artifact,
        source: dunce::simplified(job.source),
        include: dunce::simplified(job.include),
        dir: dunce::simplified(staging.path()),
    };
    if asan_mode() {
        command.args(sanitizer_args(compiler.family));
    }
    command.args(compile_args(compiler.family, os, &staged));
    command.env("LC_ALL", "C");
    let result = command.output().map_err(|err| {
        CBuildError::NoCompiler(format!(
            "{} could not be started: {err}",
            compiler.tool.path().display()
        ))
    })?;
    // cl writes its errors to stdout, GCC and Clang to stderr: keep both.
    let mut message = String::from_utf8_lossy(&result.stderr).into_owned();
    message.push_str(&String::from_utf8_lossy(&result.stdout));
    if !result.status.success() {
        return Err(CBuildError::Compile {
            source: job.source.to_path_buf(),
            output: message,
        });
    }
    for file in os.output_files(job.artifact) {
        let built = staging.path().join(&file);
        if !built.is_file() {
            return Err(CBuildError::Compile {
                source: job.source.to_path_buf(),
                output: format!(
                    "The compiler reported success but wrote no {file}. It said:\n{message}"
                ),
            });
        }
        std::fs::rename(&built, job.dir.join(&file))?;
    }
    Ok(())
}

/// The platform's C compiler as `cc` finds it, with cc's flags for this target
/// (optimised, warnings on), honouring CC and CFLAGS as cc does.
struct Compiler {
    tool: cc::Tool,
    family: Family,
}

impl Compiler {
    fn find(target: &str) -> Result<Compiler, CBuildError> {
        let tool = cc::Build::new()
            .target(target)
            .host(env!("CHECKER_HOST"))
            .opt_level(3)
            .warnings(true)
            .cargo_metadata(false)
            .cargo_warnings(false)
            .try_get_compiler()
            .map_err(|err| CBuildError::NoCompiler(err.to_string()))?;
        let family = if tool.is_like_msvc() {
            Family::Msvc
        } else if tool.is_like_clang() {
            Family::Clang
        } else {
            Family::Gnu
        };
        let compiler = Compiler { tool, family };
        compiler.probe()?;
        Ok(compiler)
    }

    /// Checks that the compiler runs before we blame the learner's C.
    fn probe(&self) -> Result<(), CBuildError> {
        let mut probe = self.tool.to_command();
        let ran = match self.family {
            // cl has no --version: without input it prints its banner and
            // exits with an error. That it starts at all is the test.
            Family::Msvc => probe.output().is_ok(),
            Family::Gnu | Family::Clang => probe
                .arg("--version")
                .output()
                .is_ok_and(|out| out.status.success()),
        };
        if ran {
            Ok(())
        } else {
            Err(CBuildError::NoCompiler(format!(
                "`{}` did not run",
                self.tool.path().display()
            )))
        }
    }
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
    use std::process::Command;

    /// The arguments for `artifact` from `csrc/NAME.c` into `out/`, as strings.
    fn args(family: Family, os: TargetOs, artifact: CArtifact) -> Vec<String> {
        let source = Path::new("csrc").join(format!("{}.c", artifact.source_name()));
        let job = CompileJob {
            artifact: &artifact,
            source: &source,
            include: Path::new("csrc"),
            dir: Path::new("out"),
        };
        compile_args(family, os, &job)
            .into_iter()
            .map(|arg| arg.to_string_lossy().replace('\\', "/"))
            .collect()
    }

    fn library() -> CArtifact {
        CArtifact::Library("ABI_add".into())
    }

    fn program() -> CArtifact {
        CArtifact::Program("pointers".into())
    }

    #[test]
    fn gcc_and_clang_on_linux_make_a_position_independent_shared_object() {
        for family in [Family::Gnu, Family::Clang] {
            assert_eq!(
                args(family, TargetOs::Linux, library()),
                [
                    "-Icsrc",
                    "-ffp-contract=off",
                    "-fPIC",
                    "-shared",
                    "-o",
                    "out/libABI_add.so",
                    "csrc/ABI_add.c"
                ]
            );
            assert_eq!(
                args(family, TargetOs::Linux, program()),
                [
                    "-Icsrc",
                    "-ffp-contract=off",
                    "-o",
                    "out/pointers",
                    "csrc/pointers.c"
                ]
            );
        }
    }

    /// Apple Clang (and GCC from Homebrew) on macOS: the dylib records
    /// `@rpath/` and its final name, never the folder it was built in.
    #[test]
    fn apple_clang_on_macos_makes_a_dylib_found_through_the_rpath() {
        for family in [Family::Clang, Family::Gnu] {
            let args = args(family, TargetOs::MacOs, library());
            assert_eq!(
                args,
                [
                    "-Icsrc",
                    "-ffp-contract=off",
                    "-dynamiclib",
                    "-Wl,-install_name,@rpath/libABI_add.dylib",
                    "-o",
                    "out/libABI_add.dylib",
                    "csrc/ABI_add.c"
                ]
            );
        }
        assert_eq!(
            args(Family::Clang, TargetOs::MacOs, program()),
            [
                "-Icsrc",
                "-ffp-contract=off",
                "-o",
                "out/pointers",
                "csrc/pointers.c"
            ]
        );
    }

    #[test]
    fn msvc_makes_a_dll_and_its_import_library() {
        assert_eq!(
            args(Family::Msvc, TargetOs::WindowsMsvc, library()),
            [
                "/I",
                "csrc",
                "/fp:precise",
                "/DWORKBOOK_DLL",
                "/LD",
                "/Fe:out/ABI_add.dll",
                "/Fo:out/",
                "csrc/ABI_add.c",
                "/link",
                "/IMPLIB:out/ABI_add.lib"
            ]
        );
        let program = args(Family::Msvc, TargetOs::WindowsMsvc, program());
        assert_eq!(
            program,
            [
                "/I",
                "csrc",
                "/fp:precise",
                "/Fe:out/pointers.exe",
                "/Fo:out/",
                "csrc/pointers.c"
            ]
        );
        // cl.exe takes none of GCC's flags.
        assert!(program.iter().all(|arg| !arg.starts_with("-f")));
    }

    #[test]
    fn clang_and_mingw_on_windows_make_a_dll_without_pic() {
        assert_eq!(
            args(Family::Clang, TargetOs::WindowsMsvc, library()),
            [
                "-Icsrc",
                "-ffp-contract=off",
                "-DWORKBOOK_DLL",
                "-shared",
                "-Wl,/IMPLIB:out/ABI_add.lib",
                "-o",
                "out/ABI_add.dll",
                "csrc/ABI_add.c"
            ]
        );
        // GNU ld could link against the DLL itself; the import library is
        // what it looks for first.
        assert_eq!(
            args(Family::Gnu, TargetOs::WindowsGnu, library()),
            [
                "-Icsrc",
                "-ffp-contract=off",
                "-DWORKBOOK_DLL",
                "-shared",
                "-Wl,--out-implib,out/libABI_add.dll.a",
                "-o",
                "out/ABI_add.dll",
                "csrc/ABI_add.c"
            ]
        );
    }

    #[test]
    fn asan_is_used_where_valgrind_is_missing_or_when_asked() {
        let never = || -> bool { panic!("not asked when the choice is made") };
        assert!(choose_asan(Some("asan".into()), false, never, never));
        assert!(!choose_asan(Some("valgrind".into()), true, never, never));
        // Unset: valgrind where it is, else ASan if the compiler has it.
        assert!(!choose_asan(None, true, || true, never));
        assert!(choose_asan(None, true, || false, || true));
        assert!(!choose_asan(None, true, || false, || false));
        // Windows (MSVC's ASan is untested) only when asked.
        assert!(!choose_asan(None, false, never, never));
        assert!(!choose_asan(Some(String::new()), false, never, never));
    }

    #[test]
    fn a_target_triple_names_its_system() {
        let os = TargetOs::of_triple;
        assert_eq!(os("x86_64-pc-windows-gnu"), TargetOs::WindowsGnu);
        assert_eq!(os("x86_64-pc-windows-gnullvm"), TargetOs::WindowsGnu);
        assert_eq!(os("aarch64-pc-windows-msvc"), TargetOs::WindowsMsvc);
        assert_eq!(os("aarch64-apple-darwin"), TargetOs::MacOs);
        assert_eq!(os("x86_64-unknown-linux-gnu"), TargetOs::Linux);
        assert_eq!(os(env!("CHECKER_TARGET")), TargetOs::this());
    }

    #[test]
    fn each_system_names_its_outputs() {
        assert_eq!(
            TargetOs::WindowsMsvc.output_files(&library()),
            ["ABI_add.lib", "ABI_add.dll"]
        );
        assert_eq!(
            TargetOs::WindowsGnu.output_files(&library()),
            ["libABI_add.dll.a", "ABI_add.dll"]
        );
        assert_eq!(
            TargetOs::MacOs.output_files(&library()),
            ["libABI_add.dylib"]
        );
        assert_eq!(TargetOs::Linux.output_files(&program()), ["pointers"]);
        assert_eq!(
            TargetOs::WindowsMsvc.output_files(&program()),
            ["pointers.exe"]
        );
        // This system's names are the ones the rest of the workbook uses.
        for artifact in [library(), program()] {
            assert_eq!(TargetOs::this().file_name(&artifact), artifact.file_name());
        }
    }

    #[test]
    fn on_windows_the_c_folder_goes_first_on_path() {
        let dir = Path::new(r"C:\workbook\build");
        let existing = Some(OsString::from(r"C:\Windows;C:\tools"));
        for os in [TargetOs::WindowsMsvc, TargetOs::WindowsGnu] {
            assert_eq!(
                library_search_env_for(os, dir, existing.clone()),
                Some((
                    "PATH".into(),
                    r"C:\workbook\build;C:\Windows;C:\tools".into()
                ))
            );
            assert_eq!(
                library_search_env_for(os, dir, None),
                Some(("PATH".into(), dir.into()))
            );
        }
        // Elsewhere the rpath finds the library; nothing to set.
        assert_eq!(
            library_search_env_for(TargetOs::Linux, dir, existing.clone()),
            None
        );
        assert_eq!(library_search_env_for(TargetOs::MacOs, dir, existing), None);
    }

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
        // Only the artifacts and the stamp saying how they were built are
        // left: the staging folder is gone.
        let stamp = std::fs::read_to_string(out.join(".memcheck-mode")).unwrap();
        assert!(stamp.ends_with(env!("CHECKER_TARGET")), "{stamp}");
        let mut left: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut expected: Vec<String> = wanted
            .iter()
            .flat_map(|artifact| TargetOs::this().output_files(artifact))
            .chain([".memcheck-mode".to_string()])
            .collect();
        expected.sort();
        assert_eq!(left, expected);
        // Another mode (an ASan build, another target) rebuilds everything.
        std::fs::write(out.join(".memcheck-mode"), "asan elsewhere").unwrap();
        let third = build_all(&csrc, &out, &wanted).unwrap();
        assert!(third.iter().all(|(_, built)| *built == Built::Rebuilt));
    }

    /// A failed build leaves nothing behind, not even a staging folder.
    #[test]
    fn a_failed_build_leaves_no_file() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "broken.c",
            "int broken(void) { return nope; }\n",
        );
        let out = tmp.path().join("build");
        build_all(tmp.path(), &out, &[CArtifact::Library("broken".into())]).unwrap_err();
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
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
