//! Part 2 of this lesson, ABI out-of-line: the prebuilt library
//! `build/libABI_add.so` is linked into this crate at link time, so that the
//! declarations in `src/bindings.rs` resolve to it. Nothing is compiled here;
//! no C compiler takes part in this crate's build (that is what makes it
//! "ABI" style). The library itself is built beforehand by
//! `cargo run -p checker -- build-c` or `make`.
//!
//! This file is part of the lesson (not one you edit): read it.

use std::env;
use std::path::PathBuf;

/// Where `checker build-c` and `make` put the C libraries (the same rule as
/// `workbook_support::c_build_dir`, repeated here so that this build script
/// needs no dependencies).
fn c_build_dir() -> PathBuf {
    println!("cargo:rerun-if-env-changed=FFI_WORKBOOK_C_DIR");
    match env::var_os("FFI_WORKBOOK_C_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => {
            PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
                .join("../../build")
        }
    }
}

fn main() {
    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let file_name = match target_os.as_str() {
        "windows" => "ABI_add.dll",
        "macos" | "ios" => "libABI_add.dylib",
        _ => "libABI_add.so",
    };
    let dir = c_build_dir();
    let library = dir.join(file_name);
    // Microsoft's linker links against a DLL through its import library,
    // ABI_add.lib, built beside it; GNU linkers read the library itself.
    let import_library = (target_env == "msvc").then(|| dir.join("ABI_add.lib"));
    // Run again when the library appears or is rebuilt.
    println!("cargo:rerun-if-changed={}", library.display());
    if let Some(import_library) = &import_library {
        println!("cargo:rerun-if-changed={}", import_library.display());
    }
    println!("cargo:rerun-if-changed=build.rs");

    for needed in std::iter::once(&library).chain(&import_library) {
        if !needed.is_file() {
            // The checker always builds the C first. Anything else that builds
            // this crate before `build-c` has run (rust-analyzer's `cargo check`
            // on a fresh clone, a bare `cargo run -p abi_add`) gets this warning
            // instead of a stop: type checking needs no library, and a link
            // that does fails next with "unable to find library -lABI_add".
            println!(
                "cargo::warning={} has not been built yet: build the C libraries with \
                 `cargo run -p checker -- build-c` (or `make`), then build again.",
                needed.display()
            );
            return;
        }
    }
    let dir = dir
        .canonicalize()
        .expect("the build folder exists, since the library is in it");

    // Where the linker looks for the library, and which one to link.
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-lib=dylib=ABI_add");
    // The linker only records the name "libABI_add.so"; at run time the
    // dynamic loader has to find the file too. An rpath written into the
    // binary (and the test executables) tells it where to look. On macOS the
    // library's own recorded name, @rpath/libABI_add.dylib, says to use it.
    if target_os != "windows" {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    } else {
        // Windows has no rpath: its loader looks beside the program, then on
        // PATH. `cargo run` and `cargo test` put link-search folders that are
        // inside OUT_DIR on PATH, so a copy of the DLL goes there. (The
        // checker puts build/ on PATH itself.)
        let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
        if let Err(err) = std::fs::copy(dir.join(file_name), out_dir.join(file_name)) {
            println!(
                "cargo::error=could not copy {file_name} into {}: {err}",
                out_dir.display()
            );
            return;
        }
        println!("cargo:rustc-link-search=native={}", out_dir.display());
    }
}
