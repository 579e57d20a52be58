//! The checker's own probes of the machine's tools: a C compiler, a linker,
//! libclang. A check is called the machine's fault ("cannot run here") only
//! when one of these finds the tool missing, never on the strength of text
//! alone: a build script or a `compile_error!` in learner code can print
//! "linker `cc` not found" or "environment: ..." as easily as cargo can,
//! and would otherwise choose a verdict that blames no one.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// What to install for a C toolchain, per platform.
pub const INSTALL_C_TOOLCHAIN: &str = "Install a C toolchain: on Debian or Ubuntu `sudo apt install \
     build-essential`, on Fedora `sudo dnf install gcc`, on macOS `xcode-select --install`, on \
     Windows the Visual Studio Build Tools (\"Desktop development with C++\").";

/// What to install for libclang, which bindgen loads to read C headers.
pub const INSTALL_LIBCLANG: &str = "libclang is not installed, and bindgen needs it to read C \
     headers. Install it: Debian/Ubuntu `sudo apt install libclang-dev`, Fedora `sudo dnf \
     install clang-devel`, macOS `xcode-select --install`, Windows `winget install LLVM.LLVM` \
     (then set LIBCLANG_PATH).";

/// The program `name` as found on `PATH` (or `name` itself when it is a path
/// to a file).
pub fn find_program(name: &str) -> Option<PathBuf> {
    let name = Path::new(name);
    if name.components().count() > 1 {
        return name.is_file().then(|| name.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find_map(|dir| {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return Some(candidate);
        }
        let exe = candidate.with_extension(std::env::consts::EXE_EXTENSION);
        (!std::env::consts::EXE_EXTENSION.is_empty() && exe.is_file()).then_some(exe)
    })
}

/// Is there a C compiler the `cc` crate would use? `CC` when set, else the
/// usual names. On Windows the `cc` crate finds MSVC through the registry
/// and vswhere, which no PATH look-up sees: there, a C compiler is assumed
/// (the build's own words then stand as a build failure, not the machine's).
pub fn c_compiler_found() -> bool {
    if cfg!(windows) {
        return true;
    }
    if let Some(cc) = std::env::var_os("CC")
        && let Some(first) = cc.to_str().and_then(|cc| cc.split_whitespace().next())
    {
        return find_program(first).is_some();
    }
    ["cc", "gcc", "clang"]
        .iter()
        .any(|name| find_program(name).is_some())
}

/// Is there a libclang for bindgen to load? The places clang-sys searches:
/// `LIBCLANG_PATH` (a folder or the file) alone when it is set, else
/// `llvm-config --libdir`, the system's library folders and LLVM's own.
pub fn libclang_found() -> bool {
    // Where LIBCLANG_PATH is set, clang-sys looks there and nowhere else.
    if let Some(path) = std::env::var_os("LIBCLANG_PATH") {
        let path = PathBuf::from(path);
        return path.is_file() || holds_libclang(&path);
    }
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Ok(out) = std::process::Command::new("llvm-config")
        .arg("--libdir")
        .output()
        && out.status.success()
    {
        dirs.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    }
    for dir in [
        "/usr/lib",
        "/usr/lib64",
        "/usr/local/lib",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/Library/Developer/CommandLineTools/usr/lib",
        "/Applications/Xcode.app/Contents/Developer/Toolchains/XcodeDefault.xctoolchain/usr/lib",
        "/opt/homebrew/opt/llvm/lib",
        "/usr/local/opt/llvm/lib",
        r"C:\Program Files\LLVM\bin",
        r"C:\Program Files\LLVM\lib",
    ] {
        dirs.push(dir.into());
    }
    // Each installed LLVM's own folder: /usr/lib/llvm-16/lib, ...
    for parent in ["/usr/lib", "/usr/lib64", "/usr/local"] {
        if let Ok(entries) = std::fs::read_dir(parent) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with("llvm") {
                    dirs.push(entry.path().join("lib"));
                }
            }
        }
    }
    dirs.iter().any(|dir| holds_libclang(dir))
}

/// Does `dir` hold a libclang shared library (`libclang.so`,
/// `libclang-16.so.1`, `libclang.so.16`, `libclang.dylib`, `libclang.dll`)?
fn holds_libclang(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries
        .flatten()
        .any(|entry| is_libclang(&entry.file_name()))
}

fn is_libclang(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    let Some(rest) = name
        .strip_prefix("libclang")
        .or_else(|| name.strip_prefix("clang"))
    else {
        return false;
    };
    // `-16.so.1`, `.so.16`: a version may follow the name. libclang-cpp and
    // the sanitizer runtimes (libclang_rt) are other libraries.
    let version_first = rest
        .strip_prefix('-')
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
    (rest.starts_with('.') || version_first)
        && (rest.contains(".so") || rest.ends_with(".dylib") || rest.ends_with(".dll"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libclang_is_told_from_other_libraries() {
        for name in [
            "libclang.so",
            "libclang.so.16",
            "libclang-16.so.1",
            "libclang-14.0.6.so",
            "libclang.dylib",
            "libclang.dll",
        ] {
            assert!(is_libclang(OsStr::new(name)), "{name}");
        }
        for name in [
            "libclang-cpp.so.16",
            "libclang_rt.asan.so",
            "libclangBasic.a",
            "libc.so",
        ] {
            assert!(!is_libclang(OsStr::new(name)), "{name}");
        }
    }

    #[test]
    fn programs_are_found_on_path_or_by_their_own_path() {
        let dir = tempfile::tempdir().unwrap();
        let tool = dir.path().join("tool");
        std::fs::write(&tool, "").unwrap();
        assert_eq!(find_program(tool.to_str().unwrap()), Some(tool));
        assert_eq!(find_program("no-such-tool-ffi-workbook"), None);
    }
}
