//! Lesson 4's build script: the C side of this crate is compiled here, as
//! part of `cargo build`. That is what makes both parts "API" style: a C
//! compiler reads the C source, so the C is built for this crate, by this
//! crate. (CFFI's `ffibuilder.set_source(...)` + `compile()`.)

use std::env;
use std::path::PathBuf;

/// Part 2, API in-line: the C source held in the build script itself, like
/// the string the source lesson hands to `ffibuilder.set_source`.
/// It is named `API_inline_add` so that it cannot clash with part 1's `API_add`.
const API_INLINE_SOURCE: &str = r#"
void API_inline_add(double *a, const double *b, int n)
{
    for (int i = 0; i < n; i++) {
        a[i] += b[i];
    }
}
"#;

fn main() {
    // Part 1, API out-of-line: the C source lives in csrc/, with its header.
    // `cc` compiles it into a static library (libAPI_add.a in OUT_DIR) and
    // prints the lines that make cargo link it into this crate.
    cc::Build::new()
        .file("../../csrc/API_add.c")
        .include("../../csrc")
        // The prebuilt library of lesson 3 is compiled with -O3 (see the
        // Makefile); without this, a debug build compiles C with -O0 and the
        // timings would compare optimised C with unoptimised C.
        .opt_level(3)
        .compile("API_add");

    // Part 2, API in-line: write the string to a file in OUT_DIR (the folder
    // cargo gives each build script for what it makes) and compile that.
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let source = out_dir.join("API_inline_add.c");
    std::fs::write(&source, API_INLINE_SOURCE).expect("write the in-line C source to OUT_DIR");
    cc::Build::new()
        .file(&source)
        .opt_level(3)
        .compile("API_inline_add");

    // Once a build script prints one rerun-if-changed line, cargo reruns it
    // only when a listed file changes: so list every C file used (and this
    // file, which holds the in-line source).
    println!("cargo:rerun-if-changed=../../csrc/API_add.c");
    println!("cargo:rerun-if-changed=../../csrc/API_add.h");
    println!("cargo:rerun-if-changed=build.rs");
}
